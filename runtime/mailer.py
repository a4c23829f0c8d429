"""Emailing the subject over SMTP: plain text plus an HTML alternative, links only, no files."""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import structlog

__all__ = ["MailRejected", "MailSettings", "Mailer", "MailerUnavailable", "build_message"]

log = structlog.get_logger()

_TIMEOUT_SECONDS = 30.0


class MailerUnavailable(Exception):
    """The mail server could not take the message now; sending again later may succeed."""


class MailRejected(Exception):
    """The mail server refused the message for good; sending it again will not help."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""


class Mailer:
    """Sends one message per call over a fresh SMTP connection, in a worker thread."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings

    async def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        message_id_key: str | None = None,
    ) -> str:
        """Send the message and return its Message-ID; the same key gives the same Message-ID."""
        message = build_message(self._settings.sender, to, subject, text, html, message_id_key)
        await asyncio.to_thread(self._deliver, message)
        message_id = str(message["Message-ID"])
        log.info("mail_sent", message_id=message_id)
        return message_id

    def _deliver(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(
                self._settings.host, self._settings.port, timeout=_TIMEOUT_SECONDS
            ) as smtp:
                self._open_session(smtp)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            # `from None`: the server's reply and the cause may name the address.
            raise _failure(exc) from None

    def _open_session(self, smtp: smtplib.SMTP) -> None:
        settings = self._settings
        smtp.ehlo()
        if settings.starttls:
            if not smtp.has_extn("starttls"):
                raise MailerUnavailable(
                    "The mail server does not offer STARTTLS; check the SMTP settings."
                )
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password)


def build_message(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    message_id_key: str | None = None,
) -> EmailMessage:
    """A UTF-8, 7-bit clean message: text, and HTML as its alternative; never an attachment."""
    _check_recipient(to)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(sender, message_id_key)
    # RFC 3834: keeps out-of-office replies away from the privacy mailbox.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def message_id(sender: str, key: str | None) -> str:
    """A Message-ID in the sender's domain; derived from `key`, so a retry repeats it."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "dsr.local"
    if key is None:
        return make_msgid(domain=domain)
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _check_recipient(to: str) -> None:
    address = parseaddr(to)[1]
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or address != to.strip() or not to.isprintable():
        raise MailRejected("The recipient is not a valid email address; correct it and retry.")


def _failure(exc: smtplib.SMTPException | OSError) -> MailerUnavailable | MailRejected:
    """The error to raise for an SMTP or network failure; its text never names an address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = min(code for code, _ in exc.recipients.values())
        return _refused("the recipient", code, "check the address and correct it")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailerUnavailable("The mail server refused the login; check the SMTP credentials.")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return MailerUnavailable(
            f"The mail server refused the sender address ({exc.smtp_code}); "
            "check the sender setting."
        )
    if isinstance(exc, smtplib.SMTPDataError):
        return _refused("the message", exc.smtp_code, "ask the mail administrator why")
    if isinstance(exc, ssl.SSLError):
        return MailerUnavailable(
            "The TLS handshake with the mail server failed; check its certificate and the "
            "SMTP settings."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailRejected(
            "The mail server cannot deliver this message (a required SMTP extension is "
            "missing); ask the mail administrator."
        )
    return MailerUnavailable(
        "The mail server could not be reached or dropped the connection; sending will be retried."
    )


def _refused(what: str, code: int, advice: str) -> MailerUnavailable | MailRejected:
    if 400 <= code < 500:
        return MailerUnavailable(
            f"The mail server refused {what} for now ({code}); sending will be retried."
        )
    return MailRejected(f"The mail server refused {what} ({code}); {advice} before sending again.")

"""The mailer against a real SMTP server: one UTF-8 message, text and HTML, links only."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from runtime.mailer import Mailer, MailerUnavailable, MailRejected, MailSettings
from simulators.tls import write_tls_files

SENDER = "Privacy <privacy@hoster.example>"
TO = "jan@example.nl"
SUBJECT = "Uw verzoek dsr-0001 is één keer afgerond — geïnde café-rekening"
TEXT = "Geachte heer, mevrouw,\n\nUw gegevens staan klaar: https://dsr.example/d/abc\n"
HTML = '<p>Geachte heer, mevrouw,</p><p><a href="https://dsr.example/d/abc">één link</a></p>'
LOGIN, PASSWORD = "dsr", "s3cret"


class Inbox:
    """An SMTP handler that keeps what it accepts; some recipients and bodies it refuses."""

    def __init__(self) -> None:
        self.accepted: list[Envelope] = []
        self.port = 0
        self.ca_file = Path()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("gone"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"
        if address.startswith("full"):
            return f"452 4.2.2 <{address}>: Mailbox full, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if b"REJECT-ME" in _content(envelope):
            return f"554 5.7.1 Message to {envelope.rcpt_tos[0]} refused as spam"
        self.accepted.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [_parse(envelope) for envelope in self.accepted]


def _content(envelope: Envelope) -> bytes:
    """The raw message; the server keeps bytes because it does not decode data."""
    assert isinstance(envelope.content, bytes)
    return envelope.content


def _parse(envelope: Envelope) -> EmailMessage:
    parsed = message_from_bytes(_content(envelope), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _lf(text: str) -> str:
    """Body text as sent: SMTP carries lines ending in CRLF."""
    return text.replace("\r\n", "\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(**smtp_parameters: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **smtp_parameters)
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with _serving() as inbox:
        yield inbox


def _check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data == (LOGIN.encode(), PASSWORD.encode())
    # handled=False: the server, not this function, answers 535 on failure.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_inbox(tmp_path: Path) -> Iterator[Inbox]:
    """A server that requires STARTTLS and then a login, with a certificate from a test CA."""
    files = write_tls_files(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.server_cert, files.server_key)
    with _serving(tls_context=context, require_starttls=True, authenticator=_check_login) as inbox:
        inbox.ca_file = files.ca_file
        yield inbox


def mailer(port: int, **settings: Any) -> Mailer:
    return Mailer(MailSettings(host="127.0.0.1", port=port, sender=SENDER, **settings))


async def test_message_reaches_the_recipient_with_text_and_html(inbox: Inbox) -> None:
    message_id = await mailer(inbox.port).send(TO, SUBJECT, TEXT, HTML, message_id_key="k")

    [envelope] = inbox.accepted
    assert envelope.mail_from == "privacy@hoster.example"
    assert envelope.rcpt_tos == [TO]
    [msg] = inbox.messages()
    assert msg["To"] == TO
    assert msg["Subject"] == SUBJECT
    assert msg["Message-ID"] == message_id
    assert msg["Date"]
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage)
    assert isinstance(rich, EmailMessage)
    assert _lf(plain.get_content()) == TEXT
    assert rich.get_content().strip() == HTML
    assert plain.get_content_charset() == rich.get_content_charset() == "utf-8"


async def test_message_has_no_attachments_and_is_7bit_clean(inbox: Inbox) -> None:
    await mailer(inbox.port).send(TO, SUBJECT, TEXT, HTML)

    [msg] = inbox.messages()
    assert list(msg.iter_attachments()) == []
    assert all(part.get_content_disposition() is None for part in msg.walk())
    assert _content(inbox.accepted[0]).isascii()


async def test_text_only_message_is_a_single_plain_part(inbox: Inbox) -> None:
    await mailer(inbox.port).send(TO, SUBJECT, TEXT)

    [msg] = inbox.messages()
    assert msg.get_content_type() == "text/plain"
    assert _lf(msg.get_content()) == TEXT


async def test_same_key_gives_the_same_message_id(inbox: Inbox) -> None:
    send = mailer(inbox.port).send
    first = await send(TO, SUBJECT, TEXT, message_id_key="dsr-0001/archive_ready")
    retried = await send(TO, SUBJECT, TEXT, message_id_key="dsr-0001/archive_ready")
    other = await send(TO, SUBJECT, TEXT, message_id_key="dsr-0002/archive_ready")
    unkeyed = {await send(TO, SUBJECT, TEXT), await send(TO, SUBJECT, TEXT)}

    assert first == retried != other
    assert re.fullmatch(r"<[0-9a-f]{32}@hoster\.example>", first)
    assert len(unkeyed) == 2
    assert [m["Message-ID"] for m in inbox.messages()[:3]] == [first, retried, other]


async def test_refused_recipient_is_rejected_without_naming_it(inbox: Inbox) -> None:
    with pytest.raises(MailRejected, match=r"refused the recipient \(550\)") as caught:
        await mailer(inbox.port).send("gone@example.nl", SUBJECT, TEXT)

    assert "@" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert inbox.accepted == []


async def test_temporary_refusal_is_retryable(inbox: Inbox) -> None:
    with pytest.raises(MailerUnavailable, match=r"for now \(452\)") as caught:
        await mailer(inbox.port).send("full@example.nl", SUBJECT, TEXT)

    assert "@" not in str(caught.value)


async def test_refused_message_is_rejected_without_naming_the_recipient(inbox: Inbox) -> None:
    with pytest.raises(MailRejected, match=r"refused the message \(554\)") as caught:
        await mailer(inbox.port).send(TO, SUBJECT, "REJECT-ME")

    assert "@" not in str(caught.value)


async def test_no_server_listening_is_retryable() -> None:
    with pytest.raises(MailerUnavailable, match="could not be reached") as caught:
        await mailer(_free_port()).send(TO, SUBJECT, TEXT)

    assert "@" not in str(caught.value)
    assert caught.value.__cause__ is None


@pytest.mark.parametrize("to", ["jan@example.nl\r\nBcc: x@evil.example", "jan", "Jan <jan@x.nl>"])
async def test_malformed_recipient_is_rejected_before_connecting(inbox: Inbox, to: str) -> None:
    with pytest.raises(MailRejected, match="not a valid email address") as caught:
        await mailer(inbox.port).send(to, SUBJECT, TEXT)

    assert "@" not in str(caught.value)
    assert inbox.accepted == []


async def test_starttls_and_login_with_the_configured_credentials(
    tls_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_inbox.ca_file))
    settings = {"starttls": True, "username": LOGIN, "password": PASSWORD}
    await mailer(tls_inbox.port, **settings).send(TO, SUBJECT, TEXT)

    assert len(tls_inbox.accepted) == 1


async def test_wrong_password_is_a_setup_problem_to_fix_and_retry(
    tls_inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_inbox.ca_file))
    settings = {"starttls": True, "username": LOGIN, "password": "wrong"}
    with pytest.raises(MailerUnavailable, match="refused the login") as caught:
        await mailer(tls_inbox.port, **settings).send(TO, SUBJECT, TEXT)

    assert "wrong" not in str(caught.value)
    assert tls_inbox.accepted == []


async def test_untrusted_certificate_stops_the_message(tls_inbox: Inbox) -> None:
    settings = {"starttls": True, "username": LOGIN, "password": PASSWORD}
    with pytest.raises(MailerUnavailable, match="TLS handshake"):
        await mailer(tls_inbox.port, **settings).send(TO, SUBJECT, TEXT)

    assert tls_inbox.accepted == []


async def test_required_starttls_is_never_skipped(inbox: Inbox) -> None:
    with pytest.raises(MailerUnavailable, match="does not offer STARTTLS"):
        await mailer(inbox.port, starttls=True).send(TO, SUBJECT, TEXT)

    assert inbox.accepted == []

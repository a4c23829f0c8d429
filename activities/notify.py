"""Telling the subject by email: links to what they asked for, and the letters the law requires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import notices
from domain import names
from domain.kinds import RequestKind
from domain.messages import NoticeKind, NotifyInput
from runtime.mailer import Mailer, MailerUnavailable, MailRejected

log = structlog.get_logger()


class NotifyActivities:
    def __init__(
        self, mailer: Mailer, *, link_ttl_seconds: int, controller_name: str, contact: str
    ) -> None:
        self._mailer = mailer
        self._ttl = link_ttl_seconds
        self._controller_name = controller_name
        self._contact = contact

    @activity.defn(name=names.NOTIFY_SUBJECT.name)
    async def notify_subject(self, arg: NotifyInput) -> str:
        """Send one notice; the same request and notice always give the same Message-ID."""
        key = f"{arg.request_id}/{arg.notice.value}"
        message_id = await send_notice(self._mailer, arg.to, self._compose(arg), key)
        log.info("subject_notified", request_id=arg.request_id, notice=arg.notice.value)
        return message_id

    def _compose(self, arg: NotifyInput) -> notices.Notice:
        name, values = self._choose(arg)
        return notices.compose(
            name, arg.language, ref=arg.request_id, recipient=arg.name,
            controller_name=self._controller_name, contact=self._contact, **values,
        )  # fmt: skip

    def _choose(self, arg: NotifyInput) -> tuple[str, dict[str, notices.Value]]:
        """The notice to send, and its values besides the request's reference."""
        if arg.notice is NoticeKind.ARCHIVE_READY:
            expires = (datetime.now(UTC) + timedelta(seconds=self._ttl)).date()
            portable = arg.kind is RequestKind.PORTABILITY
            name = "portability_ready" if portable else "archive_ready"
            return name, {"link": arg.link, "expires": expires}
        if arg.notice is NoticeKind.RIGHT_DONE:
            return _right_done(arg), {"link": arg.link}
        if arg.notice is NoticeKind.ERASURE_DONE:
            return "erasure_done", {"link": arg.link}
        if arg.notice is NoticeKind.EXTENSION:
            assert arg.received_on and arg.due_on
            values: dict[str, notices.Value] = {
                "received": arg.received_on,
                "new_due": arg.due_on,
                "reason": arg.reason,
            }
            return "extension", values
        if arg.notice is NoticeKind.REFUSAL:
            return "refusal", {"reason": arg.reason}
        assert arg.received_on
        return "rejected_unverified", {"asked": arg.received_on}


async def send_notice(mailer: Mailer, to: str, notice: notices.Notice, key: str) -> str:
    """Send the notice; the same key gives the same Message-ID, which is returned.

    A refused message fails the activity for good; an unreachable server lets it retry.
    """
    try:
        return await mailer.send(to, notice.subject, notice.text, notice.html, message_id_key=key)
    except MailRejected as err:
        raise ApplicationError(str(err), type="MailRejected", non_retryable=True) from None
    except MailerUnavailable as err:
        raise ApplicationError(str(err), type="MailerUnavailable") from None


# The rights whose completion has a notice of its own, "<kind>_done".
RIGHTS_DONE = (RequestKind.RECTIFICATION, RequestKind.RESTRICTION, RequestKind.OBJECTION)


def _right_done(arg: NotifyInput) -> str:
    assert arg.kind is not None
    if arg.kind not in RIGHTS_DONE:
        raise ValueError(f"No completion notice for a {arg.kind.value} request.")
    only_other = arg.purposes and not any(p.absolute for p in arg.purposes)
    if arg.kind is RequestKind.OBJECTION and only_other:
        return "objection_other_done"  # an upheld objection to processing, not marketing
    return f"{arg.kind.value}_done"

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
        self._who = {"controller_name": controller_name, "contact": contact}

    @activity.defn(name=names.NOTIFY_SUBJECT.name)
    async def notify_subject(self, arg: NotifyInput) -> str:
        """Send one notice; the same request and notice always give the same Message-ID."""
        notice = self._compose(arg)
        try:
            message_id = await self._mailer.send(
                arg.to, notice.subject, notice.text, notice.html,
                message_id_key=f"{arg.request_id}/{arg.notice.value}",
            )  # fmt: skip
        except MailRejected as err:
            raise ApplicationError(str(err), type="MailRejected", non_retryable=True) from None
        except MailerUnavailable as err:
            raise ApplicationError(str(err), type="MailerUnavailable") from None
        log.info("subject_notified", request_id=arg.request_id, notice=arg.notice.value)
        return message_id

    def _compose(self, arg: NotifyInput) -> notices.Notice:
        lang, rid = arg.language, arg.request_id
        if arg.notice is NoticeKind.ARCHIVE_READY:
            expires = (datetime.now(UTC) + timedelta(seconds=self._ttl)).date()
            if arg.kind is RequestKind.PORTABILITY:
                return notices.portability_ready(lang, rid, arg.link, expires, **self._who)
            return notices.archive_ready(lang, rid, arg.link, expires, **self._who)
        if arg.notice is NoticeKind.RIGHT_DONE:
            assert arg.kind is not None
            kind = arg.kind.value
            only_other = arg.purposes and not any(p.absolute for p in arg.purposes)
            if arg.kind is RequestKind.OBJECTION and only_other:
                kind = "objection_other"  # an upheld objection to processing, not marketing
            return notices.right_done(lang, rid, kind, arg.link, **self._who)
        if arg.notice is NoticeKind.ERASURE_DONE:
            return notices.erasure_done(lang, rid, arg.link, **self._who)
        if arg.notice is NoticeKind.EXTENSION:
            assert arg.received_on and arg.due_on
            return notices.extension(lang, rid, arg.received_on, arg.due_on, arg.reason,
                                     **self._who)  # fmt: skip
        if arg.notice is NoticeKind.REFUSAL:
            return notices.refusal(lang, rid, arg.reason, **self._who)
        assert arg.received_on
        return notices.rejected_unverified(lang, rid, arg.received_on, **self._who)

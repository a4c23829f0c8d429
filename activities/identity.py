"""Identity by a one-time code emailed to the address on file.

See docs/architecture.md, "The request workflow".

The code is made, hashed, stored and emailed inside one activity, so it never enters
workflow history. It goes only to an address the administration already has for the
subject: a code sent to an address the requester typed would prove nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import notices
from activities.notify import send_notice
from domain import names
from domain.messages import CheckCodeInput, CodeVerdict, IssueCodeInput, IssuedCode
from domain.subject import SubjectIdentifiers
from runtime.mailer import Mailer
from store.codes import CodeCheck, VerificationCodes

log = structlog.get_logger()
OnFile = Callable[[SubjectIdentifiers], Awaitable[bool]]


class IdentityActivities:
    def __init__(
        self,
        codes: VerificationCodes,
        mailer: Mailer,
        on_file: OnFile,
        *,
        valid_minutes: int = 30,
        controller_name: str = "",
        contact: str = "",
    ) -> None:
        self._codes = codes
        self._mailer = mailer
        self._on_file = on_file
        self._valid = valid_minutes
        self._who = {"controller_name": controller_name, "contact": contact}

    @activity.defn(name=names.ISSUE_VERIFICATION_CODE.name)
    async def issue_verification_code(self, arg: IssueCodeInput) -> IssuedCode:
        email = arg.subject.email
        if not email or not await self._on_file(arg.subject):
            raise ApplicationError(
                "The request's email address is not on file for this subject; verify the "
                "identity another way (dsr verify --method).",
                type="NotOnFile",
                non_retryable=True,
            )
        code, expires_at = await asyncio.to_thread(
            self._codes.issue, arg.request_id, timedelta(minutes=self._valid)
        )
        notice = notices.compose(
            "verification_code", arg.subject.language, recipient=arg.subject.name or "",
            code=code, minutes=self._valid, **self._who,
        )  # fmt: skip
        key = f"{arg.request_id}/code/{expires_at.timestamp():.0f}"
        await send_notice(self._mailer, email, notice, key)
        log.info("verification_code_sent", request_id=arg.request_id)
        return IssuedCode(expires_at)

    @activity.defn(name=names.CHECK_VERIFICATION_CODE.name)
    async def check_verification_code(self, arg: CheckCodeInput) -> CodeVerdict:
        checked = await asyncio.to_thread(self._codes.check, arg.request_id, arg.code)
        log.info("verification_code_checked", request_id=arg.request_id, result=checked.result)
        return CodeVerdict(checked.result is CodeCheck.ACCEPTED, checked.message)

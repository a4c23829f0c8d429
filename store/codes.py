"""One-time codes that confirm a subject's identity: issued, emailed once, checked, used up.

Only a keyed hash of each code is stored; the code itself exists in the email and in the
subject's hands. A request has at most one live code: issuing again replaces it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine

from store.db import session_scope
from store.models import VerificationCodeRow

DIGITS = 6
MAX_ATTEMPTS = 5


class CodeCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"  # too many wrong attempts: a new code must be sent
    NONE = "none"  # no code was sent, or it was already used


@dataclass(frozen=True)
class Checked:
    result: CodeCheck
    attempts_left: int = 0

    @property
    def message(self) -> str:
        """One sentence for the agent; never the code."""
        return {
            CodeCheck.ACCEPTED: "The code is right; the identity is verified.",
            CodeCheck.WRONG: f"The code is wrong; {self.attempts_left} attempt(s) left.",
            CodeCheck.EXPIRED: "The code has expired; send a new one with dsr send-code.",
            CodeCheck.LOCKED: "Too many wrong codes; send a new one with dsr send-code.",
            CodeCheck.NONE: "No code is waiting for this request; send one with dsr send-code.",
        }[self.result]


class VerificationCodes:
    def __init__(self, engine: Engine, secret: bytes) -> None:
        self._engine = engine
        self._secret = secret

    def issue(self, request_id: str, valid_for: timedelta) -> tuple[str, datetime]:
        """A fresh code for the request (replacing any earlier one) and when it expires."""
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        now = datetime.now(UTC)
        row = VerificationCodeRow(
            request_id=request_id,
            digest=self._digest(request_id, code),
            issued_at=now,
            expires_at=now + valid_for,
            attempts=0,
            used_at=None,
        )
        with session_scope(self._engine) as session:
            session.merge(row)
        return code, row.expires_at

    def check(self, request_id: str, code: str) -> Checked:
        """Compare in constant time; count wrong attempts; a right code is used up."""
        now = datetime.now(UTC)
        with session_scope(self._engine) as session:
            row = session.get(VerificationCodeRow, request_id, with_for_update=True)
            if row is None or row.used_at is not None:
                return Checked(CodeCheck.NONE)
            if row.attempts >= MAX_ATTEMPTS:
                return Checked(CodeCheck.LOCKED)
            if now >= row.expires_at:
                return Checked(CodeCheck.EXPIRED)
            if hmac.compare_digest(row.digest, self._digest(request_id, code.strip())):
                row.used_at = now
                return Checked(CodeCheck.ACCEPTED)
            row.attempts += 1
            left = MAX_ATTEMPTS - row.attempts
            return Checked(CodeCheck.WRONG if left else CodeCheck.LOCKED, left)

    def _digest(self, request_id: str, code: str) -> str:
        message = f"{request_id}:{code}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

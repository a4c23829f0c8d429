"""One-time verification codes, on SQLite and PostgreSQL: only hashes stored, used once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from store.codes import MAX_ATTEMPTS, CodeCheck, VerificationCodes
from store.db import make_engine, session_scope, upgrade
from store.models import VerificationCodeRow

SECRET = b"k" * 32


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_a_code_is_six_digits_stored_only_as_a_hash_and_used_once(engine: Engine) -> None:
    codes = VerificationCodes(engine, SECRET)
    code, expires = codes.issue("req-1", timedelta(minutes=30))
    assert len(code) == 6 and code.isdigit()
    assert expires > datetime.now(UTC) + timedelta(minutes=29)
    with session_scope(engine) as session:
        stored = session.scalars(select(VerificationCodeRow)).one()
        assert code not in stored.digest and len(stored.digest) == 64
    assert codes.check("req-1", code).result is CodeCheck.ACCEPTED
    assert codes.check("req-1", code).result is CodeCheck.NONE  # used up


def test_wrong_codes_count_down_then_lock(engine: Engine) -> None:
    codes = VerificationCodes(engine, SECRET)
    code, _ = codes.issue("req-2", timedelta(minutes=30))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    results = [codes.check("req-2", wrong) for _ in range(MAX_ATTEMPTS)]
    assert [r.attempts_left for r in results[:-1]] == list(range(MAX_ATTEMPTS - 1, 0, -1))
    assert results[-1].result is CodeCheck.LOCKED
    # Even the right code is refused once locked; a new code starts over.
    assert codes.check("req-2", code).result is CodeCheck.LOCKED
    fresh, _ = codes.issue("req-2", timedelta(minutes=30))
    assert codes.check("req-2", fresh).result is CodeCheck.ACCEPTED


def test_an_expired_code_and_another_requests_code_are_refused(engine: Engine) -> None:
    codes = VerificationCodes(engine, SECRET)
    code, _ = codes.issue("req-3", timedelta(seconds=-1))
    assert codes.check("req-3", code).result is CodeCheck.EXPIRED
    other, _ = codes.issue("req-4", timedelta(minutes=5))
    assert codes.check("req-5", other).result is CodeCheck.NONE
    assert "send-code" in codes.check("req-3", code).message

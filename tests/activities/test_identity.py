"""The one-time code activities: a real SMTP server receives the code, the store its hash."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.identity import IdentityActivities
from domain.messages import CheckCodeInput, IssueCodeInput
from domain.subject import SubjectIdentifiers
from runtime.mailer import Mailer, MailSettings
from store.codes import VerificationCodes
from store.db import make_engine, upgrade
from tests.runtime.test_mailer import Inbox, inbox  # noqa: F401  (the SMTP fixture)

ON_FILE = "anna@example.nl"
SUBJECT = SubjectIdentifiers(email=ON_FILE, name="Anna de Wit", language="nl")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def activities(engine: Engine, port: int) -> IdentityActivities:
    async def on_file(subject: SubjectIdentifiers) -> bool:
        return subject.email == ON_FILE

    mailer = Mailer(MailSettings(host="127.0.0.1", port=port, sender="privacy@hoster.example"))
    return IdentityActivities(VerificationCodes(engine, b"s" * 32), mailer, on_file)


async def test_the_emailed_code_is_accepted_once(engine: Engine, inbox: Inbox) -> None:  # noqa: F811
    acts = activities(engine, inbox.port)
    env = ActivityEnvironment()
    issued = await env.run(acts.issue_verification_code, IssueCodeInput("req-1", SUBJECT))

    (message,) = inbox.messages()
    assert message["To"] == ON_FILE
    assert message["Subject"] == "Uw verificatiecode"  # the subject's language
    body = message.get_body(("plain",))
    assert body is not None
    (code,) = re.findall(r"^\s+(\d{6})\s*$", body.get_content(), re.MULTILINE)
    assert issued.expires_at.isoformat() not in body.get_content()

    wrong = await env.run(acts.check_verification_code, CheckCodeInput("req-1", "000000"))
    if code == "000000":  # one chance in a million: then the wrong code is another one
        wrong = await env.run(acts.check_verification_code, CheckCodeInput("req-1", "111111"))
    assert not wrong.accepted and "attempt" in wrong.message
    right = await env.run(acts.check_verification_code, CheckCodeInput("req-1", code))
    assert right.accepted
    again = await env.run(acts.check_verification_code, CheckCodeInput("req-1", code))
    assert not again.accepted


async def test_no_code_goes_to_an_address_not_on_file(engine: Engine, inbox: Inbox) -> None:  # noqa: F811
    acts = activities(engine, inbox.port)
    stranger = SubjectIdentifiers(email="someone@else.example", customer_number="C000001")
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(
            acts.issue_verification_code, IssueCodeInput("req-2", stranger)
        )
    assert refused.value.non_retryable and "not on file" in refused.value.message
    assert "someone@else.example" not in refused.value.message
    assert inbox.accepted == []

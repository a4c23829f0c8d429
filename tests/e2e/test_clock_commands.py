"""The officer extends a deadline through the CLI; the subject receives the letter."""

from __future__ import annotations

import email
import email.policy
import mailbox
import time
from datetime import date

import pytest

from domain.deadlines import extended_due_date
from stack import Stack
from tests.e2e.conftest import Cli, request_id_from

pytestmark = pytest.mark.e2e
SUBJECT = "extend.me@example.nl"


def test_extension_moves_the_deadline_and_tells_the_subject_why(stack: Stack, cli: Cli) -> None:
    request_id = request_id_from(
        cli.ok("submit", "access", "--email", SUBJECT, "--agent-ref", "EXT-1", "--language", "nl")
    )
    said = cli.ok("extend", request_id, "--reason", "zeven systemen, waarvan twee buitenlands")
    expected = extended_due_date(date.today())
    assert expected.isoformat() in said
    assert f"due {expected:%Y-%m-%d}" in cli.ok("status", request_id)
    again = cli("extend", request_id, "--reason", "nog eens")
    assert again.returncode == 2 and "already extended" in again.stderr
    letter = _letter_to(stack, SUBJECT)
    body = letter.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "zeven systemen" in text and "Autoriteit Persoonsgegevens" in text
    assert not list(letter.iter_attachments())
    cli.ok("cancel", request_id, "--reason", "test finished")
    listed = cli.ok("list", "--due-within", "200d")
    assert request_id not in listed  # cancelled requests are not open any more


def _letter_to(stack: Stack, address: str) -> email.message.EmailMessage:
    for _ in range(40):
        for message in mailbox.Maildir(stack.mailbox):
            if address in str(message["To"]):
                return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        time.sleep(0.25)
    pytest.fail("no letter reached the subject")

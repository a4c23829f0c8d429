"""Bad input gets one sentence and exit status 2, and starts nothing (checked in Temporal)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from stack import Stack
from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def started_workflows(cli: Cli) -> int:
    return int(cli.temporal("workflow", "count").split()[-1])


def registry_rows(stack: Stack) -> int:
    engine = sa.create_engine(f"sqlite:///{stack.home / 'dsr.sqlite3'}")
    with engine.connect() as conn:
        return int(conn.scalar(sa.text("SELECT count(*) FROM requests")) or 0)


EMAIL = "a@example.nl"
ACCESS = ["submit", "access", "--email", EMAIL]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["submit", "access", "--agent-ref", "BAD-1"], "at least one identifier"),
        (["submit", "access", "--email", "jan@@example", "--agent-ref", "BAD-2"], "malformed"),
        (["submit", "deletion", "--email", EMAIL, "--agent-ref", "BAD-3"], "Unknown request kind"),
        ([*ACCESS, "--agent-ref", "DUP-1"], "already exists"),
        ([*ACCESS, "--agent-ref", "has space"], "agent reference"),
        ([*ACCESS, "--agent-ref", "BAD-4", "--language", "fr"], "language"),
        (["verify", "no-such-request", "--method", "x"], "No request matches"),
        (["list", "--state", "finished"], "Unknown state"),
    ],
)
def test_bad_input_is_refused_with_one_sentence(
    stack: Stack, cli: Cli, duplicate_seeded: None, args: list[str], says: str
) -> None:
    workflows, rows = started_workflows(cli), registry_rows(stack)
    done = cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stderr.strip()
    assert says in message
    assert "Traceback" not in done.stderr + done.stdout
    assert len(message.splitlines()) == 1 and message.endswith(".")
    assert EMAIL not in message
    assert started_workflows(cli) == workflows
    assert registry_rows(stack) == rows


@pytest.fixture(scope="module")
def duplicate_seeded(cli: Cli) -> None:
    """A first request with reference DUP-1, so the second one is a duplicate."""
    cli.ok("submit", "access", "--email", "someone@example.nl", "--agent-ref", "DUP-1")

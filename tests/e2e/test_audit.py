"""`dsr audit` prints the trail and detects a changed row (LAW: an auditor can rely on it)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from stack import Stack
from tests.e2e.conftest import Cli, request_id_from

pytestmark = pytest.mark.e2e


def test_changing_one_audit_row_is_detected(stack: Stack, cli: Cli) -> None:
    request_id = request_id_from(
        cli.ok("submit", "access", "--email", "audit.me@example.nl", "--agent-ref", "AUDIT-1")
    )
    cli.ok("cancel", request_id, "--reason", "withdrawn by the subject")
    cli.ok("wait", request_id, "--until", "cancelled")
    for _ in range(40):  # the cancellation's audit row is written just after the state flips
        trail = cli.ok("audit", request_id)
        if "request_cancelled" in trail:
            break
        time.sleep(0.25)
    assert "request_received" in trail and "request_cancelled" in trail
    assert "Chain verified" in trail
    engine = sa.create_engine(f"sqlite:///{stack.home / 'dsr.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE audit_events SET actor = 'someone else' "
                    "WHERE request_id = :r AND seq = 2"),
            {"r": request_id},
        )  # fmt: skip
    broken = cli("audit", request_id)
    assert broken.returncode == 1
    assert "Chain broken at event 2" in broken.stderr

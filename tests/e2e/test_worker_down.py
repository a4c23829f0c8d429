"""The worker gone for good, Temporal up: the agent's commands answer at once and truthfully
(issue 14, Must show 2)."""

from __future__ import annotations

import time

import pytest

from stack import Stack
from tests.e2e.conftest import Cli, request_id_from

pytestmark = pytest.mark.e2e

# What the issue asks of the CLI without a worker, measured as an agent waits: the command.
STATUS_WITHIN = 5.0
VERIFY_WITHIN = 10.0


def timed(cli: Cli, *args: str) -> tuple[float, int, str]:
    started = time.monotonic()
    done = cli(*args)
    return time.monotonic() - started, done.returncode, done.stdout + done.stderr


def test_with_the_worker_down_status_and_verify_answer_at_once_and_truthfully(
    stack: Stack, cli: Cli
) -> None:
    assert stack.seed is not None
    subject = stack.seed.customers[7]
    submitted = cli.ok("submit", "access", "--email", subject.email, "--agent-ref", "E2E-DOWN-1")
    request_id = request_id_from(submitted)
    cli.ok("wait", request_id, "--until", "verifying")
    stack.stop_worker()
    try:
        took, code, said = timed(cli, "status", "E2E-DOWN-1")
        assert code == 0 and took < STATUS_WITHIN, (took, said)
        assert "state verifying" in said and "Worker unreachable" in said
        took, code, said = timed(cli, "verify", "E2E-DOWN-1", "--method", "called back")
        assert took < VERIFY_WITHIN and "Traceback" not in said, (took, said)
        # Not sent (nothing will change), or queued (it applies when the worker is back).
        assert said.startswith({2: "error: Not applied:", 3: "queued:"}.get(code, "?")), said
    finally:
        stack.start_worker()
    # The worker is back: what the agent was told is what happened.
    for _ in range(120):
        live = cli("status", "E2E-DOWN-1")
        if "Worker unreachable" not in live.stdout:
            break
        time.sleep(0.5)
    if code == 2:
        assert "state verifying" in live.stdout
        assert "identity_verified" not in cli.ok("audit", "E2E-DOWN-1")
        cli.ok("cancel", "E2E-DOWN-1", "--reason", "test finished")
    else:
        cli.ok("wait", request_id, "--until", "completed")
        assert "identity_verified" in cli.ok("audit", "E2E-DOWN-1")

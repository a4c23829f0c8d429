"""`dsr confirm`'s path: an agent confirms a system that never did, and the request completes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import main as cli_main
from domain.deadlines import ClockRules
from domain.errors import InvalidRequestInput
from domain.kinds import RequestState
from domain.records import ConfirmationChannel, OutcomeStatus
from services.requests import ActionRefused, RequestService
from store.db import make_engine, upgrade
from store.registry import RequestRegistry
from tests.fixtures.temporal import finish
from tests.workflows.support import Harness, state_of
from tests.workflows.test_confirmations import erasure_until_pending, wait_state


async def test_agent_confirms_an_overdue_system_and_the_request_completes(
    harness: Harness, tmp_path: Path
) -> None:
    env, fakes, queue = harness
    handle = await erasure_until_pending(harness, ConfirmationChannel.POLL_QUEUE)
    engine = make_engine(f"sqlite:///{tmp_path / 'dsr.sqlite3'}")
    upgrade(engine)
    registry = RequestRegistry(engine)
    registry.register(request_id=handle.id.removeprefix("dsr-"), workflow_id=handle.id,
                      kind="erasure", agent_ref="MAN-1", subject_hash="h", language="en",
                      received_at=datetime.now(UTC), due_on=date.today())  # fmt: skip
    service = RequestService(env.client, registry, task_queue=queue, clock=ClockRules(),
                             hash_secret=b"k")  # fmt: skip
    await env.sleep(timedelta(hours=49))
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    with pytest.raises(InvalidRequestInput):
        await service.confirm("MAN-1", "Sam", "newsletter", "  ")
    with pytest.raises(ActionRefused, match="not waiting"):
        await service.confirm("MAN-1", "Sam", "billing", "called them")
    result = await service.confirm("MAN-1", "Sam", "newsletter", "confirmed by phone")
    assert "recorded" in result.message
    final = await handle.result()
    assert final.state is RequestState.COMPLETED
    newsletter = next(o for o in final.outcomes if o.connector == "newsletter")
    assert (newsletter.status, newsletter.confirmed_by) == (OutcomeStatus.DONE, "agent Sam")
    assert "confirmed by phone" in newsletter.detail
    assert await state_of(handle) is RequestState.COMPLETED
    assert [e.actor for e in fakes.events if e.action == "confirmation_received"] == ["agent Sam"]
    engine.dispose()
    await finish(handle)


def test_confirm_command_requires_a_note() -> None:
    runner = CliRunner()
    done = runner.invoke(cli_main.app, ["confirm", "REQ-1", "registry-epp"])
    assert done.exit_code == 2
    assert "--note" in done.output

"""The EPP poll consumer against the real registry simulator and a waiting workflow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.epp import EppRegistryConnector, create
from connectors.epp.client import EppConfig, EppPollReader, PollMessage
from domain.deadlines import ClockRules
from domain.kinds import RequestState
from domain.records import Confirmation, ConfirmationChannel, OutcomeStatus
from domain.retention import RetentionPolicy
from domain.subject import SubjectIdentifiers
from runtime.settings import Settings
from services.poll_queue import PollQueueConsumer
from services.requests import RequestService
from simulators.epp import EppSimulator
from store.confirmations import PendingConfirmations
from store.db import make_engine, upgrade
from store.registry import RequestRegistry
from tests.fixtures.epp import RICH_HANDLE, hints_of
from tests.fixtures.temporal import finish
from tests.workflows.support import Harness
from tests.workflows.test_confirmations import erasure_until_pending

REF = f"contact:{RICH_HANDLE}"


class ConsumerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even `except Exception`."""


@dataclass
class DyingReader:
    """The real reader, but the process dies at `die_before` ('deliver' or 'ack')."""

    inner: EppPollReader
    die_before_ack: bool

    async def read(self) -> PollMessage | None:
        return await self.inner.read()

    async def ack(self, msg_id: str) -> bool:
        if self.die_before_ack:
            raise ConsumerKilled
        return await self.inner.ack(msg_id)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def queue_deletion_message(epp_simulator: EppSimulator, settings: Settings,
                                 admin_db_url: str) -> None:  # fmt: skip
    """A real 1001 pending deletion in the registry, then its panData in the poll queue."""
    epp_simulator.set_pending_deletes(True)
    connector: EppRegistryConnector = create(settings)
    located = await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))
    plan = await connector.plan_erasure(located, RetentionPolicy(), date(2026, 11, 22))
    outcome = await connector.erase(located, plan)
    await connector.aclose()
    assert (outcome.status, outcome.external_ref) == (OutcomeStatus.PENDING, REF)
    assert epp_simulator.resolve_pending() == [RICH_HANDLE]


@pytest.mark.parametrize("dies_before", ["deliver", "ack"])
async def test_consumer_killed_between_read_and_ack_loses_no_confirmation(
    harness: Harness,
    epp_simulator: EppSimulator,
    epp_settings: Settings,
    admin_db_url: str,
    tmp_path: Path,
    dies_before: str,
) -> None:
    env, fakes, queue = harness
    fakes.pending_ref = REF
    handle = await erasure_until_pending(harness, ConfirmationChannel.POLL_QUEUE)
    request_id = handle.id.removeprefix("dsr-")
    engine = make_engine(f"sqlite:///{tmp_path / 'dsr.sqlite3'}")
    upgrade(engine)
    registry = RequestRegistry(engine)
    registry.register(request_id=request_id, workflow_id=handle.id, kind="erasure",
                      agent_ref="POLL-1", subject_hash="h", language="en",
                      received_at=datetime.now(UTC), due_on=date.today())  # fmt: skip
    routes = PendingConfirmations(engine)
    routes.register(request_id, "newsletter", REF)
    service = RequestService(env.client, registry, task_queue=queue, clock=ClockRules(),
                             hash_secret=b"k")  # fmt: skip
    await queue_deletion_message(epp_simulator, epp_settings, admin_db_url)
    config = EppConfig.from_settings(epp_settings)
    delivered: list[Confirmation] = []

    async def route(connector: str, ref: str) -> str | None:
        return routes.request_for(connector, ref)

    def deliver_then(die: bool) -> Callable[[str, Confirmation], Awaitable[object]]:
        async def deliver(rid: str, confirmation: Confirmation) -> object:
            if die:
                raise ConsumerKilled
            delivered.append(confirmation)
            return await service.deliver_confirmation(rid, confirmation)

        return deliver

    first_reader = EppPollReader(config)
    first = PollQueueConsumer("newsletter", DyingReader(first_reader, dies_before == "ack"),
                              route, deliver_then(dies_before == "deliver"))  # fmt: skip
    with pytest.raises(ConsumerKilled):
        await first.handle_one()
    await first_reader.aclose()

    # The restarted consumer reads the same message again, delivers it, and only then acks.
    second_reader = EppPollReader(config)
    second = PollQueueConsumer("newsletter", second_reader, route, deliver_then(False))
    assert await second.handle_one() is True
    assert await second_reader.read() is None
    await second_reader.aclose()

    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert newsletter.status is OutcomeStatus.DONE
    assert newsletter.confirmed_by.startswith("EPP poll message ")
    received = [e for e in fakes.events if e.action == "confirmation_received"]
    assert len(received) == 1
    engine.dispose()
    await finish(handle)

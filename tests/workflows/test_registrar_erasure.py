"""An erasure at a registrar that does not confirm by itself, through the real connector and
its simulator: a confirmation by hand settles one step, and the request completes only when
the registrar holds nothing of the subject any more.

The simulator runs asynchronously with no timer and no webhook address: owner changes and
deletions stay pending until the test finishes them (`/_sim/complete`), as a registrar whose
webhooks do not arrive.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.connector_ops import ConnectorActivities
from activities.proof import build_proof
from connectors.base import Connector
from connectors.billing import BillingConnector
from connectors.billing.wire import create_admin_engine
from connectors.registrar import RegistrarConnector
from domain.kinds import RequestKind, RequestState
from domain.messages import ApprovePlan, RetryFailed, ServicesChoice, VerifyIdentity
from domain.records import Confirmation, OutcomeStatus
from domain.subject import SubjectIdentifiers
from runtime.policy import load_policy
from runtime.webhook_signing import DELIVERY_HEADER
from simulators.billing import SeedSummary
from simulators.registrar import RegistrarSimulator
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.registrar import (
    REGISTRAR_COMPANY_HANDLE,
    REGISTRAR_PASSWORD,
    REGISTRAR_USERNAME,
    WebhookReceiver,
    complete,
    locate_rich,
    raw,
    sim_config,
    sim_state,
)
from tests.fixtures.temporal import finish
from tests.workflows.real_systems import Handle, progress_of, real_worker, until_state
from tests.workflows.support import Fakes, start
from workflows.subject_request import SubjectRequestWorkflow

REGISTRAR = "registrar-openprovider"
POLICY = load_policy(Path(__file__).parents[2] / "policy.toml")


@dataclass
class Systems:
    ops: ConnectorActivities
    subject_handle: str


@pytest.fixture
async def systems(
    admin_db_url: str, admin_seed: SeedSummary, registrar_sim: RegistrarSimulator
) -> AsyncIterator[Systems]:
    """Billing (the primary system, for the hints) and the registrar, as the worker has them;
    and the rich customer's handle at the registrar."""
    await sim_config(registrar_sim, asynchronous=True)
    billing = BillingConnector(create_admin_engine(admin_db_url))
    registrar = RegistrarConnector(
        registrar_sim.url, REGISTRAR_USERNAME, REGISTRAR_PASSWORD, REGISTRAR_COMPANY_HANDLE
    )
    located = await locate_rich(registrar, admin_db_url, admin_seed)
    ops = ConnectorActivities(
        {"billing": cast(Connector, billing), REGISTRAR: cast(Connector, registrar)},
        POLICY.retention,
        lambda _, connector: MemorySink(connector),
    )
    yield Systems(ops, located.refs[0].removeprefix("customer:"))
    await ops.aclose()


async def erasure_pending_at_registrar(
    env: WorkflowEnvironment, queue: str, seed: SeedSummary
) -> Handle:
    """The rich customer's erasure, approved, waiting for the registrar's two owner changes."""
    subject = SubjectIdentifiers(email=seed.rich_customer.email, name=seed.rich_customer.name)
    handle = await start(env, queue, RequestKind.ERASURE, subject=subject)
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    await until_state(handle, RequestState.AWAITING_APPROVAL)
    approve = ApprovePlan("officer", ServicesChoice.TERMINATE)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, approve)
    await until_state(handle, RequestState.AWAITING_CONFIRMATION)
    progress = await progress_of(handle)
    [registrar] = [c for c in progress.connectors if c.connector == REGISTRAR]
    assert registrar.outcome is not None and registrar.outcome.status is OutcomeStatus.PENDING
    assert "2 change(s) pending at the registrar" in registrar.outcome.detail
    return handle


async def pending_jobs(sim: RegistrarSimulator, event: str) -> list[str]:
    jobs = (await sim_state(sim))["jobs"]
    return [j["job_id"] for j in jobs if j["event"] == event and j["status"] == "pending"]


def by_phone(note: str) -> Confirmation:
    """What `dsr confirm <request> registrar-openprovider --note ...` sends."""
    return Confirmation(REGISTRAR, "", True, note, "agent Sam")


def proof_text(fakes: Fakes, language: str) -> str:
    [proof] = fakes.proofs
    return build_proof(replace(proof, language=language), datetime.now(UTC)).text


def registrar_lines(text: str) -> str:
    block = text.split(f"System: {REGISTRAR}", 1)[-1].split(f"Systeem: {REGISTRAR}", 1)[-1]
    return block.split("\n\n", 1)[0]


async def test_a_manual_confirmation_lets_the_deletion_run_and_completes_only_after_it(
    dev_server_env: WorkflowEnvironment,
    systems: Systems,
    registrar_sim: RegistrarSimulator,
    registrar_webhook_receiver: WebhookReceiver,
    admin_seed: SeedSummary,
) -> None:
    fakes = Fakes()
    async with real_worker(dev_server_env.client, fakes, systems.ops) as queue:
        handle = await erasure_pending_at_registrar(dev_server_env, queue, admin_seed)
        # The registrar made both owner changes, but its webhook never came; the agent
        # checked by phone and confirms the pending step by hand.
        for job in await pending_jobs(registrar_sim, "domain.updated"):
            await complete(registrar_sim, job)
        await handle.execute_update(
            SubjectRequestWorkflow.confirm, by_phone("owner changes confirmed by phone")
        )

        # The erase runs again: the domains are free, so it asks to delete the handle, and
        # the request waits for that step's own confirmation.
        deletion = await _until_pending_deletion(registrar_sim)
        await until_state(handle, RequestState.AWAITING_CONFIRMATION)
        assert systems.subject_handle in (await sim_state(registrar_sim))["customers"]
        assert fakes.proofs == []
        assert [r.external_ref for r in fakes.registered][-1] == deletion

        # The registrar deletes the handle and says so by its signed webhook, which the
        # API turns into this confirmation (api/webhooks.py).
        await sim_config(registrar_sim, webhook_url=registrar_webhook_receiver.url)
        await complete(registrar_sim, deletion)
        [webhook] = await registrar_webhook_receiver.arrivals(1)
        body = json.loads(webhook.body)
        delivery = {k.lower(): v for k, v in webhook.headers.items()}[DELIVERY_HEADER.lower()]
        assert (body["event"], body["reference"]) == ("customer.deleted", deletion)
        confirmation = Confirmation(
            REGISTRAR,
            body["reference"],
            body["status"] == "completed",
            f"{body['event']} reported by the system.",
            f"{REGISTRAR} webhook {delivery}",
        )
        await handle.execute_update(SubjectRequestWorkflow.confirm, confirmation)
        result = await handle.result()

    assert result.state is RequestState.COMPLETED
    assert systems.subject_handle not in (await sim_state(registrar_sim))["customers"]
    registrar = next(o for o in result.outcomes if o.connector == REGISTRAR)
    assert registrar.status is OutcomeStatus.DONE
    assert registrar.confirmed_by == f"{REGISTRAR} webhook {delivery}"
    assert "1 customer handle(s) deleted" in registrar.detail
    # Completed only after the deletion was confirmed.
    actions = [e.action for e in fakes.events]
    last_confirmation = max(i for i, a in enumerate(actions) if a == "confirmation_received")
    assert actions.index("proof_delivered") > last_confirmation
    assert "erased" in registrar_lines(proof_text(fakes, "en"))
    assert "verwijderd" in registrar_lines(proof_text(fakes, "nl"))


async def test_a_confirmation_the_registrar_contradicts_needs_attention_never_completion(
    dev_server_env: WorkflowEnvironment,
    systems: Systems,
    registrar_sim: RegistrarSimulator,
    admin_seed: SeedSummary,
) -> None:
    fakes = Fakes()
    async with real_worker(dev_server_env.client, fakes, systems.ops) as queue:
        handle = await erasure_pending_at_registrar(dev_server_env, queue, admin_seed)
        try:
            # The agent confirms, but the registrar has not made the owner changes: the
            # second erase cannot delete the handle, and the registrar says the change is
            # still pending.
            first = (await pending_jobs(registrar_sim, "domain.updated"))[0]
            await handle.execute_update(
                SubjectRequestWorkflow.confirm, by_phone("they said it was done")
            )
            await until_state(handle, RequestState.NEEDS_ATTENTION)
            progress = await progress_of(handle)
            assert f"{REGISTRAR} still reports {first} as pending" in progress.attention
            assert await pending_jobs(registrar_sim, "customer.deleted") == []
            assert systems.subject_handle in (await sim_state(registrar_sim))["customers"]
            # Nothing proves an erasure while the handle exists: no proof, not completed.
            assert fakes.proofs == []
            assert not any(e.state is RequestState.COMPLETED for e in fakes.events)
        finally:
            await finish(handle)


async def test_a_second_step_that_cannot_run_needs_attention_never_completion(
    dev_server_env: WorkflowEnvironment,
    systems: Systems,
    registrar_sim: RegistrarSimulator,
    admin_seed: SeedSummary,
) -> None:
    fakes = Fakes()
    async with real_worker(dev_server_env.client, fakes, systems.ops) as queue:
        handle = await erasure_pending_at_registrar(dev_server_env, queue, admin_seed)
        try:
            for job in await pending_jobs(registrar_sim, "domain.updated"):
                await complete(registrar_sim, job)
            # Meanwhile the registrar account's password changed: the deletion cannot run.
            await sim_config(registrar_sim, password="changed-by-someone-else")
            (await raw(registrar_sim, "POST", "/_sim/expire-tokens")).raise_for_status()
            await handle.execute_update(
                SubjectRequestWorkflow.confirm, by_phone("owner changes confirmed by phone")
            )
            await until_state(handle, RequestState.NEEDS_ATTENTION)
            assert "DSR_REGISTRAR_PASSWORD" in (await progress_of(handle)).attention
            assert systems.subject_handle in (await sim_state(registrar_sim))["customers"]
            assert fakes.proofs == []
            # Put right, the retry deletes the handle (synchronously now) and completes.
            await sim_config(registrar_sim, password=REGISTRAR_PASSWORD, asynchronous=False)
            await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("a"))
            result = await handle.result()
            assert result.state is RequestState.COMPLETED
            assert systems.subject_handle not in (await sim_state(registrar_sim))["customers"]
            progress = await progress_of(handle)
            assert all(not c.error for c in progress.connectors)
        finally:
            await finish(handle)


async def _until_pending_deletion(sim: RegistrarSimulator) -> str:
    for _ in range(300):
        if deletions := await pending_jobs(sim, "customer.deleted"):
            [deletion] = deletions
            return deletion
        await asyncio.sleep(0.1)
    pytest.fail("the erase never asked to delete the handle")

"""Failures that retrying cannot fix reach needs_attention with their reason at once; a
failure that may pass is retried, its attempts and last error visible meanwhile.

Real connectors (and the real push) against their simulators, through the real activities,
on the dev server: a retried failure would wait its real backoff (minutes), so reaching
needs_attention within the issue's 10 seconds shows no retry happened.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.connector_ops import ConnectorActivities
from activities.push import PushActivities
from connectors.base import Connector
from connectors.billing import BillingConnector
from connectors.billing.wire import create_admin_engine
from connectors.epp import create as create_epp
from connectors.registrar import RegistrarConnector
from domain import names
from domain.kinds import RequestKind, RequestState
from domain.messages import (
    ApprovePlan,
    ChangePushAddress,
    CompileArchiveInput,
    DeliveryRef,
    ServicesChoice,
    VerifyIdentity,
)
from domain.subject import SubjectIdentifiers
from runtime.policy import load_policy
from runtime.settings import Settings
from simulators.billing import SeedSummary, customer_number
from simulators.controller import ControllerSimulator
from simulators.epp import EppSimulator
from simulators.registrar import RegistrarSimulator
from store.blobs import LocalBlobStore
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.registrar import REGISTRAR_COMPANY_HANDLE, REGISTRAR_USERNAME
from tests.fixtures.temporal import finish
from tests.workflows.real_systems import Handle, progress_of, real_worker, until_state
from tests.workflows.support import Fakes, start
from workflows.subject_request import SubjectRequestWorkflow

POLICY = load_policy(Path(__file__).parents[2] / "policy.toml")
# The issue's own bound: a failure retrying cannot fix is seen within 10 seconds.
AT_ONCE = 10.0


def connector_ops(admin_db_url: str, **others: object) -> ConnectorActivities:
    """Billing (the primary system) and the others, as the worker builds them."""
    billing = BillingConnector(create_admin_engine(admin_db_url))
    built = {"billing": cast(Connector, billing)} | {
        name.replace("_", "-"): cast(Connector, conn) for name, conn in others.items()
    }
    return ConnectorActivities(built, POLICY.retention, lambda _, name: MemorySink(name))


async def verify(handle: Handle) -> None:
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))


async def test_an_epp_contact_used_by_another_customers_domain_needs_attention_at_once(
    dev_server_env: WorkflowEnvironment,
    admin_db_url: str,
    epp_simulator: EppSimulator,
    epp_settings: Settings,
) -> None:
    registry = epp_simulator.registry
    shared = next(d for d in registry.domains.values() if ("tech", d.registrant) not in d.contacts)
    [(_, borrowed)] = [pair for pair in shared.contacts if pair[0] == "tech"]
    subject = SubjectIdentifiers(customer_number=customer_number(int(borrowed[3:])))
    ops = connector_ops(admin_db_url, registry_epp=create_epp(epp_settings))
    async with real_worker(dev_server_env.client, Fakes(), ops) as queue:
        handle = await start(dev_server_env, queue, RequestKind.ERASURE, subject=subject)
        try:
            await verify(handle)
            await until_state(handle, RequestState.AWAITING_APPROVAL)
            approval = ApprovePlan("officer", ServicesChoice.TERMINATE)
            await handle.execute_update(SubjectRequestWorkflow.approve_plan, approval)
            took = await until_state(handle, RequestState.NEEDS_ATTENTION, within=60)
            progress = await progress_of(handle)
        finally:
            await finish(handle)
    assert took < AT_ONCE
    assert f"still links contact {borrowed} to a domain outside this request" in (
        progress.attention
    )
    assert "after retries" not in progress.attention
    assert borrowed in registry.contacts


async def test_bad_registrar_credentials_need_attention_at_once(
    dev_server_env: WorkflowEnvironment,
    admin_db_url: str,
    admin_seed: SeedSummary,
    registrar_sim: RegistrarSimulator,
) -> None:
    registrar = RegistrarConnector(
        registrar_sim.url, REGISTRAR_USERNAME, "not-the-password", REGISTRAR_COMPANY_HANDLE
    )
    ops = connector_ops(admin_db_url, registrar_openprovider=registrar)
    subject = SubjectIdentifiers(email=admin_seed.rich_customer.email)
    async with real_worker(dev_server_env.client, Fakes(), ops) as queue:
        handle = await start(dev_server_env, queue, RequestKind.ACCESS, subject=subject)
        try:
            await verify(handle)
            took = await until_state(handle, RequestState.NEEDS_ATTENTION, within=60)
            progress = await progress_of(handle)
        finally:
            await finish(handle)
    assert took < AT_ONCE
    assert "registrar-openprovider: The registrar refused the login" in progress.attention
    assert "DSR_REGISTRAR_PASSWORD" in progress.attention


@pytest.fixture
def controller(tmp_path: Path) -> Iterator[ControllerSimulator]:
    with ControllerSimulator(tmp_path / "controller-tls") as simulator:
        yield simulator


class StoredArchive:
    """Stands in for the archive compiler: a small real ZIP in the blob store."""

    def __init__(self, blobs: LocalBlobStore) -> None:
        self.blobs = blobs

    @activity.defn(name=names.COMPILE_ARCHIVE.name)
    async def compile_archive(self, arg: CompileArchiveInput) -> DeliveryRef:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("README.txt", "Your data, to take with you.\n")
        data, key = buffer.getvalue(), f"{arg.request_id}/archive.zip"
        self.blobs.put_bytes(key, data)
        return DeliveryRef(key, hashlib.sha256(data).hexdigest(), len(data), records=1)


async def test_a_refused_push_address_needs_attention_at_once_and_is_corrected(
    dev_server_env: WorkflowEnvironment,
    admin_db_url: str,
    admin_seed: SeedSummary,
    controller: ControllerSimulator,
    tmp_path: Path,
) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs")
    push = PushActivities(blobs, controller.tls.ca_file)
    holders = (connector_ops(admin_db_url), push, StoredArchive(blobs))
    wrong = f"{controller.base_url}/dsr/v1/imports-for-someone-else"
    subject = SubjectIdentifiers(email=admin_seed.rich_customer.email)
    async with real_worker(dev_server_env.client, Fakes(), *holders) as queue:
        handle = await start(
            dev_server_env, queue, RequestKind.PORTABILITY, subject=subject, push_to=wrong
        )
        try:
            await verify(handle)
            took = await until_state(handle, RequestState.NEEDS_ATTENTION, within=60)
            attention = (await progress_of(handle)).attention
            # Corrected without cancelling: the push runs again to the right address.
            fix = ChangePushAddress("agent Sam", controller.url)
            await handle.execute_update(SubjectRequestWorkflow.change_push_address, fix)
            result = await handle.result()
        finally:
            await finish(handle)
    assert took < AT_ONCE
    assert "refused the archive with status 404" in attention
    assert "after retries" not in attention
    assert result.state is RequestState.COMPLETED
    assert result.receipt is not None and list(controller.state.by_key) == [result.request_id]


async def test_a_registrar_that_does_not_answer_is_retried_with_its_attempts_visible(
    dev_server_env: WorkflowEnvironment, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    registrar = RegistrarConnector(
        f"http://127.0.0.1:{closed}", REGISTRAR_USERNAME, "pw", REGISTRAR_COMPANY_HANDLE
    )
    ops = connector_ops(admin_db_url, registrar_openprovider=registrar)
    subject = SubjectIdentifiers(email=admin_seed.rich_customer.email)
    client = dev_server_env.client
    async with real_worker(client, Fakes(), ops) as queue:
        handle = await start(dev_server_env, queue, RequestKind.ACCESS, subject=subject)
        try:
            await verify(handle)
            started = time.monotonic()
            while time.monotonic() - started < 30:
                pending = (await handle.describe()).raw_description.pending_activities
                if pending and pending[0].attempt >= 2 and pending[0].HasField("last_failure"):
                    break
                await asyncio.sleep(0.2)
            else:
                pytest.fail("the registrar's locate was not seen retrying")
            state = (await progress_of(handle)).state
        finally:
            await finish(handle)
    # What `dsr status` shows while it retries: the attempt and the last error, decoded.
    last_error = await client.data_converter.decode_failure(pending[0].last_failure)
    assert pending[0].activity_type.name == names.LOCATE.name
    assert "did not answer the login (ConnectError)" in str(last_error)
    assert state is RequestState.DISCOVERING

"""Erasure at the registrar against the Openprovider-style simulator over real HTTP: roles move
to the company's handle, then the handle is deleted; pending jobs confirmed by signed webhooks."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest

from connectors.registrar import RegistrarConnector
from domain.records import ConfirmationChannel, OutcomeStatus, PlanAction
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.webhook_signing import DELIVERY_HEADER, verify
from simulators.billing import SeedSummary
from simulators.registrar import RegistrarSimulator
from tests.fixtures.registrar import (
    REGISTRAR_COMPANY_HANDLE as COMPANY,
)
from tests.fixtures.registrar import REGISTRAR_NOW as NOW
from tests.fixtures.registrar import REGISTRAR_TODAY as TODAY
from tests.fixtures.registrar import (
    REGISTRAR_WEBHOOK_SECRET,
    WebhookReceiver,
    complete,
    domains_with,
    erase,
    freelancer_email,
    locate_rich,
    raw,
    sim_config,
    sim_state,
    vendor_token,
)


@pytest.fixture
def connector(registrar_connector: RegistrarConnector) -> RegistrarConnector:
    return registrar_connector


async def test_plan_acts_on_handle_and_domains_and_names_the_new_registrant(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = located.refs[0].removeprefix("customer:")

    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)

    assert {(i.category, i.action, i.records) for i in plan.items} == {
        ("registrar_domains", PlanAction.ACT, 2),
        ("registrar_customers", PlanAction.ACT, 1),
    }
    # Owned domains stay registered with the company as registrant: said once, in the plan;
    # billing lists each domain as the active service the agent decides on.
    [domains] = [i for i in plan.items if i.category == "registrar_domains"]
    owned = [d for d in await domains_with(registrar_sim, handle) if d["owner_handle"] == handle]
    names = [f"{d['domain']['name']}.{d['domain']['extension']}" for d in owned]
    assert len(names) == 2 and all(domains.basis.count(name) == 1 for name in names)
    assert f"becomes {COMPANY}" in domains.basis
    assert plan.active_services == ()


async def test_deletion_refused_while_domains_use_the_handle_then_swap_and_delete(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = located.refs[0].removeprefix("customer:")
    token = await vendor_token(registrar_sim)
    refused = await raw(registrar_sim, "DELETE", f"/v1beta/customers/{handle}", token)
    assert refused.status_code == 400
    assert refused.json()["code"] != 0
    assert "in use by 2 active domain(s)" in refused.json()["desc"]

    outcome = await erase(connector, located)

    assert outcome.status is OutcomeStatus.DONE
    state = await sim_state(registrar_sim)
    assert handle not in state["customers"]
    assert await domains_with(registrar_sim, handle) == []
    moved = [d for d in state["domains"] if f"domain:{d['id']}" in located.refs]
    assert [(d["owner_handle"], d["admin_handle"]) for d in moved] == [(COMPANY, COMPANY)] * 2
    assert all(d["tech_handle"] != COMPANY for d in moved)  # someone else's role stays


async def test_a_contact_persons_handle_is_unlinked_from_others_domains_and_deleted(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, admin_seed: SeedSummary
) -> None:
    located = await connector.locate(
        SubjectIdentifiers(email=freelancer_email(admin_seed)), Hints()
    )
    handle = located.refs[0].removeprefix("customer:")
    before = await domains_with(registrar_sim, handle)

    assert (await erase(connector, located)).status is OutcomeStatus.DONE

    after = {d["id"]: d for d in (await sim_state(registrar_sim))["domains"]}
    assert handle not in (await sim_state(registrar_sim))["customers"]
    for domain in before:
        assert after[domain["id"]]["tech_handle"] == COMPANY
        assert after[domain["id"]]["owner_handle"] == domain["owner_handle"]


async def test_erase_is_idempotent(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)

    first, second = await erase(connector, located), await erase(connector, located)

    assert first.status is second.status is OutcomeStatus.DONE
    assert first.detail == second.detail


async def test_pending_owner_changes_then_webhooks_then_deletion(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    registrar_webhook_receiver: WebhookReceiver,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    await sim_config(registrar_sim, asynchronous=True, webhook_url=registrar_webhook_receiver.url)
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = located.refs[0].removeprefix("customer:")

    first = await erase(connector, located)

    assert first.status is OutcomeStatus.PENDING
    assert first.channel is ConfirmationChannel.WEBHOOK
    assert first.expected_by == NOW + timedelta(days=3)
    jobs = [j["job_id"] for j in (await sim_state(registrar_sim))["jobs"]]
    assert first.external_ref == jobs[0] and len(jobs) == 2
    assert handle in (await sim_state(registrar_sim))["customers"]

    await complete(registrar_sim, jobs[0])
    [webhook] = await registrar_webhook_receiver.arrivals(1)
    assert verify(REGISTRAR_WEBHOOK_SECRET.encode(), webhook.headers, webhook.body, time.time())
    body = json.loads(webhook.body)
    assert (body["event"], body["reference"], body["status"]) == (
        "domain.updated",
        jobs[0],
        "completed",
    )
    assert datetime.fromisoformat(body["occurred_at"])

    # Called again after the confirmation: the other owner change is still pending.
    second = await erase(connector, located)
    assert (second.status, second.external_ref) == (OutcomeStatus.PENDING, jobs[1])

    await complete(registrar_sim, jobs[1])
    await registrar_webhook_receiver.arrivals(2)
    third = await erase(connector, located)
    assert third.status is OutcomeStatus.PENDING
    assert third.external_ref not in jobs
    assert handle in (await sim_state(registrar_sim))["customers"]

    await complete(registrar_sim, str(third.external_ref))
    deleted = json.loads((await registrar_webhook_receiver.arrivals(3))[2].body)
    assert (deleted["event"], deleted["reference"]) == ("customer.deleted", third.external_ref)
    assert (await erase(connector, located)).status is OutcomeStatus.DONE
    assert handle not in (await sim_state(registrar_sim))["customers"]


async def test_jobs_complete_by_themselves_after_the_configured_delay(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    registrar_webhook_receiver: WebhookReceiver,
    admin_seed: SeedSummary,
) -> None:
    await sim_config(
        registrar_sim,
        asynchronous=True,
        complete_after=0.1,
        webhook_url=registrar_webhook_receiver.url,
    )
    located = await connector.locate(
        SubjectIdentifiers(email=freelancer_email(admin_seed)), Hints()
    )

    # Admin and tech changes are immediate; only owner changes and deletions are jobs.
    pending = await erase(connector, located)
    assert pending.status is OutcomeStatus.PENDING
    [webhook] = await registrar_webhook_receiver.arrivals(1)
    assert json.loads(webhook.body)["event"] == "customer.deleted"
    assert (await erase(connector, located)).status is OutcomeStatus.DONE


async def test_webhook_retried_after_a_500_with_the_same_delivery_id(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    registrar_webhook_receiver: WebhookReceiver,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    await sim_config(registrar_sim, asynchronous=True, webhook_url=registrar_webhook_receiver.url)
    registrar_webhook_receiver.statuses.append(500)
    located = await locate_rich(connector, admin_db_url, admin_seed)
    pending = await erase(connector, located)

    await complete(registrar_sim, str(pending.external_ref))

    first, retry = await registrar_webhook_receiver.arrivals(2)
    secret = REGISTRAR_WEBHOOK_SECRET.encode()
    delivery_id = verify(secret, first.headers, first.body, time.time())
    assert verify(secret, retry.headers, retry.body, time.time()) == delivery_id
    assert retry.headers[DELIVERY_HEADER] == delivery_id and retry.body == first.body
    [record] = (await raw(registrar_sim, "GET", "/_sim/webhooks")).json()
    assert record["attempts"] == [{"status_code": 500}, {"status_code": 200}]
    assert record["delivered"] is True


async def test_a_failed_owner_change_is_sent_again_by_the_next_erase(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    registrar_webhook_receiver: WebhookReceiver,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    await sim_config(registrar_sim, asynchronous=True, webhook_url=registrar_webhook_receiver.url)
    located = await locate_rich(connector, admin_db_url, admin_seed)
    failing = str((await erase(connector, located)).external_ref)

    await complete(registrar_sim, failing, status="failed")

    assert json.loads((await registrar_webhook_receiver.arrivals(1))[0].body)["status"] == "failed"
    retried = await erase(connector, located)
    assert retried.status is OutcomeStatus.PENDING
    assert retried.external_ref != failing

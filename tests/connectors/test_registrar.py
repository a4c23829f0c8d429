"""The registrar connector against the Openprovider-style simulator over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.administration_schema import create_admin_engine
from connectors.base import Connector
from connectors.billing import BillingConnector
from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable
from connectors.registrar import NAME, RegistrarConnector, create
from domain.records import (
    ConfirmationChannel,
    Located,
    Outcome,
    OutcomeStatus,
    PlanAction,
)
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from runtime.webhook_signing import DELIVERY_HEADER, verify
from simulators.administration import SeedSummary
from simulators.registrar import RegistrarSimulator
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.registrar import (
    REGISTRAR_COMPANY_HANDLE as COMPANY,
)
from tests.fixtures.registrar import (
    REGISTRAR_PASSWORD,
    REGISTRAR_USERNAME,
    REGISTRAR_WEBHOOK_SECRET,
    WebhookReceiver,
)

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture
async def connector(registrar_sim: RegistrarSimulator) -> AsyncIterator[RegistrarConnector]:
    conn = RegistrarConnector(
        registrar_sim.url, REGISTRAR_USERNAME, REGISTRAR_PASSWORD, COMPANY, clock=lambda: NOW
    )
    yield conn
    await conn.aclose()


async def raw(
    sim: RegistrarSimulator, method: str, path: str, token: str | None = None, **kw: Any
) -> httpx.Response:
    """One request to the simulator, bypassing the connector."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=sim.url) as client:
        return await client.request(method, path, headers=headers, **kw)


async def sim_config(sim: RegistrarSimulator, **options: Any) -> None:
    (await raw(sim, "POST", "/_sim/config", json=options)).raise_for_status()


async def sim_state(sim: RegistrarSimulator) -> dict[str, Any]:
    state: dict[str, Any] = (await raw(sim, "GET", "/_sim/state")).json()
    return state


async def complete(sim: RegistrarSimulator, job_id: str, status: str = "completed") -> None:
    path = f"/_sim/complete/{job_id}"
    (await raw(sim, "POST", path, params={"status": status})).raise_for_status()


async def domains_with(sim: RegistrarSimulator, handle: str) -> list[dict[str, Any]]:
    roles = ("owner_handle", "admin_handle", "tech_handle", "billing_handle")
    return [d for d in (await sim_state(sim))["domains"] if handle in {d[r] for r in roles}]


async def billing_hints(admin_db_url: str, email: str) -> Hints:
    """What discovery's primary system hands the registrar connector."""
    billing = BillingConnector(create_admin_engine(admin_db_url))
    try:
        return (await billing.locate(SubjectIdentifiers(email=email), Hints())).hints
    finally:
        await billing.aclose()


async def locate_rich(
    connector: RegistrarConnector, admin_db_url: str, seed: SeedSummary
) -> Located:
    email = seed.rich_customer.email
    return await connector.locate(
        SubjectIdentifiers(email=email), await billing_hints(admin_db_url, email)
    )


async def erase(connector: RegistrarConnector, located: Located) -> Outcome:
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)
    return await connector.erase(located, plan)


def freelancer_email(seed: SeedSummary) -> str:
    """The developer who is technical contact of customers 2 and 3: one person, two rows."""
    counts = Counter(c.email for c in seed.contacts)
    return next(email for email, n in counts.items() if n > 1)


def test_implements_the_connector_contract() -> None:
    conn = create(Settings(registrar_url="http://127.0.0.1:1", registrar_username="u"))
    assert isinstance(conn, Connector)
    assert conn.name == "registrar-openprovider"


async def test_locate_finds_the_customer_from_billing_hints(
    connector: RegistrarConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    email = admin_seed.rich_customer.email
    hints = await billing_hints(admin_db_url, email)

    located = await connector.locate(SubjectIdentifiers(email=email), hints)

    assert located.found
    assert located.refs[0] == f"customer:{hints.handles[NAME][0]}"
    assert located.record_counts == {"registrar_customers": 1, "registrar_domains": 2}
    assert sum(r.startswith("domain:") for r in located.refs) == 2
    assert all("@" not in ref for ref in located.refs)


async def test_locate_finds_a_contact_person_by_email_only(
    connector: RegistrarConnector, admin_seed: SeedSummary
) -> None:
    subject = SubjectIdentifiers(email=freelancer_email(admin_seed).upper())

    located = await connector.locate(subject, Hints())

    # Technical contact of customers 2 and 3: one handle, on three of their domains.
    assert located.record_counts == {"registrar_customers": 1, "registrar_domains": 3}
    assert all("@" not in ref for ref in located.refs)


async def test_locate_reports_an_unknown_subject_as_not_found(
    connector: RegistrarConnector,
) -> None:
    hints = Hints(emails=("nobody1@example.net",), handles={NAME: ("ZZ999999-NL", COMPANY)})

    located = await connector.locate(SubjectIdentifiers(email="nobody1@example.net"), hints)

    assert not located.found
    assert located.refs == ()
    assert (await connector.plan_erasure(located, RetentionPolicy(), TODAY)).items == ()
    assert (await erase(connector, located)).status is OutcomeStatus.NOT_FOUND


async def test_export_writes_the_handle_and_only_the_subjects_roles(
    connector: RegistrarConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    sink = MemorySink()

    summary = await connector.export(located, sink)

    assert summary.records == 3
    [customer] = sink.datasets["registrar_customers"]
    assert customer["email"] == admin_seed.rich_customer.email
    assert customer["name"]["full_name"] == admin_seed.rich_customer.name
    domains = sink.datasets["registrar_domains"]
    assert {tuple(d["roles"]) for d in domains} == {("owner", "admin")}
    assert all(d["domain"].endswith((".com", ".eu")) for d in domains)
    # The tech contact is someone else: their handle stays out of this subject's export.
    assert "handle" not in json.dumps(domains)


async def test_plan_acts_on_handle_and_domains_and_lists_owned_domains(
    connector: RegistrarConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)

    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)

    assert {(i.category, i.action, i.records) for i in plan.items} == {
        ("registrar_domains", PlanAction.ACT, 2),
        ("registrar_customers", PlanAction.ACT, 1),
    }
    assert len(plan.active_services) == 2
    assert all(COMPANY in service for service in plan.active_services)


async def test_deletion_refused_while_domains_use_the_handle_then_swap_and_delete(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = located.refs[0].removeprefix("customer:")
    login = {"username": REGISTRAR_USERNAME, "password": REGISTRAR_PASSWORD}
    token = (await raw(registrar_sim, "POST", "/v1beta/auth/login", json=login)).json()["data"]
    refused = await raw(registrar_sim, "DELETE", f"/v1beta/customers/{handle}", token["token"])
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


async def test_rate_limited_then_retried_after_the_indicated_delay(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, admin_db_url: str
) -> None:
    hints = await billing_hints(admin_db_url, "fleur.jansen1@example.nl")
    only_handles = Hints(handles=hints.handles)
    # login, customer lookup, domain search: three requests per locate.
    await sim_config(registrar_sim, rate_limit=3, rate_window=1.0)
    await connector.locate(SubjectIdentifiers(), only_handles)

    with pytest.raises(RateLimited) as limited:
        await connector.locate(SubjectIdentifiers(), only_handles)

    said = (await raw(registrar_sim, "GET", "/v1beta/customers")).headers["Retry-After"]
    assert limited.value.retry_after == float(said) == 1.0
    await asyncio.sleep(limited.value.retry_after)
    assert (await connector.locate(SubjectIdentifiers(), only_handles)).found


async def test_wrong_credentials_raise_authentication_failed(
    registrar_sim: RegistrarSimulator, admin_seed: SeedSummary
) -> None:
    email = admin_seed.rich_customer.email
    conn = RegistrarConnector(registrar_sim.url, REGISTRAR_USERNAME, "wrong-password", COMPANY)
    try:
        with pytest.raises(AuthenticationFailed) as refused:
            await conn.locate(SubjectIdentifiers(email=email), Hints(emails=(email,)))
    finally:
        await conn.aclose()

    message = str(refused.value)
    assert "DSR_REGISTRAR_PASSWORD" in message
    assert "@" not in message and "wrong-password" not in message
    wrong = {"username": REGISTRAR_USERNAME, "password": "y"}
    login = await raw(registrar_sim, "POST", "/v1beta/auth/login", json=wrong)
    assert login.status_code == 401
    assert login.json() == {"code": 196, "desc": "Authentication/Authorization Failed", "data": {}}


async def test_an_expired_token_is_renewed_once(
    connector: RegistrarConnector,
    registrar_sim: RegistrarSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    assert (await locate_rich(connector, admin_db_url, admin_seed)).found
    (await raw(registrar_sim, "POST", "/_sim/expire-tokens")).raise_for_status()

    assert (await locate_rich(connector, admin_db_url, admin_seed)).found
    stale = await raw(registrar_sim, "GET", "/v1beta/customers", "stale")
    assert (stale.status_code, stale.json()["code"]) == (401, 196)


async def test_an_unreachable_registrar_is_unavailable() -> None:
    conn = RegistrarConnector("http://127.0.0.1:9", "user", "password", COMPANY)
    try:
        with pytest.raises(SystemUnavailable):
            await conn.locate(SubjectIdentifiers(), Hints(handles={NAME: ("AB000001-NL",)}))
    finally:
        await conn.aclose()


async def test_requests_carry_the_bearer_token_and_only_the_roles_held() -> None:
    """Request building, without a server: login body, bearer header, re-login on 401."""
    seen: list[httpx.Request] = []
    domain = {"id": 7, "domain": {"name": "a", "extension": "com"}, "status": "ACT",
              "owner_handle": "AB1-NL", "admin_handle": "OT1-NL", "tech_handle": "AB1-NL",
              "billing_handle": COMPANY}  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1beta/auth/login":
            return httpx.Response(
                200, json={"code": 0, "desc": "", "data": {"token": f"t{len(seen)}"}}
            )
        if request.headers["Authorization"] == "Bearer t1":
            return httpx.Response(
                401, json={"code": 196, "desc": "Authentication/Authorization Failed"}
            )
        if request.method == "GET" and request.url.path == "/v1beta/domains":
            return httpx.Response(
                200, json={"code": 0, "desc": "", "data": {"results": [domain], "total": 1}}
            )
        return httpx.Response(200, json={"code": 0, "desc": "", "data": {"id": 7, "status": "ACT"}})

    conn = RegistrarConnector(
        "http://registrar.test", "user", "secret", COMPANY, transport=httpx.MockTransport(answer)
    )
    try:
        located = Located(NAME, True, refs=("customer:AB1-NL",))
        await conn.erase(located, await conn.plan_erasure(located, RetentionPolicy(), TODAY))
    finally:
        await conn.aclose()

    assert json.loads(seen[0].content) == {"username": "user", "password": "secret"}
    assert [r.url.path for r in seen[1:3]] == ["/v1beta/domains", "/v1beta/auth/login"]
    assert seen[3].headers["Authorization"] == "Bearer t3"
    [put] = [r for r in seen if r.method == "PUT"]
    assert put.url.path == "/v1beta/domains/7"
    assert json.loads(put.content) == {"owner_handle": COMPANY, "tech_handle": COMPANY}
    assert [r.method for r in seen].count("POST") == 2

"""The CertCentral connector against the simulator over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from connectors.base import Connector, TicketPolling
from connectors.billing.wire import create_admin_engine, customers
from connectors.certcentral import CertCentralConnector, create
from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable
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
from simulators.billing import SeedSummary
from simulators.certcentral import CertCentralSimulator
from simulators.serving import free_port
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.certcentral import CERTCENTRAL_API_KEY, api, hints_of, locate_rich

RICH_ORDERS = ("order:40000010", "order:40000011", "order:40000016")  # DV, OV, the OV's mail cert
RICH_ORGANIZATION = 700001
EXPIRED_ONLY_CUSTOMER = 21  # a closed account whose one DV certificate has expired


@pytest.fixture
async def connector(certcentral_sim: CertCentralSimulator) -> AsyncIterator[CertCentralConnector]:
    conn = CertCentralConnector(certcentral_sim.url, CERTCENTRAL_API_KEY)
    yield conn
    await conn.aclose()


async def erase(conn: CertCentralConnector, located: Located) -> Outcome:
    plan = await conn.plan_erasure(located, RetentionPolicy(), date.today())
    return await conn.erase(located, plan)


def request_ids(outcome: Outcome) -> list[int]:
    assert outcome.external_ref is not None
    return [int(ref.removeprefix("request:")) for ref in outcome.external_ref.split(",")]


def test_implements_the_connector_contract_and_ticket_polling() -> None:
    conn = create(Settings(certcentral_url="http://127.0.0.1:1", certcentral_api_key="k"))
    assert isinstance(conn, Connector)
    assert isinstance(conn, TicketPolling)
    assert conn.name == "certcentral"


async def test_locate_finds_orders_certificates_and_the_organisation(
    connector: CertCentralConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)

    assert located.found
    # The organisation's second order (ordered by the technical contact) is found through it.
    assert set(RICH_ORDERS) <= set(located.refs)
    assert "certificate:90000011" in located.refs
    assert f"organization:{RICH_ORGANIZATION}" in located.refs
    assert located.record_counts == {"ca_orders": 3, "ca_organizations": 1}
    assert all("@" not in ref for ref in located.refs)


async def test_locate_without_known_handles_finds_nothing(connector: CertCentralConnector) -> None:
    unknown = Hints(handles={"certcentral": ("order:49999999", "organization:799999")})

    assert not (await connector.locate(SubjectIdentifiers(), unknown)).found
    assert not (await connector.locate(SubjectIdentifiers(email="a@b.example"), Hints())).found


async def test_export_holds_requester_contacts_and_company_data(
    connector: CertCentralConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    sink = MemorySink()

    summary = await connector.export(located, sink)

    rich = admin_seed.rich_customer
    orders = {r["order_id"]: r for r in sink.datasets["ca_orders"]}
    assert summary.records == 4
    assert orders[40000010]["requester"]["email"] == rich.email
    assert orders[40000011]["validation"] == "OV"
    assert orders[40000011]["organization_contact"]["email"] == rich.email
    # Another person: the customer's developer ordered the mail certificate.
    assert orders[40000016]["requester"]["email"] != rich.email
    [organization] = sink.datasets["ca_organizations"]
    engine = create_admin_engine(admin_db_url)
    with engine.connect() as db:
        company = db.scalar(select(customers.c.company).where(customers.c.id == 1))
    engine.dispose()
    assert organization["name"] == company
    assert organization["organization_contact"]["email"] == rich.email


async def test_plan_acts_on_orders_and_organisation_and_refuses_certificate_contents(
    connector: CertCentralConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)

    plan = await connector.plan_erasure(located, RetentionPolicy(), date.today())

    actions = {item.category: item for item in plan.items}
    assert actions["ca_orders"].action is PlanAction.ACT
    assert actions["ca_orders"].basis == (
        "Revoke 3 active certificate(s) once the CA administrator approves."
        " Then delete the organisation."
    )
    assert actions["ca_organizations"].action is PlanAction.ACT
    refused = actions["certificate_contents"]
    assert refused.action is PlanAction.REFUSE
    assert "Certificate Transparency" in refused.basis
    assert "validation records" in refused.basis
    assert len(plan.active_services) == 3
    assert all(s.startswith("SSL certificate ") for s in plan.active_services)


async def test_organisation_refused_while_orders_are_active_then_deleted_after_revocation(
    connector: CertCentralConnector,
    certcentral_sim: CertCentralSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    refused = api(certcentral_sim, "DELETE", f"organization/{RICH_ORGANIZATION}")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "organization_in_use"
    located = await locate_rich(connector, admin_db_url, admin_seed)

    outcome = await erase(connector, located)

    assert outcome.status is OutcomeStatus.PENDING
    assert outcome.channel is ConfirmationChannel.TICKET
    assert outcome.expected_by is not None
    assert "Certificate Transparency" in outcome.detail
    assert outcome.external_ref is not None
    assert await connector.check_pending(outcome.external_ref) is None
    assert RICH_ORGANIZATION in certcentral_sim.state.organizations
    for request_id in request_ids(outcome):
        certcentral_sim.approve(request_id)

    confirmation = await connector.check_pending(outcome.external_ref)

    assert confirmation is not None and confirmation.succeeded
    assert confirmation.confirmed_by == "CertCentral requests 1, 2, 3 approved"
    assert "Certificate Transparency" in confirmation.detail
    assert RICH_ORGANIZATION not in certcentral_sim.state.organizations
    assert {certcentral_sim.state.orders[int(r[6:])].status for r in RICH_ORDERS} == {"revoked"}
    gone = api(certcentral_sim, "GET", f"organization/{RICH_ORGANIZATION}")
    assert gone.json()["errors"][0]["code"] == "not_found|organization"


async def test_revocation_confirmed_after_the_auto_approve_delay(
    certcentral_factory: Callable[..., CertCentralSimulator],
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    sim = certcentral_factory(auto_approve_after=0.5)
    conn = CertCentralConnector(sim.url, CERTCENTRAL_API_KEY)
    outcome = await erase(conn, await locate_rich(conn, admin_db_url, admin_seed))
    assert outcome.external_ref is not None
    assert await conn.check_pending(outcome.external_ref) is None

    await asyncio.sleep(0.6)
    confirmation = await conn.check_pending(outcome.external_ref)

    assert confirmation is not None and confirmation.succeeded
    assert RICH_ORGANIZATION not in sim.state.organizations
    await conn.aclose()


async def test_a_rejected_revocation_fails_the_confirmation_and_keeps_the_organisation(
    connector: CertCentralConnector,
    certcentral_sim: CertCentralSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    outcome = await erase(connector, await locate_rich(connector, admin_db_url, admin_seed))
    first, *others = request_ids(outcome)
    certcentral_sim.reject(first)
    for request_id in others:
        certcentral_sim.approve(request_id)
    assert outcome.external_ref is not None

    confirmation = await connector.check_pending(outcome.external_ref)

    assert confirmation is not None and not confirmation.succeeded
    assert "rejected the revocation" in confirmation.detail
    assert "Certificate Transparency" in confirmation.detail
    assert confirmation.confirmed_by == f"CertCentral request {first} rejected"
    assert RICH_ORGANIZATION in certcentral_sim.state.organizations


async def test_an_order_added_meanwhile_keeps_the_organisation_and_says_why(
    connector: CertCentralConnector,
    certcentral_sim: CertCentralSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    outcome = await erase(connector, await locate_rich(connector, admin_db_url, admin_seed))
    for request_id in request_ids(outcome):
        certcentral_sim.approve(request_id)
    state = certcentral_sim.state
    newer = replace(state.orders[40000016], id=40000019, status="issued", request_ids=[])
    state.orders[newer.id] = newer
    assert outcome.external_ref is not None

    confirmation = await connector.check_pending(outcome.external_ref)

    assert confirmation is not None and not confirmation.succeeded
    assert f"refused to delete organisation(s) {RICH_ORGANIZATION}" in confirmation.detail
    assert RICH_ORGANIZATION in state.organizations


async def test_erase_is_idempotent(
    connector: CertCentralConnector,
    certcentral_sim: CertCentralSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)

    first = await erase(connector, located)
    again = await erase(connector, located)

    assert again.status is OutcomeStatus.PENDING
    assert again.external_ref == first.external_ref
    assert len(certcentral_sim.state.requests) == 3
    for request_id in request_ids(first):
        certcentral_sim.approve(request_id)
    done = await erase(connector, located)
    repeated = await erase(connector, located)
    assert done.status is repeated.status is OutcomeStatus.DONE
    assert done.detail == repeated.detail
    assert RICH_ORGANIZATION not in certcentral_sim.state.organizations
    assert len(certcentral_sim.state.requests) == 3


async def test_expired_certificates_are_erased_at_once(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, admin_db_url: str
) -> None:
    subject = SubjectIdentifiers(customer_number=f"C{100000 + EXPIRED_ONLY_CUSTOMER}")
    located = await connector.locate(subject, await hints_of(admin_db_url, subject))
    plan = await connector.plan_erasure(located, RetentionPolicy(), date.today())

    outcome = await connector.erase(located, plan)

    assert located.found
    assert plan.active_services == ()
    assert outcome.status is OutcomeStatus.DONE
    assert "cannot erase" in outcome.detail
    assert certcentral_sim.state.requests == {}


async def test_rate_limited_then_retried_after_the_indicated_delay(
    certcentral_factory: Callable[..., CertCentralSimulator],
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    sim = certcentral_factory(rate_limits=((5, 1.0),))
    conn = CertCentralConnector(sim.url, CERTCENTRAL_API_KEY)
    hints = await hints_of(admin_db_url, SubjectIdentifiers(email=admin_seed.rich_customer.email))
    for _ in range(5):
        assert api(sim, "GET", "order/certificate/40000010").status_code == 200
    said = api(sim, "GET", "order/certificate/40000010")
    assert said.status_code == 429
    assert said.json()["errors"][0]["code"] == "request_limit_exceeded"

    with pytest.raises(RateLimited) as limited:
        await conn.locate(SubjectIdentifiers(), hints)

    assert limited.value.retry_after == float(said.headers["Retry-After"]) == 1.0
    await asyncio.sleep(limited.value.retry_after)
    assert (await conn.locate(SubjectIdentifiers(), hints)).found
    await conn.aclose()


async def test_a_wrong_api_key_is_refused_clearly(
    certcentral_sim: CertCentralSimulator, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    conn = CertCentralConnector(certcentral_sim.url, "not-the-key")
    hints = await hints_of(admin_db_url, SubjectIdentifiers(email=admin_seed.rich_customer.email))

    with pytest.raises(AuthenticationFailed) as refused:
        await conn.locate(SubjectIdentifiers(), hints)

    assert "DSR_CERTCENTRAL_API_KEY" in str(refused.value)
    assert "@" not in str(refused.value) and "not-the-key" not in str(refused.value)
    assert api(certcentral_sim, "GET", "order/certificate").status_code == 200
    await conn.aclose()


async def test_an_unreachable_ca_is_unavailable() -> None:
    conn = CertCentralConnector(f"http://127.0.0.1:{free_port()}", CERTCENTRAL_API_KEY)
    hints = Hints(handles={"certcentral": ("order:40000010",)})

    with pytest.raises(SystemUnavailable):
        await conn.locate(SubjectIdentifiers(), hints)
    await conn.aclose()


def test_skip_approval_revokes_at_once(certcentral_sim: CertCentralSimulator) -> None:
    response = api(
        certcentral_sim, "PUT", "certificate/90000010/revoke", json={"skip_approval": True}
    )

    assert response.status_code == 204
    assert certcentral_sim.state.orders[40000010].status == "revoked"
    assert certcentral_sim.state.requests == {}
    again = api(certcentral_sim, "PUT", "certificate/90000010/revoke", json={})
    assert again.status_code == 400


async def test_revocation_asks_for_approval_and_sends_the_key() -> None:
    seen: list[httpx.Request] = []
    order = {
        "id": 7,
        "status": "issued",
        "certificate": {"id": 9, "common_name": "www.example.nl", "valid_till": "2999-01-01"},
        "requests": [],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":
            return httpx.Response(200, json=order)
        return httpx.Response(201, json={"id": 42, "type": "revoke", "status": "pending"})

    conn = CertCentralConnector("https://ca.example", "k", transport=httpx.MockTransport(answer))
    located = Located(connector="certcentral", found=True, refs=("order:7", "certificate:9"))

    outcome = await erase(conn, located)

    revoke = seen[-1]
    assert (revoke.method, revoke.url.path) == ("PUT", "/services/v2/certificate/9/revoke")
    assert revoke.headers["X-DC-DEVKEY"] == "k"
    assert "skip_approval" not in json.loads(revoke.content)
    assert outcome.external_ref == "request:42"
    await conn.aclose()

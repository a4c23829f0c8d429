"""The ARIN connector against the Reg-RWS simulator over real HTTP."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from connectors.arin import ArinConnector
from connectors.base import Connector, TicketPolling
from connectors.billing import BillingConnector
from connectors.billing.wire import create_admin_engine
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
from simulators.arin import ArinSimulator
from simulators.billing import SeedSummary
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.arin import (
    ARIN_API_KEY,
    ARIN_COMPANY_POC,
    NS,
    RecordingTransport,
    configure,
    error_code,
    links,
    poc_status,
    resolve,
)

TODAY = date(2026, 11, 22)
RICH_POC, RICH_ORG, RICH_NET = "FJ1-ARIN", "ORG-C100001", "NET-104-207-1-0-1"


def make_connector(
    simulator: ArinSimulator,
    *,
    api_key: str = ARIN_API_KEY,
    report_wait: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ArinConnector:
    return ArinConnector(
        simulator.url,
        api_key,
        ARIN_COMPANY_POC,
        report_wait=report_wait,
        poll_interval=0.02,
        transport=transport,
    )


@pytest.fixture
async def connector(arin_simulator: ArinSimulator) -> AsyncIterator[ArinConnector]:
    conn = make_connector(arin_simulator)
    yield conn
    await conn.aclose()


def located(*handles: str) -> Located:
    return Located("arin", True, tuple(f"poc:{h}" for h in handles), {"arin_pocs": len(handles)})


async def erase(connector: ArinConnector, found: Located) -> Outcome:
    return await connector.erase(
        found, await connector.plan_erasure(found, RetentionPolicy(), TODAY)
    )


def test_implements_the_connector_contract_and_ticket_polling() -> None:
    conn = ArinConnector.create(Settings(arin_url="http://127.0.0.1:1"))
    assert isinstance(conn, Connector)
    assert isinstance(conn, TicketPolling)
    assert conn.name == "arin"


async def test_locate_finds_the_poc_billing_names(
    connector: ArinConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    billing = BillingConnector(create_admin_engine(admin_db_url))
    rich = admin_seed.rich_customer
    hints = (await billing.locate(SubjectIdentifiers(email=rich.email), Hints())).hints
    await billing.aclose()

    found = await connector.locate(SubjectIdentifiers(email=rich.email), hints)

    assert hints.handles["arin"] == (RICH_POC,)
    assert found.found
    assert found.refs == (f"poc:{RICH_POC}",)
    assert found.record_counts == {"arin_pocs": 1}
    assert all("@" not in ref for ref in found.refs)


async def test_locate_reports_unknown_handles_as_not_found(connector: ArinConnector) -> None:
    found = await connector.locate(SubjectIdentifiers(), Hints(handles={"arin": ("ZZ999-ARIN",)}))
    nothing = await connector.locate(SubjectIdentifiers(), Hints())

    assert not found.found and found.refs == ()
    assert not nothing.found
    assert (await erase(connector, nothing)).status is OutcomeStatus.NOT_FOUND


async def test_export_writes_the_poc_and_its_links(
    connector: ArinConnector, admin_seed: SeedSummary
) -> None:
    sink = MemorySink()

    summary = await connector.export(located(RICH_POC), sink)

    [poc] = sink.datasets["arin_pocs"]
    assert poc["handle"] == RICH_POC
    assert poc["emails"] == [admin_seed.rich_customer.email]
    assert f"{poc['first_name']} {poc['last_name']}" == admin_seed.rich_customer.name
    assert poc["country"] == "NL" and poc["street_address"] and poc["phones"]
    assert {(r["resource_handle"], r["function"]) for r in sink.datasets["arin_links"]} == {
        (RICH_ORG, "AD"),
        (RICH_ORG, "T"),
        (RICH_NET, "T"),
    }
    assert summary.records == 4


async def test_export_retries_while_the_report_is_pending_then_reads_the_same_ticket(
    arin_simulator: ArinSimulator, arin_rest: httpx.AsyncClient
) -> None:
    await configure(arin_rest, ticket_delay=60)
    slow, sink = make_connector(arin_simulator, report_wait=0.1), MemorySink()
    with pytest.raises(SystemUnavailable, match="has not processed") as pending:
        await slow.export(located(RICH_POC), sink)
    [ticket] = arin_simulator.registry.tickets

    await resolve(arin_rest, ticket)
    await slow.export(located(RICH_POC), sink)  # the activity's retry, on the same worker
    await slow.aclose()

    assert ticket in str(pending.value)
    assert list(arin_simulator.registry.tickets) == [ticket]
    assert {r["report_ticket"] for r in sink.datasets["arin_links"]} == {ticket}


async def test_referenced_poc_is_refused_then_unlinked_and_deleted(
    connector: ArinConnector, arin_rest: httpx.AsyncClient
) -> None:
    other_tech = next(
        h for f, h in await links(arin_rest, "org", RICH_ORG) if f == "T" and h != RICH_POC
    )
    refused = await arin_rest.delete(f"/rest/poc/{RICH_POC}")
    admin_kept = await arin_rest.delete(
        f"/rest/org/{RICH_ORG}/poc/{RICH_POC}", params={"pocFunction": "AD"}
    )

    outcome = await erase(connector, located(RICH_POC))

    assert (refused.status_code, error_code(refused)) == (409, "E_NOT_REMOVEABLE")
    assert (admin_kept.status_code, error_code(admin_kept)) == (409, "E_NOT_REMOVEABLE")
    assert outcome.status is OutcomeStatus.DONE
    assert await poc_status(arin_rest, RICH_POC) == 404
    # The Admin POC is handed over, the other person stays the Org's Tech and the Net's NOC.
    assert await links(arin_rest, "org", RICH_ORG) == {("AD", ARIN_COMPANY_POC), ("T", other_tech)}
    assert await links(arin_rest, "net", RICH_NET) == {("AB", ARIN_COMPANY_POC), ("N", other_tech)}


async def test_last_tech_poc_is_replaced_by_the_company_poc_before_removal(
    arin_simulator: ArinSimulator, connector: ArinConnector, arin_rest: httpx.AsyncClient
) -> None:
    org = next(
        o
        for o in arin_simulator.registry.orgs.values()
        if o.links == [("AD", o.links[0][1]), ("T", o.links[0][1])] and o.handle.startswith("ORG-")
    )
    poc = org.links[0][1]
    last_tech = await arin_rest.delete(
        f"/rest/org/{org.handle}/poc/{poc}", params={"pocFunction": "T"}
    )

    outcome = await erase(connector, located(poc))

    assert (last_tech.status_code, error_code(last_tech)) == (409, "E_NOT_REMOVEABLE")
    assert outcome.status is OutcomeStatus.DONE
    assert await links(arin_rest, "org", org.handle) == {
        ("AD", ARIN_COMPANY_POC),
        ("T", ARIN_COMPANY_POC),
    }
    assert await poc_status(arin_rest, poc) == 404


async def test_erase_is_pending_on_the_ticket_then_confirmed_by_polling(
    arin_simulator: ArinSimulator, arin_rest: httpx.AsyncClient
) -> None:
    await configure(arin_rest, ticket_delay=60)
    conn = make_connector(arin_simulator, report_wait=0.1)

    outcome = await erase(conn, located(RICH_POC))
    [ticket] = arin_simulator.registry.tickets
    still_pending = await conn.check_pending(outcome.external_ref or "")
    kept_meanwhile = await poc_status(arin_rest, RICH_POC)
    await resolve(arin_rest, ticket)
    confirmation = await conn.check_pending(outcome.external_ref or "")
    repeated = await conn.check_pending(outcome.external_ref or "")
    await conn.aclose()

    assert outcome.status is OutcomeStatus.PENDING
    assert outcome.channel is ConfirmationChannel.TICKET
    assert outcome.external_ref == f"ticket:{ticket}"
    assert outcome.expected_by is not None
    assert still_pending is None and kept_meanwhile == 200
    assert confirmation is not None and confirmation.succeeded
    assert confirmation.confirmed_by == f"ARIN ticket {ticket}"
    assert repeated is not None and repeated.succeeded
    assert await poc_status(arin_rest, RICH_POC) == 404
    assert ("AD", ARIN_COMPANY_POC) in await links(arin_rest, "org", RICH_ORG)


async def test_ticket_resolves_by_itself_after_the_configured_delay(
    arin_simulator: ArinSimulator, arin_rest: httpx.AsyncClient
) -> None:
    await configure(arin_rest, ticket_delay=0.3)
    conn = make_connector(arin_simulator, report_wait=0.0)

    outcome = await erase(conn, located(RICH_POC))
    await asyncio.sleep(0.4)
    confirmation = await conn.check_pending(outcome.external_ref or "")
    await conn.aclose()

    assert outcome.status is OutcomeStatus.PENDING
    assert confirmation is not None and confirmation.succeeded
    assert await poc_status(arin_rest, RICH_POC) == 404


async def test_a_link_the_report_missed_fails_the_confirmation(
    arin_simulator: ArinSimulator, arin_rest: httpx.AsyncClient
) -> None:
    await configure(arin_rest, ticket_delay=60)
    conn = make_connector(arin_simulator, report_wait=0.0)
    outcome = await erase(conn, located(RICH_POC))
    [ticket] = arin_simulator.registry.tickets
    await resolve(arin_rest, ticket)
    await arin_rest.put(f"/rest/net/NET-104-207-0-0-1/poc/{RICH_POC}", params={"pocFunction": "N"})

    confirmation = await conn.check_pending(outcome.external_ref or "")
    await conn.aclose()

    assert confirmation is not None and not confirmation.succeeded
    assert ticket in confirmation.detail and "by hand" in confirmation.detail
    assert await poc_status(arin_rest, RICH_POC) == 200


async def test_rate_limit_answers_retry_after_then_the_call_succeeds(
    arin_simulator: ArinSimulator, arin_rest: httpx.AsyncClient
) -> None:
    await configure(arin_rest, rate_limit=1, rate_window=1)
    transport = RecordingTransport()
    conn = make_connector(arin_simulator, transport=transport)
    hints = Hints(handles={"arin": (RICH_POC,)})
    await arin_rest.get(f"/rest/poc/{RICH_POC}")  # spends the window's only request

    with pytest.raises(RateLimited) as limited:
        await conn.locate(SubjectIdentifiers(), hints)
    said = transport.responses[-1]
    await asyncio.sleep(limited.value.retry_after)
    found = await conn.locate(SubjectIdentifiers(), hints)
    await conn.aclose()

    assert said.status_code == 429 and error_code(said) == "E_UNSPECIFIED"
    assert limited.value.retry_after == float(said.headers["retry-after"]) == 1.0
    assert found.found


async def test_wrong_api_key_fails_with_a_clear_message(arin_simulator: ArinSimulator) -> None:
    conn = make_connector(arin_simulator, api_key="API-WRONG")

    with pytest.raises(AuthenticationFailed) as refused:
        await conn.locate(SubjectIdentifiers(), Hints(handles={"arin": (RICH_POC,)}))
    await conn.aclose()

    message = str(refused.value)
    assert "DSR_ARIN_API_KEY" in message
    assert "@" not in message and "API-WRONG" not in message and RICH_POC not in message


def test_simulator_takes_the_key_as_query_parameter_too(arin_simulator: ArinSimulator) -> None:
    url = f"{arin_simulator.url}/rest/poc/{RICH_POC}"

    with_key = httpx.get(url, params={"apikey": ARIN_API_KEY})
    without = httpx.get(url)

    assert with_key.status_code == 200
    assert (without.status_code, error_code(without)) == (401, "E_AUTHENTICATION")


async def test_erase_is_idempotent(connector: ArinConnector, arin_rest: httpx.AsyncClient) -> None:
    first = await erase(connector, located(RICH_POC))
    second = await erase(connector, located(RICH_POC))

    assert first.status is second.status is OutcomeStatus.DONE
    assert first.detail == second.detail
    assert await poc_status(arin_rest, RICH_POC) == 404


async def test_plan_acts_on_the_pocs_and_names_the_admin_handover(
    connector: ArinConnector,
) -> None:
    plan = await connector.plan_erasure(located(RICH_POC), RetentionPolicy(), TODAY)

    [item] = plan.items
    assert (item.category, item.action, item.records) == ("arin_pocs", PlanAction.ACT, 1)
    assert ARIN_COMPANY_POC in item.basis


async def test_put_with_emails_and_phones_replaces_all_of_them(
    arin_rest: httpx.AsyncClient,
) -> None:
    payload = (
        '<poc xmlns="http://www.arin.net/regrws/core/v1"><emails><email>a@example.org</email>'
        "<email>b@example.org</email></emails><phones/></poc>"
    )

    changed = await arin_rest.put(f"/rest/poc/{RICH_POC}", content=payload.encode())

    poc = ET.fromstring((await arin_rest.get(f"/rest/poc/{RICH_POC}")).content)
    assert changed.status_code == 200
    assert [e.text for e in poc.iter(f"{NS}email")] == ["a@example.org", "b@example.org"]
    assert list(poc.iter(f"{NS}phone")) == []
    assert poc.findtext(f"{NS}city")


async def test_requests_carry_the_api_key_and_escaped_handles() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    conn = ArinConnector(
        "https://reg.ote.arin.net", "API-KEY-1", ARIN_COMPANY_POC,
        transport=httpx.MockTransport(handler),
    )  # fmt: skip
    await conn.locate(SubjectIdentifiers(), Hints(handles={"arin": ("A/B-ARIN",)}))
    await conn.aclose()

    [request] = seen
    assert request.headers["authorization"] == "ApiKey API-KEY-1"
    assert request.url.raw_path == b"/rest/poc/A%2FB-ARIN"

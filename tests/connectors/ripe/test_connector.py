"""The RIPE connector against the RIPE Database simulator over real HTTP.

RIPE answers every update synchronously: there are no callbacks and no pending state, so the
"pending, then confirmed later" case does not apply to this system. In its place these tests
cover RIPE's `dry-run` (nothing changes) and the refusal to delete a person that is still
referenced, followed by the unlink-then-delete path.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest

from connectors.base import Connector
from connectors.billing import BillingConnector
from connectors.billing.wire import create_admin_engine
from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable
from connectors.ripe import RipeConnector, create
from connectors.ripe.connector import ERASURE_REASON
from domain.records import (
    ConnectorPlan,
    Located,
    OutcomeStatus,
    PlanAction,
    PlanItem,
)
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from simulators.billing import SeedSummary
from simulators.ripe import RipeSimulator
from simulators.ripe.data import DRY_RUN, IN_USE, RpslObject
from simulators.serving import free_port
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.ripe import RIPE_KEY_ID, RIPE_KEY_SECRET

TODAY = date(2026, 11, 22)
ROLE = "HST1-RIPE"


@pytest.fixture
async def connector(ripe_simulator: RipeSimulator) -> AsyncIterator[RipeConnector]:
    conn = RipeConnector(ripe_simulator.url, RIPE_KEY_ID, RIPE_KEY_SECRET, company_role=ROLE)
    yield conn
    await conn.aclose()


async def billing_hints(admin_db_url: str, email: str) -> Hints:
    """What discovery hands the RIPE connector: the administration's hints for the subject."""
    billing = BillingConnector(create_admin_engine(admin_db_url))
    try:
        return (await billing.locate(SubjectIdentifiers(email=email), Hints())).hints
    finally:
        await billing.aclose()


async def locate_rich(connector: RipeConnector, admin_db_url: str, seed: SeedSummary) -> Located:
    email = seed.rich_customer.email
    return await connector.locate(
        SubjectIdentifiers(email=email), await billing_hints(admin_db_url, email)
    )


def person_handle(located: Located) -> str:
    return next(r.removeprefix("person:") for r in located.refs if r.startswith("person:"))


def network_of(sim: RipeSimulator, located: Located) -> RpslObject:
    key = next(r.removeprefix("inetnum:") for r in located.refs if r.startswith("inetnum:"))
    found = sim.object("inetnum", key)
    assert found is not None
    return found


def approved_plan() -> ConnectorPlan:
    """A plan as an officer approved it, made without asking RIPE (no dry-run)."""
    return ConnectorPlan("ripe", (PlanItem("ripe_persons", PlanAction.ACT, 1),))


def company_key() -> str:
    return "Basic " + base64.b64encode(f"{RIPE_KEY_ID}:{RIPE_KEY_SECRET}".encode()).decode()


async def erase(connector: RipeConnector, located: Located) -> tuple[OutcomeStatus, str]:
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)
    outcome = await connector.erase(located, plan)
    return outcome.status, outcome.detail


def test_implements_the_connector_contract() -> None:
    conn = create(Settings(ripe_url="http://127.0.0.1:1"))
    assert isinstance(conn, Connector)
    assert conn.name == "ripe"


async def test_locate_finds_the_customer_by_handle_and_what_names_them(
    connector: RipeConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    hints = await billing_hints(admin_db_url, admin_seed.rich_customer.email)
    handle = hints.handles["ripe"][0]

    located = await connector.locate(SubjectIdentifiers(), Hints(handles={"ripe": (handle,)}))

    assert located.found
    assert located.refs[0] == f"person:{handle}"
    kinds = sorted(r.split(":", 1)[0] for r in located.refs)
    assert kinds == ["inetnum", "organisation", "person"]
    assert located.record_counts == {"ripe_persons": 1, "ripe_references": 2}
    assert all("@" not in ref for ref in located.refs)


async def test_locate_finds_another_contact_person_by_email(
    connector: RipeConnector, ripe_simulator: RipeSimulator, admin_seed: SeedSummary
) -> None:
    contact = next(c for c in admin_seed.contacts if c.customer_id == 1 and c.role == "technical")

    located = await connector.locate(SubjectIdentifiers(email=contact.email), Hints())

    assert located.found
    person = ripe_simulator.object("person", person_handle(located))
    assert person is not None and person.value("e-mail") == contact.email
    assert all("@" not in ref for ref in located.refs)


async def test_locate_reports_an_unknown_subject_as_not_found(connector: RipeConnector) -> None:
    located = await connector.locate(
        SubjectIdentifiers(email="nobody@example.org"), Hints(handles={"ripe": ("NOPE1-RIPE",)})
    )

    assert not located.found
    assert located.refs == ()


async def test_export_writes_every_attribute_and_every_reference(
    connector: RipeConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    sink = MemorySink()

    summary = await connector.export(located, sink)

    [person] = sink.datasets["ripe_persons"]
    assert person["e-mail"] == admin_seed.rich_customer.email
    assert person["person"] == admin_seed.rich_customer.name
    assert isinstance(person["address"], list) and len(person["address"]) == 3
    references = {(r["object_type"], r["attribute"]) for r in sink.datasets["ripe_references"]}
    assert references == {
        ("inetnum", "admin-c"),
        ("inetnum", "tech-c"),
        ("organisation", "admin-c"),
    }
    assert summary.records == 4


async def test_dry_run_changes_nothing(
    connector: RipeConnector,
    ripe_simulator: RipeSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = person_handle(located)
    before = list(network_of(ripe_simulator, located).attributes)
    person = f"{ripe_simulator.url}/RIPE/person/{handle}"

    async with httpx.AsyncClient(headers={"Accept": "application/json"}) as http:
        trial = await http.delete(
            person,
            params={"reason": "trial", "dry-run": ""},
            headers={"Authorization": company_key()},
        )
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)

    assert trial.status_code == 400
    texts = [m["text"] for m in trial.json()["errormessages"]["errormessage"]]
    assert texts == [IN_USE, DRY_RUN]
    assert [i.action for i in plan.items] == [PlanAction.ACT, PlanAction.ACT]
    assert "RIPE NCC keeps the history" in plan.items[-1].basis
    assert ripe_simulator.object("person", handle) is not None
    assert network_of(ripe_simulator, located).attributes == before


async def test_refused_while_referenced_then_unlinked_and_deleted(
    connector: RipeConnector,
    ripe_simulator: RipeSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = person_handle(located)
    other_contacts = [
        v for v in network_of(ripe_simulator, located).values("tech-c") if v != handle
    ]

    async with httpx.AsyncClient(headers={"Accept": "application/json"}) as http:
        refused = await http.delete(
            f"{ripe_simulator.url}/RIPE/person/{handle}",
            params={"reason": "early"},
            headers={"Authorization": company_key()},
        )
    status, detail = await erase(connector, located)

    [error] = refused.json()["errormessages"]["errormessage"]
    assert refused.status_code == 400
    assert (error["text"], error["args"]) == (IN_USE, [{"value": "person"}, {"value": handle}])
    assert status is OutcomeStatus.DONE
    assert "1 person object(s) deleted" in detail and "2 object(s)" in detail
    assert admin_seed.rich_customer.name not in detail and "@" not in detail
    assert ripe_simulator.object("person", handle) is None
    network = network_of(ripe_simulator, located)
    assert network.values("admin-c") == [ROLE]
    assert network.values("tech-c") == [ROLE, *other_contacts]  # other contacts stay
    organisation = ripe_simulator.object("organisation", f"ORG-{handle.removesuffix('-RIPE')}-RIPE")
    assert organisation is not None and organisation.values("admin-c") == [ROLE]
    assert [(reason, obj.key) for _, reason, obj in ripe_simulator.state.db.deleted] == [
        (ERASURE_REASON, handle)
    ]


async def test_erase_is_idempotent(
    connector: RipeConnector, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)

    first = await erase(connector, located)
    again = await erase(connector, located)
    relocated = await locate_rich(connector, admin_db_url, admin_seed)

    assert first[0] is again[0] is OutcomeStatus.DONE
    assert first == again
    assert not relocated.found
    assert (await erase(connector, relocated))[0] is OutcomeStatus.NOT_FOUND


async def test_a_reference_by_another_maintainer_is_refused_with_the_reason(
    connector: RipeConnector,
    ripe_simulator: RipeSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await locate_rich(connector, admin_db_url, admin_seed)
    handle = person_handle(located)
    foreign = RpslObject("inetnum", [
        ("inetnum", "192.0.2.0 - 192.0.2.255"), ("netname", "OTHER-LIR"), ("country", "NL"),
        ("admin-c", handle), ("tech-c", handle), ("status", "ASSIGNED PA"),
        ("mnt-by", "OTHER-MNT"), ("source", "RIPE"),
    ])  # fmt: skip
    ripe_simulator.state.db.put(foreign)

    status, detail = await erase(connector, located)

    assert status is OutcomeStatus.REFUSED
    assert "other maintainers" in detail and admin_seed.rich_customer.name not in detail
    assert ripe_simulator.object("person", handle) is not None
    assert network_of(ripe_simulator, located).values("admin-c") == [ROLE]


async def test_rate_limited_until_midnight_then_retried(
    connector: RipeConnector,
    ripe_simulator: RipeSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    found = await billing_hints(admin_db_url, admin_seed.rich_customer.email)
    hints, subject = Hints(handles=found.handles), SubjectIdentifiers()
    # A locate reads the role (once per connector) and the person; like whois, the simulator
    # refuses every query once the day's allowance of person and role objects is used up.
    ripe_simulator.set_daily_limit(3)
    ripe_simulator.set_clock(datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC))
    await connector.locate(subject, hints)

    with pytest.raises(RateLimited) as limited:
        await connector.locate(subject, hints)
    await asyncio.sleep(limited.value.retry_after)
    located = await connector.locate(subject, hints)

    assert limited.value.retry_after == 1.0  # the seconds left until midnight, rounded up
    assert "@" not in str(limited.value)
    assert located.found


async def test_simulator_answers_429_with_retry_after_and_the_whois_text(
    ripe_simulator: RipeSimulator,
) -> None:
    ripe_simulator.set_daily_limit(0)
    ripe_simulator.set_clock(datetime(2026, 11, 22, 23, 0, 0, tzinfo=UTC))

    async with httpx.AsyncClient(headers={"Accept": "application/json"}) as http:
        answer = await http.get(f"{ripe_simulator.url}/RIPE/role/{ROLE}")

    assert answer.status_code == 429
    assert 3590 <= int(answer.headers["retry-after"]) <= 3600
    [error] = answer.json()["errormessages"]["errormessage"]
    assert error["text"].startswith("ERROR:201: access denied for %s")


async def test_a_wrong_api_key_fails_authentication_without_personal_data(
    ripe_simulator: RipeSimulator, admin_db_url: str, admin_seed: SeedSummary
) -> None:
    wrong = RipeConnector(ripe_simulator.url, RIPE_KEY_ID, "not-the-secret", company_role=ROLE)
    try:
        located = await locate_rich(wrong, admin_db_url, admin_seed)  # queries are public
        with pytest.raises(AuthenticationFailed) as failed:
            await wrong.plan_erasure(located, RetentionPolicy(), TODAY)
        with pytest.raises(AuthenticationFailed):
            await wrong.erase(located, approved_plan())
    finally:
        await wrong.aclose()

    message = str(failed.value)
    assert "DSR_RIPE_KEY_ID" in message and "DSR_RIPE_KEY_SECRET" in message
    assert "@" not in message and admin_seed.rich_customer.name not in message
    assert ripe_simulator.object("person", person_handle(located)) is not None


async def test_an_unreachable_database_is_unavailable() -> None:
    conn = RipeConnector(f"http://127.0.0.1:{free_port()}", RIPE_KEY_ID, RIPE_KEY_SECRET)
    try:
        with pytest.raises(SystemUnavailable):
            await conn.locate(SubjectIdentifiers(email="someone@example.org"), Hints())
    finally:
        await conn.aclose()


def whois_object(object_type: str, attributes: list[tuple[str, str]]) -> dict[str, object]:
    key_name = "nic-hdl" if object_type in ("person", "role") else object_type
    key = next(v for n, v in attributes if n == key_name)
    return {
        "type": object_type,
        "primary-key": {"attribute": [{"name": key_name, "value": key}]},
        "attributes": {"attribute": [{"name": n, "value": v} for n, v in attributes]},
    }


async def test_requests_are_built_as_ripe_expects() -> None:
    role = whois_object("role", [("role", "NOC"), ("nic-hdl", ROLE), ("mnt-by", "CO-MNT")])
    network = whois_object("inetnum", [
        ("inetnum", "193.0.0.0 - 193.0.0.255"), ("admin-c", "JD1-RIPE"), ("tech-c", "JD1-RIPE"),
        ("tech-c", "AB2-RIPE"), ("mnt-by", "CO-MNT"), ("created", "2020-01-01T00:00:00Z"),
        ("source", "RIPE"),
    ])  # fmt: skip
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        found = {"/RIPE/role/HST1-RIPE": role, "/search.json": network}.get(request.url.path)
        if request.method == "GET":
            return httpx.Response(200 if found else 404, json={"objects": {"object": [found]}})
        return httpx.Response(200, json={})

    conn = RipeConnector(
        "https://rest.db.ripe.net", "key-id", "secret", transport=httpx.MockTransport(answer)
    )
    try:
        await conn.erase(Located("ripe", True, refs=("person:JD1-RIPE",)), approved_plan())
    finally:
        await conn.aclose()

    lookup, search, put, delete = seen[:4]
    assert lookup.url.params["unfiltered"] == ""
    assert search.url.params.get_list("inverse-attribute") == ["admin-c", "tech-c", "zone-c"]
    assert search.url.params.get_list("flags") == ["no-referenced", "no-filtering"]
    assert put.url.path == "/RIPE/inetnum/193.0.0.0 - 193.0.0.255"
    assert put.headers["content-type"] == "application/json"
    [sent] = json.loads(put.content)["objects"]["object"]
    assert [(a["name"], a["value"]) for a in sent["attributes"]["attribute"]] == [
        ("inetnum", "193.0.0.0 - 193.0.0.255"), ("admin-c", ROLE), ("tech-c", ROLE),
        ("tech-c", "AB2-RIPE"), ("mnt-by", "CO-MNT"), ("source", "RIPE"),
    ]  # fmt: skip
    assert (delete.method, delete.url.path) == ("DELETE", "/RIPE/person/JD1-RIPE")
    assert delete.url.params["reason"] == ERASURE_REASON
    assert delete.headers["authorization"] == "Basic " + base64.b64encode(b"key-id:secret").decode()
    assert all(r.headers["accept"] == "application/json" for r in seen)

"""The registrar connector against the Openprovider-style simulator over real HTTP: locating,
exporting, and the protocol itself (login, rate limit, errors). Erasure: test_erasure.py."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from connectors.base import Connector
from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable
from connectors.registrar import RegistrarConnector, create
from connectors.registrar.connector import NAME
from domain.records import Located, OutcomeStatus
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from simulators.billing import SeedSummary
from simulators.registrar import RegistrarSimulator
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.registrar import (
    REGISTRAR_COMPANY_HANDLE as COMPANY,
)
from tests.fixtures.registrar import REGISTRAR_TODAY as TODAY
from tests.fixtures.registrar import (
    REGISTRAR_USERNAME,
    billing_hints,
    erase,
    freelancer_email,
    locate_rich,
    raw,
    sim_config,
)


@pytest.fixture
def connector(registrar_connector: RegistrarConnector) -> RegistrarConnector:
    return registrar_connector


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

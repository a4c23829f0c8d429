"""Rectification, restriction and objection at ARIN, against the Reg-RWS simulator over HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.arin import ArinConnector
from connectors.arin.rights import arin_phone
from domain.datasets import portable_names
from domain.records import OutcomeStatus
from domain.rights import Purpose, parse_changes
from simulators.arin import ArinSimulator
from simulators.arin.data import Poc
from simulators.billing import SeedSummary
from tests.connectors.arin.test_connector import RICH_POC, located, make_connector
from tests.fixtures.arin import NS, RecordingTransport, error_code

CORRECTIONS = (
    "email=anna@example.com", "phone=+1.3025550199", "street=200 Market Street",
    "city=Philadelphia", "postcode=19103", "country=US", "company=Wit Hosting LLC",
)  # fmt: skip


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
async def connector(
    arin_simulator: ArinSimulator, transport: RecordingTransport
) -> AsyncIterator[ArinConnector]:
    conn = make_connector(arin_simulator, transport=transport)
    yield conn
    await conn.aclose()


@pytest.fixture
def poc(arin_simulator: ArinSimulator) -> Poc:
    """The rich customer's POC as the registry holds it (the live object: it changes)."""
    return arin_simulator.registry.pocs[RICH_POC]


def puts(transport: RecordingTransport) -> int:
    return sum(r.request.method == "PUT" for r in transport.responses)


def components(response: httpx.Response) -> list[str | None]:
    return [c.findtext(f"{NS}name") for c in ET.fromstring(response.content).iter(f"{NS}component")]


def test_arin_is_a_controller_of_its_own(connector: ArinConnector) -> None:
    assert portable_names(connector.datasets) == frozenset()


async def test_rectify_puts_the_whole_corrected_poc_back_once(
    connector: ArinConnector, transport: RecordingTransport, admin_seed: SeedSummary, poc: Poc
) -> None:
    name = (poc.first_name, poc.last_name)

    outcome = await connector.rectify(located(RICH_POC), parse_changes(CORRECTIONS))
    again = await connector.rectify(located(RICH_POC), parse_changes(CORRECTIONS))

    assert outcome.status is OutcomeStatus.DONE
    assert (poc.emails, poc.phones) == (["anna@example.com"], ["+1-3025550199"])
    assert (poc.street, poc.city, poc.postal_code, poc.country) == (
        ["200 Market Street"], "Philadelphia", "19103", "US",
    )  # fmt: skip
    assert poc.company_name == "Wit Hosting LLC"
    assert (poc.first_name, poc.last_name) == name
    assert "email, phone, street, postcode, city, country, company" in outcome.detail
    for value in ("anna", "555", "Market", "Philadelphia", "19103", "Wit"):
        assert value not in outcome.detail
    assert admin_seed.rich_customer.name not in outcome.detail
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert puts(transport) == 1  # the retry found everything corrected and sent nothing


async def test_a_new_name_is_refused_by_arin_and_named_in_the_detail(
    connector: ArinConnector, arin_rest: httpx.AsyncClient, poc: Poc
) -> None:
    name, emails = (poc.first_name, poc.last_name), list(poc.emails)
    payload = ET.fromstring((await arin_rest.get(f"/rest/poc/{RICH_POC}")).content)
    payload.find(f"{NS}firstName").text = "Anna"  # type: ignore[union-attr]
    payload.find(f"{NS}emails/{NS}email").text = "anna@example.com"  # type: ignore[union-attr]

    renamed = await arin_rest.put(f"/rest/poc/{RICH_POC}", content=ET.tostring(payload))
    only_name = await connector.rectify(located(RICH_POC), parse_changes(["name=Anna de Wit"]))

    assert renamed.status_code == 400 and error_code(renamed) == "E_ENTITY_VALIDATION"
    assert components(renamed) == ["firstName"]
    assert ((poc.first_name, poc.last_name), poc.emails) == (name, emails)  # nothing changed
    assert only_name.status is OutcomeStatus.REFUSED
    assert "new POC" in only_name.detail and "Anna" not in only_name.detail


async def test_the_rest_is_corrected_when_the_name_cannot_be(
    connector: ArinConnector, poc: Poc
) -> None:
    name = (poc.first_name, poc.last_name)

    outcome = await connector.rectify(
        located(RICH_POC), parse_changes(["name=Anna de Wit", "email=anna@example.com"])
    )

    assert outcome.status is OutcomeStatus.DONE
    assert "corrected fields: email." in outcome.detail and "new POC" in outcome.detail
    assert (poc.first_name, poc.last_name) == name and poc.emails == ["anna@example.com"]


async def test_arin_refuses_a_poc_without_email_or_with_a_malformed_phone(
    arin_rest: httpx.AsyncClient, poc: Poc
) -> None:
    before = (list(poc.emails), list(poc.phones), poc.city)
    payload = (
        f'<poc xmlns="{NS[1:-1]}"><city>Elsewhere</city><emails/><phones><phone><type>'
        "<code>O</code></type><number>+31.20.555</number></phone></phones></poc>"
    )

    refused = await arin_rest.put(f"/rest/poc/{RICH_POC}", content=payload.encode())

    assert refused.status_code == 400 and error_code(refused) == "E_ENTITY_VALIDATION"
    assert components(refused) == ["emails", "number"]
    assert (poc.emails, poc.phones, poc.city) == before  # all or nothing


async def test_a_poc_gone_since_it_was_located_is_not_found(
    connector: ArinConnector, arin_simulator: ArinSimulator
) -> None:
    outcome = await connector.rectify(located("ZZ999-ARIN"), parse_changes(["city=Dover"]))

    assert outcome.status is OutcomeStatus.NOT_FOUND
    assert "ZZ999-ARIN" not in arin_simulator.registry.pocs


async def test_restriction_is_unsupported_and_says_why(
    connector: ArinConnector, arin_simulator: ArinSimulator, transport: RecordingTransport
) -> None:
    outcome = await connector.restrict(located(RICH_POC))

    assert outcome.status is OutcomeStatus.UNSUPPORTED
    assert "public registry" in outcome.detail and "ARIN" in outcome.detail
    assert transport.responses == []  # nothing asked of ARIN


async def test_objection_is_answered_as_not_processed(connector: ArinConnector) -> None:
    outcome = await connector.object_to(located(RICH_POC), (Purpose.PROFILING,))

    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert "profiling" in outcome.detail


@pytest.mark.parametrize(
    ("given", "arin"),
    [("+31.201234567", "+31-201234567"), ("+1 302 555 0100", "+1-302-555-0100")],
)
def test_phone_numbers_are_written_as_arin_takes_them(given: str, arin: str) -> None:
    assert arin_phone(given) == arin

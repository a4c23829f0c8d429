"""Rectification, restriction and objection in the RIPE Database, against the simulator over HTTP.

RIPE answers a modify synchronously: a PUT of the whole person object, authorised by the
API key of a maintainer in its `mnt-by`. Its refusals are real here: no renaming of a person,
no change by another maintainer's object, whois syntax for phone and e-mail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from connectors.ripe import RipeConnector
from domain.datasets import portable_names
from domain.records import Located, OutcomeStatus
from domain.rights import Purpose, parse_changes
from simulators.billing import SeedSummary
from simulators.ripe import RipeSimulator
from simulators.ripe.data import AUTH_FAILED, NAME_CHANGED, RpslObject
from simulators.ripe.updates import LATIN1_CONVERSION, SYNTAX_ERROR
from tests.connectors.ripe.test_connector import ROLE, company_key, locate_rich, person_handle
from tests.fixtures.ripe import RIPE_KEY_ID, RIPE_KEY_SECRET


@pytest.fixture
async def connector(ripe_simulator: RipeSimulator) -> AsyncIterator[RipeConnector]:
    conn = RipeConnector(ripe_simulator.url, RIPE_KEY_ID, RIPE_KEY_SECRET, company_role=ROLE)
    yield conn
    await conn.aclose()


@pytest.fixture
async def rich(connector: RipeConnector, admin_db_url: str, admin_seed: SeedSummary) -> Located:
    return await locate_rich(connector, admin_db_url, admin_seed)


def person(sim: RipeSimulator, located: Located) -> RpslObject:
    found = sim.object("person", person_handle(located))
    assert found is not None
    return found


async def put_person(sim: RipeSimulator, obj: RpslObject, **replace: str) -> httpx.Response:
    """A PUT of the person as a test writes it, with some attributes' values replaced."""
    attributes = [
        {"name": n, "value": replace.get(n.replace("-", "_"), v)}
        for n, v in obj.attributes
        if n not in ("created", "last-modified")
    ]
    body = {"objects": {"object": [{"type": "person", "attributes": {"attribute": attributes}}]}}
    async with httpx.AsyncClient(headers={"Accept": "application/json"}) as http:
        return await http.put(
            f"{sim.url}/RIPE/person/{obj.key}", json=body, headers={"Authorization": company_key()}
        )


def texts(response: httpx.Response) -> list[str]:
    body: dict[str, Any] = response.json()
    return [m["text"] for m in body.get("errormessages", {}).get("errormessage", [])]


def test_ripe_ncc_is_a_controller_of_its_own(connector: RipeConnector) -> None:
    assert portable_names(connector.datasets) == frozenset()


async def test_rectify_puts_the_corrected_person_back_once(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located, admin_seed: SeedSummary
) -> None:
    before = person(ripe_simulator, rich)
    changes = parse_changes([
        "email=anna@example.be", "phone=+32.25550199", "street=Rue Neuve 12",
        "postcode=1000", "city=Brussel", "country=BE",
    ])  # fmt: skip

    outcome = await connector.rectify(rich, changes)
    after = person(ripe_simulator, rich)
    again = await connector.rectify(rich, changes)

    assert outcome.status is OutcomeStatus.DONE
    assert after.values("e-mail") == ["anna@example.be"]
    assert after.values("phone") == ["+32.25550199"]
    assert after.values("address") == ["Rue Neuve 12", "1000 Brussel", "Belgium"]
    assert after.value("person") == before.value("person")
    for kept in ("nic-hdl", "mnt-by", "created", "source"):
        assert after.values(kept) == before.values(kept)
    assert after.value("last-modified") != before.value("last-modified")
    assert "email, phone, street, postcode, city, country" in outcome.detail
    for value in ("anna", "555", "Rue Neuve", "1000", "Brussel", "Belgium", "+32"):
        assert value not in outcome.detail
    assert admin_seed.rich_customer.name not in outcome.detail
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert person(ripe_simulator, rich) is after  # nothing differed, so nothing was PUT


async def test_a_partial_address_correction_keeps_the_rest_of_its_line(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    street, town, country = person(ripe_simulator, rich).values("address")
    postcode = town.rsplit(" ", 1)[0]  # the seed's cities are one word

    outcome = await connector.rectify(rich, parse_changes(["city=Haarlem"]))

    assert outcome.status is OutcomeStatus.DONE
    assert person(ripe_simulator, rich).values("address") == [
        street,
        f"{postcode} Haarlem",
        country,
    ]


async def test_renaming_is_refused_by_ripe_and_named_in_the_detail(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    before = person(ripe_simulator, rich)

    refused = await put_person(ripe_simulator, before, person="Anna de Wit")
    recased = await put_person(ripe_simulator, before, person=before.value("person").upper())
    outcome = await connector.rectify(rich, parse_changes(["name=Anna de Wit"]))

    assert refused.status_code == 400 and texts(refused) == [NAME_CHANGED]
    assert recased.status_code == 200  # whois compares names case-insensitively
    assert outcome.status is OutcomeStatus.REFUSED
    assert "does not allow a person object to be renamed" in outcome.detail
    assert "Anna" not in outcome.detail
    assert person(ripe_simulator, rich).value("person") == before.value("person").upper()


async def test_name_refused_but_email_corrected_is_done_and_says_both(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    name = person(ripe_simulator, rich).value("person")

    outcome = await connector.rectify(rich, parse_changes(["name=Anna de Wit", "email=a@b.nl"]))

    assert outcome.status is OutcomeStatus.DONE
    assert "corrected fields: email." in outcome.detail and "renamed" in outcome.detail
    assert person(ripe_simulator, rich).values("e-mail") == ["a@b.nl"]
    assert person(ripe_simulator, rich).value("person") == name


async def test_a_person_maintained_by_others_is_not_ours_to_change(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    ripe_simulator.state.db.put(RpslObject("mntner", [
        ("mntner", "OTHER-MNT"), ("admin-c", ROLE), ("auth", "SSO other@example.net"),
        ("mnt-by", "OTHER-MNT"), ("source", "RIPE"),
    ]))  # fmt: skip
    theirs = person(ripe_simulator, rich)
    theirs.attributes = [(n, "OTHER-MNT" if n == "mnt-by" else v) for n, v in theirs.attributes]
    email = theirs.values("e-mail")

    attempt = await put_person(ripe_simulator, theirs, e_mail="a@b.nl")
    outcome = await connector.rectify(rich, parse_changes(["email=a@b.nl"]))

    assert attempt.status_code == 401 and texts(attempt)[0] == AUTH_FAILED
    assert outcome.status is OutcomeStatus.REFUSED
    assert "maintained by others" in outcome.detail and "@" not in outcome.detail
    assert person(ripe_simulator, rich).values("e-mail") == email


async def test_characters_outside_latin1_arrive_as_question_marks(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    outcome = await connector.rectify(rich, parse_changes(["city=Łódź"]))
    stored = person(ripe_simulator, rich)
    again = await connector.rectify(rich, parse_changes(["city=Łódź"]))

    assert outcome.status is OutcomeStatus.DONE and "Latin-1" in outcome.detail
    assert stored.values("address")[1].endswith(" ?ód?")
    assert again.detail == outcome.detail and person(ripe_simulator, rich) is stored


async def test_whois_checks_phone_syntax_and_warns_about_latin1(
    ripe_simulator: RipeSimulator, rich: Located
) -> None:
    before = person(ripe_simulator, rich)

    bad_phone = await put_person(ripe_simulator, before, phone="call me after six")
    converted = await put_person(ripe_simulator, before, address="Ulica Łąkowa 1")

    assert bad_phone.status_code == 400 and texts(bad_phone) == [SYNTAX_ERROR]
    assert converted.status_code == 200 and texts(converted) == [LATIN1_CONVERSION]
    assert person(ripe_simulator, rich).values("phone") == before.values("phone")


async def test_restriction_is_unsupported_and_says_why(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    before = list(person(ripe_simulator, rich).attributes)

    outcome = await connector.restrict(rich)

    assert outcome.status is OutcomeStatus.UNSUPPORTED
    assert "public registry" in outcome.detail and "RIPE NCC" in outcome.detail
    assert person(ripe_simulator, rich).attributes == before


async def test_objection_is_answered_as_not_processed(
    connector: RipeConnector, rich: Located
) -> None:
    outcome = await connector.object_to(rich, (Purpose.DIRECT_MARKETING,))

    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert "direct marketing" in outcome.detail


async def test_company_field_alone_changes_nothing_in_ripe(
    connector: RipeConnector, ripe_simulator: RipeSimulator, rich: Located
) -> None:
    before = person(ripe_simulator, rich)

    outcome = await connector.rectify(rich, parse_changes(["company=Wit Hosting B.V."]))

    assert outcome.status is OutcomeStatus.DONE and "none of the corrected" in outcome.detail
    assert person(ripe_simulator, rich) is before

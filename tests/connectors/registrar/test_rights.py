"""Rectification, restriction, objection and portability at the registrar, against the
Openprovider-style simulator over real HTTP; each test reads the simulator's state afterwards."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connectors.registrar import RegistrarConnector
from connectors.registrar.connector import NAME
from domain.datasets import portable_names
from domain.records import Located, OutcomeStatus
from domain.rights import Changes, Field, Purpose
from domain.subject import Hints, SubjectIdentifiers
from simulators.billing import SeedSummary
from simulators.registrar import RegistrarSimulator
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.registrar import (
    freelancer_email,
    locate_rich,
    raw,
    sim_state,
    vendor_token,
)

NEW_CONTACT = {
    Field.EMAIL: "fleur.new@example.org",
    Field.PHONE: "+31 20 7654321",
    Field.STREET: "Prinsengracht 263a",
    Field.POSTCODE: "1016 GV",
    Field.CITY: "Amsterdam",
}


@pytest.fixture
def connector(registrar_connector: RegistrarConnector) -> RegistrarConnector:
    return registrar_connector


@pytest.fixture
async def rich(
    connector: RegistrarConnector, admin_db_url: str, admin_seed: SeedSummary
) -> Located:
    """The rich customer's handles and their domains at the registrar."""
    return await locate_rich(connector, admin_db_url, admin_seed)


def customer(sim: RegistrarSimulator, located: Located) -> dict[str, Any]:
    """The subject's (first) handle as the simulator holds it now."""
    record: dict[str, Any] = sim.state.customers[located.refs[0].removeprefix("customer:")]
    return record


def handle_with_domains(sim: RegistrarSimulator, wanted: set[tuple[str, str]]) -> str:
    """A handle that owns domains with exactly these (extension, status) and holds no other role."""
    for handle in sim.state.customers:
        held = [d for d in sim.state.domains.values() if handle in d.handles().values()]
        owned = [d for d in held if d.owner_handle == handle]
        if held and owned == held and {(d.extension, d.status) for d in held} == wanted:
            return handle
    raise AssertionError(f"No seeded handle owns only {wanted}.")


def assert_no_values(detail: str, values: dict[Field, str]) -> None:
    for value in values.values():
        assert value.lower() not in detail.lower()


async def test_rectify_modifies_email_phone_and_address_of_the_handle(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, rich: Located
) -> None:
    before = copy.deepcopy(customer(registrar_sim, rich))

    outcome = await connector.rectify(rich, Changes(dict(NEW_CONTACT)))

    assert outcome.status is OutcomeStatus.DONE
    assert "email, phone, street, postcode and city" in outcome.detail
    assert "1 contact handle" in outcome.detail
    assert_no_values(outcome.detail, NEW_CONTACT)
    after = customer(registrar_sim, rich)
    assert after["email"] == "fleur.new@example.org"
    assert after["phone"] == {
        "country_code": "+31",
        "area_code": "20",
        "subscriber_number": "7654321",
    }
    assert after["address"] == {
        "street": "Prinsengracht", "number": "263", "suffix": "a", "zipcode": "1016 GV",
        "city": "Amsterdam", "state": "", "country": before["address"]["country"],
    }  # fmt: skip
    assert after["name"] == before["name"]
    assert after["company_name"] == before["company_name"]


async def test_the_name_of_a_handle_is_refused_and_the_other_fields_still_change(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, rich: Located
) -> None:
    handle = rich.refs[0].removeprefix("customer:")
    before = copy.deepcopy(customer(registrar_sim, rich))
    token = await vendor_token(registrar_sim)
    rename = {"name": {"first_name": "Floor", "last_name": "Jansen"}}
    refused = await raw(registrar_sim, "PUT", f"/v1beta/customers/{handle}", token, json=rename)
    assert refused.status_code == 400
    assert refused.json()["code"] != 0
    assert "cannot be changed" in refused.json()["desc"]
    changes = {Field.NAME: "Floor Jansen-de Vries", Field.EMAIL: "floor@example.org"}

    outcome = await connector.rectify(rich, Changes(dict(changes)))

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail.startswith("Corrected email on 1 contact handle")
    assert "The name could not be changed" in outcome.detail
    assert "new handle" in outcome.detail
    assert_no_values(outcome.detail, changes)
    after = customer(registrar_sim, rich)
    assert after["email"] == "floor@example.org"
    assert after["name"] == before["name"]


async def test_only_fixed_fields_to_correct_is_refused_and_changes_nothing(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, rich: Located
) -> None:
    before = copy.deepcopy(customer(registrar_sim, rich))
    changes = Changes({Field.NAME: "Floor Jansen", Field.COMPANY: "Zon & Maan B.V."})

    outcome = await connector.rectify(rich, changes)

    assert outcome.status is OutcomeStatus.REFUSED
    assert outcome.detail.startswith("The name and company could not be changed")
    assert "Zon" not in outcome.detail
    assert customer(registrar_sim, rich) == before


async def test_rectify_is_idempotent(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, rich: Located
) -> None:
    changes = Changes({**NEW_CONTACT, Field.NAME: "Floor Jansen"})

    first = await connector.rectify(rich, changes)
    after_first = copy.deepcopy(customer(registrar_sim, rich))
    again = await connector.rectify(rich, changes)

    assert first.status is again.status is OutcomeStatus.DONE
    assert first.detail == again.detail
    assert customer(registrar_sim, rich) == after_first


async def test_rectify_changes_only_the_contact_persons_own_handle(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, admin_seed: SeedSummary
) -> None:
    located = await connector.locate(
        SubjectIdentifiers(email=freelancer_email(admin_seed)), Hints()
    )
    others = {
        h: copy.deepcopy(c)
        for h, c in registrar_sim.state.customers.items()
        if f"customer:{h}" not in located.refs
    }

    outcome = await connector.rectify(located, Changes({Field.PHONE: "+31.612345678"}))

    assert outcome.status is OutcomeStatus.DONE
    assert customer(registrar_sim, located)["phone"] == {
        "country_code": "+31",
        "area_code": "",
        "subscriber_number": "612345678",
    }
    assert {h: c for h, c in registrar_sim.state.customers.items() if h in others} == others


async def test_rectify_of_a_handle_deleted_meanwhile_is_not_found(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator
) -> None:
    handle = handle_with_domains(registrar_sim, {("com", "DEL"), ("eu", "DEL")})
    located = await connector.locate(SubjectIdentifiers(), Hints(handles={NAME: (handle,)}))
    del registrar_sim.state.customers[handle]

    outcome = await connector.rectify(located, Changes({Field.CITY: "Utrecht"}))

    assert outcome.status is OutcomeStatus.NOT_FOUND
    assert handle not in registrar_sim.state.customers


async def test_restrict_turns_on_whois_privacy_where_the_extension_offers_it(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, rich: Located
) -> None:
    handle = rich.refs[0].removeprefix("customer:")
    before = copy.deepcopy(registrar_sim.state.customers[handle])

    first = await connector.restrict(rich)
    again = await connector.restrict(rich)

    assert first.status is again.status is OutcomeStatus.DONE
    assert first.detail == again.detail
    assert "must keep using your contact handle" in first.detail
    assert "WHOIS privacy for 1 domain." in first.detail
    assert "does not offer WHOIS privacy for 1 domain ending in .eu" in first.detail
    privacy = {
        d["domain"]["extension"]: d["is_private_whois_enabled"]
        for d in (await sim_state(registrar_sim))["domains"]
        if f"domain:{d['id']}" in rich.refs
    }
    assert privacy == {"com": True, "eu": False}
    # The handle is still processed for the registrations: it stays as it was.
    assert registrar_sim.state.customers[handle] == before


async def test_restrict_covers_others_domains_where_the_subject_is_a_contact(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, admin_seed: SeedSummary
) -> None:
    located = await connector.locate(
        SubjectIdentifiers(email=freelancer_email(admin_seed)), Hints()
    )
    handle = located.refs[0].removeprefix("customer:")

    outcome = await connector.restrict(located)

    assert outcome.status is OutcomeStatus.DONE
    domains = [d for d in registrar_sim.state.domains.values() if handle in d.handles().values()]
    assert {(d.extension, d.is_private_whois_enabled) for d in domains} == {
        ("com", True),
        ("eu", False),
    }
    assert all(d.owner_handle != handle for d in domains)


async def test_restrict_with_only_eu_domains_is_unsupported(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator
) -> None:
    handle = handle_with_domains(registrar_sim, {("eu", "ACT")})
    located = await connector.locate(SubjectIdentifiers(), Hints(handles={NAME: (handle,)}))
    token = await vendor_token(registrar_sim)
    [domain_id] = [d.id for d in registrar_sim.state.domains.values() if d.owner_handle == handle]
    body = {"is_private_whois_enabled": True}
    refused = await raw(registrar_sim, "PUT", f"/v1beta/domains/{domain_id}", token, json=body)
    assert (refused.status_code, refused.json()["desc"]) == (
        400,
        "Whois privacy protection is not available for .eu domains.",
    )

    outcome = await connector.restrict(located)

    assert outcome.status is OutcomeStatus.UNSUPPORTED
    assert "does not offer WHOIS privacy for 1 domain ending in .eu" in outcome.detail
    assert registrar_sim.state.domains[domain_id].is_private_whois_enabled is False


async def test_restrict_without_active_domains_is_unsupported(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator
) -> None:
    handle = handle_with_domains(registrar_sim, {("com", "DEL"), ("eu", "DEL")})
    located = await connector.locate(SubjectIdentifiers(), Hints(handles={NAME: (handle,)}))
    before = (await sim_state(registrar_sim))["domains"]

    outcome = await connector.restrict(located)

    assert outcome.status is OutcomeStatus.UNSUPPORTED
    assert "no active domain of yours" in outcome.detail
    assert (await sim_state(registrar_sim))["domains"] == before


async def test_objection_is_not_processed_for_and_changes_nothing(
    connector: RegistrarConnector, registrar_sim: RegistrarSimulator, rich: Located
) -> None:
    before = await sim_state(registrar_sim)
    purposes = (Purpose.DIRECT_MARKETING, Purpose.PROFILING)

    outcome = await connector.object_to(rich, purposes)

    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert outcome.detail == "This system does not process data for: direct marketing, profiling."
    assert await sim_state(registrar_sim) == before


async def test_only_the_handle_data_is_portable(
    connector: RegistrarConnector, rich: Located
) -> None:
    sink = MemorySink()

    await connector.export(rich, sink)

    assert portable_names(connector.datasets) == frozenset({"registrar_customers"})
    assert portable_names(connector.datasets) < set(sink.datasets)

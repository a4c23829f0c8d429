"""Rectification, restriction, objection and portability at the CA, against the CertCentral
simulator over real HTTP; each test reads the simulator's state afterwards."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from connectors.certcentral import CertCentralConnector
from connectors.errors import RateLimited
from domain.datasets import portable_names
from domain.records import Located, OutcomeStatus
from domain.rights import Changes, Field, Purpose
from domain.subject import SubjectIdentifiers
from simulators.billing import SeedSummary
from simulators.certcentral import CertCentralSimulator
from simulators.certcentral.data import CertCentralState, Person
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.certcentral import CERTCENTRAL_API_KEY, api, hints_of, locate_rich

RICH_ORGANIZATION = 700001
DV_ORDER, OV_ORDER, MAIL_ORDER = 40000010, 40000011, 40000016  # the mail order: the developer's
EXPIRED_ONLY_CUSTOMER = 21  # a closed account whose one DV certificate has expired
CORRECTED = {
    Field.NAME: "Floor Jansen-de Vries",
    Field.EMAIL: "floor.devries@example.org",
    Field.PHONE: "+31.207654321",
}


@pytest.fixture
async def connector(certcentral_sim: CertCentralSimulator) -> AsyncIterator[CertCentralConnector]:
    conn = CertCentralConnector(certcentral_sim.url, CERTCENTRAL_API_KEY)
    yield conn
    await conn.aclose()


@pytest.fixture
async def rich(
    connector: CertCentralConnector, admin_db_url: str, admin_seed: SeedSummary
) -> Located:
    """The rich customer's orders, organisations and contacts at the CA."""
    return await locate_rich(connector, admin_db_url, admin_seed)


def snapshot(state: CertCentralState) -> dict[str, Any]:
    """Orders, organisations and requests as they stand, to compare before and after."""
    with state.lock:
        return copy.deepcopy(
            {"orders": state.orders, "orgs": state.organizations, "requests": state.requests}
        )


def holds_corrected(person: Person | None) -> bool:
    assert person is not None
    return (person.first_name, person.last_name, person.email, person.telephone) == (
        "Floor",
        "Jansen-de Vries",
        "floor.devries@example.org",
        "+31.207654321",
    )


async def test_locate_marks_only_the_subjects_own_contact_records(rich: Located) -> None:
    assert {r for r in rich.refs if r.startswith("contact:")} == {
        f"contact:organization:{RICH_ORGANIZATION}:organization_contact",
        f"contact:order:{DV_ORDER}:requester",
        f"contact:order:{OV_ORDER}:organization_contact",
        f"contact:order:{OV_ORDER}:requester",
        f"contact:order:{MAIL_ORDER}:organization_contact",
    }
    assert all("@" not in ref for ref in rich.refs)


async def test_rectify_corrects_the_organisation_and_order_contacts(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, rich: Located
) -> None:
    state = certcentral_sim.state
    before = snapshot(state)

    outcome = await connector.rectify(rich, Changes(dict(CORRECTED)))

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail.startswith("Corrected name, email and phone on 3 contact records")
    assert "cannot change the organisation's validated telephone" in outcome.detail
    assert "the requester named on 2 orders" in outcome.detail
    assert "Certificate Transparency" in outcome.detail
    assert all(v.lower() not in outcome.detail.lower() for v in CORRECTED.values())
    organization = state.organizations[RICH_ORGANIZATION]
    assert holds_corrected(organization.contact)
    # The organisation endpoint drops omitted fields: the job title was sent along and kept.
    assert organization.contact.job_title == before["orgs"][RICH_ORGANIZATION].contact.job_title
    assert organization.technical == before["orgs"][RICH_ORGANIZATION].technical
    assert organization.telephone == before["orgs"][RICH_ORGANIZATION].telephone
    assert holds_corrected(state.orders[OV_ORDER].organization_contact)
    assert holds_corrected(state.orders[MAIL_ORDER].organization_contact)
    for order_id in (DV_ORDER, OV_ORDER, MAIL_ORDER):
        old, new = before["orders"][order_id], state.orders[order_id]
        # Other people's contact records, and the requesters, stay as they were.
        assert (new.technical_contact, new.requester) == (old.technical_contact, old.requester)
        assert (new.common_name, new.status) == (old.common_name, old.status)
    assert state.orders[DV_ORDER].organization_contact is None


async def test_rectify_is_idempotent(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, rich: Located
) -> None:
    first = await connector.rectify(rich, Changes(dict(CORRECTED)))
    after_first = snapshot(certcentral_sim.state)
    again = await connector.rectify(rich, Changes(dict(CORRECTED)))

    assert first.status is again.status is OutcomeStatus.DONE
    assert first.detail == again.detail
    assert snapshot(certcentral_sim.state) == after_first


async def test_validated_organisation_data_is_refused_and_unchanged(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, rich: Located
) -> None:
    before = snapshot(certcentral_sim.state)
    changes = Changes({Field.COMPANY: "Zon & Maan B.V.", Field.CITY: "Utrecht"})

    outcome = await connector.rectify(rich, changes)

    assert outcome.status is OutcomeStatus.REFUSED
    assert outcome.detail.startswith(
        "It cannot change the organisation's validated name and address, and issued "
        "certificates and the public Certificate Transparency logs keep the details"
    )
    assert snapshot(certcentral_sim.state) == before


async def test_on_a_dv_order_the_technical_contact_changes_and_the_requester_stays(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, admin_db_url: str
) -> None:
    subject = SubjectIdentifiers(customer_number=f"C{100000 + EXPIRED_ONLY_CUSTOMER}")
    located = await connector.locate(subject, await hints_of(admin_db_url, subject))
    [order_id] = [int(r.removeprefix("order:")) for r in located.refs if r.startswith("order:")]
    before = copy.deepcopy(certcentral_sim.state.orders[order_id])

    outcome = await connector.rectify(located, Changes({Field.EMAIL: "new@example.org"}))

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail == (
        "Corrected email on 1 contact record at the CA. It cannot change the requester named on "
        "1 order, and issued certificates and the public Certificate Transparency logs keep the "
        "details they were issued with."
    )
    after = certcentral_sim.state.orders[order_id]
    assert after.technical_contact.email == "new@example.org"
    assert after.technical_contact.first_name == before.technical_contact.first_name
    assert after.requester == before.requester
    assert after.organization_contact is None


async def test_the_simulator_refuses_what_the_vendor_refuses(
    certcentral_sim: CertCentralSimulator,
) -> None:
    person = {"first_name": "A", "last_name": "B", "email": "a.b@example.org"}
    on_dv = {"contacts": [{**person, "contact_type": "organization_contact"}]}
    twice = {"contacts": [{**person, "contact_type": "technical_contact"}] * 2}
    bare_org = {"contacts": [{"contact_type": "organization_contact"}]}
    before = snapshot(certcentral_sim.state)

    dv = api(certcentral_sim, "PUT", f"order/certificate/{DV_ORDER}/contact", json=on_dv)
    duplicate = api(certcentral_sim, "PUT", f"organization/{RICH_ORGANIZATION}/contact", json=twice)
    removal = api(
        certcentral_sim, "PUT", f"organization/{RICH_ORGANIZATION}/contact", json=bare_org
    )

    assert (dv.status_code, dv.json()["errors"][0]["code"]) == (400, "invalid_contact_type")
    assert duplicate.json()["errors"][0]["code"] == "contact_type_duplicate"
    assert removal.status_code == 400
    assert snapshot(certcentral_sim.state) == before


async def test_rectify_is_rate_limited_then_retried_after_the_indicated_delay(
    certcentral_factory: Callable[..., CertCentralSimulator],
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    sim = certcentral_factory(rate_limits=((8, 1.0),))
    conn = CertCentralConnector(sim.url, CERTCENTRAL_API_KEY)
    located = await locate_rich(conn, admin_db_url, admin_seed)
    await asyncio.sleep(1.0)
    for _ in range(8):
        assert api(sim, "GET", f"order/certificate/{OV_ORDER}").status_code == 200

    with pytest.raises(RateLimited) as limited:
        await conn.rectify(located, Changes(dict(CORRECTED)))

    assert limited.value.retry_after >= 1.0
    assert not holds_corrected(sim.state.organizations[RICH_ORGANIZATION].contact)
    await asyncio.sleep(limited.value.retry_after)
    assert (await conn.rectify(located, Changes(dict(CORRECTED)))).status is OutcomeStatus.DONE
    assert holds_corrected(sim.state.organizations[RICH_ORGANIZATION].contact)
    await conn.aclose()


async def test_restrict_is_unsupported_and_changes_nothing(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, rich: Located
) -> None:
    before = snapshot(certcentral_sim.state)

    outcome = await connector.restrict(rich)

    assert outcome.status is OutcomeStatus.UNSUPPORTED
    assert "CA/Browser Forum" in outcome.detail
    assert "Certificate Transparency" in outcome.detail
    assert snapshot(certcentral_sim.state) == before


async def test_objection_is_not_processed_for_and_changes_nothing(
    connector: CertCentralConnector, certcentral_sim: CertCentralSimulator, rich: Located
) -> None:
    before = snapshot(certcentral_sim.state)

    outcome = await connector.object_to(rich, (Purpose.DIRECT_MARKETING, Purpose.OTHER))

    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert outcome.detail == "This system does not process data for: direct marketing, other."
    assert snapshot(certcentral_sim.state) == before


async def test_nothing_is_portable_from_an_independent_controller(
    connector: CertCentralConnector, rich: Located
) -> None:
    sink = MemorySink()

    await connector.export(rich, sink)

    assert portable_names(connector.datasets) == frozenset()
    assert {"ca_orders", "ca_organizations"} <= set(sink.datasets)

"""Rectification, restriction and objection at the EPP registry, against the simulator over TLS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.epp import EppRegistryConnector, create, wire
from connectors.epp.client import (
    AuthorizationRefused,
    CommandRefused,
    EppConfig,
    EppPollReader,
    ObjectNotFound,
    ObjectStatusProhibits,
    open_session,
)
from domain.datasets import portable_names
from domain.records import ConfirmationChannel, Located, OutcomeStatus
from domain.rights import Purpose, parse_changes
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from simulators.billing import SeedSummary
from simulators.epp import EppSimulator
from simulators.epp.data import Contact
from tests.fixtures.epp import RICH_HANDLE, hints_of, raw_contact_update

EVERYTHING_PUBLISHED = {"name", "org", "addr", "voice", "fax", "email"}
CORRECTIONS = (
    "name=Anna de Wit", "email=Anna.de.Wit@example.nl", "phone=+31.205550199",
    "street=Prinsengracht 263", "postcode=1016 GV", "city=Amsterdam",
)  # fmt: skip


@pytest.fixture
def connector(epp_settings: Settings) -> EppRegistryConnector:
    return create(epp_settings)


@pytest.fixture
async def rich(connector: EppRegistryConnector, admin_db_url: str) -> Located:
    """The rich customer's contacts and domains at the registry, located through their hints."""
    return await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))


@pytest.fixture
def contact(epp_simulator: EppSimulator) -> Contact:
    """The rich customer's contact as the registry holds it (the live object: it changes)."""
    return epp_simulator.registry.contacts[RICH_HANDLE]


def test_the_registry_is_a_controller_of_its_own(connector: EppRegistryConnector) -> None:
    assert portable_names(connector.datasets) == frozenset()


async def test_rectify_changes_the_contact_at_the_registry_once(
    connector: EppRegistryConnector, admin_seed: SeedSummary, rich: Located, contact: Contact
) -> None:
    country, org = contact.cc, contact.org

    outcome = await connector.rectify(rich, parse_changes(CORRECTIONS))
    updated = contact.updated
    again = await connector.rectify(rich, parse_changes(CORRECTIONS))

    assert outcome.status is OutcomeStatus.DONE
    assert (contact.name, contact.email, contact.voice) == (
        "Anna de Wit", "anna.de.wit@example.nl", "+31.205550199",
    )  # fmt: skip
    assert (contact.street, contact.pc, contact.city) == (
        ["Prinsengracht 263"],
        "1016 GV",
        "Amsterdam",
    )
    assert (contact.cc, contact.org) == (country, org)  # not corrected, so left as they were
    assert "name, email address, phone number, street, postcode and city" in outcome.detail
    for value in ("Anna", "Wit", "example.nl", "555", "Prinsengracht", "1016", "Amsterdam"):
        assert value not in outcome.detail
    assert admin_seed.rich_customer.name not in outcome.detail
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert contact.updated == updated  # the retry found nothing to change and sent nothing


async def test_rectify_writes_accented_letters_in_ascii_for_the_int_form(
    connector: EppRegistryConnector, epp_simulator: EppSimulator, rich: Located
) -> None:
    outcome = await connector.rectify(rich, parse_changes(["name=Zoë Ørsted-Straße"]))

    assert outcome.status is OutcomeStatus.DONE
    assert epp_simulator.registry.contacts[RICH_HANDLE].name == "Zoe Orsted-Strasse"
    assert "plain ASCII letters" in outcome.detail and "Zo" not in outcome.detail


async def test_pending_update_is_confirmed_through_the_poll_queue(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    rich: Located,
    contact: Contact,
) -> None:
    epp_simulator.set_pending_updates(True)
    before = contact.email
    changes = parse_changes(["email=anna@example.nl"])

    outcome = await connector.rectify(rich, changes)
    again = await connector.rectify(rich, changes)

    assert outcome.status is OutcomeStatus.PENDING
    assert outcome.channel is ConfirmationChannel.POLL_QUEUE
    assert outcome.external_ref == f"contact:{RICH_HANDLE}"
    assert outcome.expected_by is not None and outcome.at is not None
    assert outcome.expected_by - outcome.at == timedelta(days=5)
    assert (again.status, again.external_ref) == (OutcomeStatus.PENDING, outcome.external_ref)
    assert contact.email == before and "pendingUpdate" in contact.statuses
    assert "@" not in outcome.detail and "poll queue" in outcome.detail

    assert epp_simulator.resolve_pending() == [RICH_HANDLE]
    reader = EppPollReader(epp_config)
    message = await reader.read()
    assert message is not None
    await reader.ack(message.id)
    await reader.aclose()

    assert (message.external_ref, message.pa_result) == (outcome.external_ref, True)
    assert contact.email == "anna@example.nl" and "pendingUpdate" not in contact.statuses
    assert (await connector.rectify(rich, changes)).status is OutcomeStatus.DONE


async def test_rejected_update_leaves_the_contact_as_it_was(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    rich: Located,
    contact: Contact,
) -> None:
    epp_simulator.set_pending_updates(True)
    before = contact.name
    assert (await connector.rectify(rich, parse_changes(["name=Anna de Wit"]))).status is (
        OutcomeStatus.PENDING
    )

    epp_simulator.resolve_pending(RICH_HANDLE, approve=False)
    reader = EppPollReader(epp_config)
    message = await reader.read()
    await reader.aclose()

    assert message is not None and message.pa_result is False
    assert contact.name == before and not contact.statuses & {"pendingUpdate"}


async def test_registry_refuses_updates_as_rfc_5733_has_it(
    epp_simulator: EppSimulator, epp_config: EppConfig, contact: Contact
) -> None:
    before = (contact.name, contact.city, contact.voice, contact.updated)
    postal = '<contact:postalInfo type="{}"><contact:name>{}</contact:name></contact:postalInfo>'
    refusals = {
        "non-ASCII int form": (2005, postal.format("int", "Zoë")),
        "loc form this registry keeps none of": (2306, postal.format("loc", "Zoë")),
        "address without a city": (
            2003,
            '<contact:postalInfo type="int"><contact:addr><contact:street>Dam 1</contact:street>'
            "<contact:cc>NL</contact:cc></contact:addr></contact:postalInfo>",
        ),
        "voice not in +CC.number form": (2005, "<contact:voice>+31 20 555 0199</contact:voice>"),
    }
    async with open_session(epp_config) as epp:
        codes = {}
        for what, (_, chg) in refusals.items():
            with pytest.raises(CommandRefused) as refused:
                await epp.request(raw_contact_update(RICH_HANDLE, chg=chg), "contact update")
            codes[what] = refused.value.code
        with pytest.raises(ObjectNotFound):
            await epp.request(wire.contact_update("HST999999", email="a@b.nl"), "update")
        with pytest.raises(AuthorizationRefused):
            await epp.request(wire.contact_update("OTH000001", email="a@b.nl"), "update")

    assert codes == {what: code for what, (code, _) in refusals.items()}
    assert (contact.name, contact.city, contact.voice, contact.updated) == before
    assert epp_simulator.registry.contacts["OTH000001"].email != "a@b.nl"


async def test_contact_of_another_registrar_is_refused_and_left_alone(
    connector: EppRegistryConnector, epp_simulator: EppSimulator
) -> None:
    located = await connector.locate(
        SubjectIdentifiers(), Hints(handles={"registry-epp": ("OTH000001",)})
    )
    other = epp_simulator.registry.contacts["OTH000001"]
    before = (other.name, other.withheld.copy())

    rectified = await connector.rectify(located, parse_changes(["name=Anna de Wit"]))
    restricted = await connector.restrict(located)

    assert rectified.status is restricted.status is OutcomeStatus.REFUSED
    assert "another registrar" in rectified.detail and "another registrar" in restricted.detail
    assert (other.name, other.withheld) == before


async def test_update_prohibited_by_status_says_what_to_lift(
    connector: EppRegistryConnector, epp_config: EppConfig, rich: Located, contact: Contact
) -> None:
    async with open_session(epp_config) as epp:
        update = raw_contact_update(RICH_HANDLE, add_status="clientUpdateProhibited")
        await epp.request(update, "contact update")
    before = contact.name

    with pytest.raises(ObjectStatusProhibits) as refused:
        await connector.rectify(rich, parse_changes(["name=Anna de Wit"]))

    assert RICH_HANDLE in str(refused.value) and "update prohibition" in str(refused.value)
    assert "Anna" not in str(refused.value) and contact.name == before


async def test_restrict_withholds_every_published_element_and_keeps_the_data(
    connector: EppRegistryConnector, rich: Located, contact: Contact
) -> None:
    kept = (contact.name, contact.email, contact.street, contact.voice)
    assert contact.withheld != EVERYTHING_PUBLISHED

    outcome = await connector.restrict(rich)
    updated = contact.updated
    again = await connector.restrict(rich)

    assert outcome.status is OutcomeStatus.DONE
    assert contact.withheld == EVERYTHING_PUBLISHED
    assert (contact.name, contact.email, contact.street, contact.voice) == kept
    assert "keeps the data" in outcome.detail and "no longer publishes" in outcome.detail
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert contact.updated == updated


async def test_pending_restriction_is_withheld_once_the_registry_approves(
    connector: EppRegistryConnector, epp_simulator: EppSimulator, rich: Located, contact: Contact
) -> None:
    epp_simulator.set_pending_updates(True)

    outcome = await connector.restrict(rich)
    withheld_while_pending = set(contact.withheld)
    epp_simulator.resolve_pending(RICH_HANDLE)

    assert (outcome.status, outcome.external_ref) == (
        OutcomeStatus.PENDING, f"contact:{RICH_HANDLE}",
    )  # fmt: skip
    assert withheld_while_pending != EVERYTHING_PUBLISHED
    assert contact.withheld == EVERYTHING_PUBLISHED
    assert (await connector.restrict(rich)).status is OutcomeStatus.DONE


async def test_objection_is_answered_without_asking_the_registry(
    connector: EppRegistryConnector, rich: Located
) -> None:
    outcome = await connector.object_to(rich, (Purpose.DIRECT_MARKETING, Purpose.PROFILING))

    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert "direct marketing, profiling" in outcome.detail

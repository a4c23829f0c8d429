"""The EPP registry connector against the simulator, over TLS with client certificates."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.base import Connector
from connectors.epp import EppRegistryConnector, create, wire
from connectors.epp.client import (
    AuthorizationRefused,
    EppConfig,
    EppPollReader,
    ObjectAssociated,
    ObjectStatusProhibits,
    open_session,
)
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
from simulators.epp import DEFAULT_COMPANY_CONTACT as COMPANY
from simulators.epp import EppSimulator
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.epp import RICH_HANDLE, hints_of, nl_domain_of, raw_contact_update

TODAY = date(2026, 11, 22)


@pytest.fixture
def connector(epp_settings: Settings) -> EppRegistryConnector:
    return create(epp_settings)


async def erase(connector: EppRegistryConnector, located: Located) -> Outcome:
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)
    return await connector.erase(located, plan)


def test_implements_the_connector_contract(connector: EppRegistryConnector) -> None:
    assert isinstance(connector, Connector)
    assert connector.name == "registry-epp"


async def test_locate_finds_the_contact_and_the_domains_using_it(
    connector: EppRegistryConnector, epp_simulator: EppSimulator, admin_db_url: str
) -> None:
    hints = await hints_of(admin_db_url, 1)

    located = await connector.locate(SubjectIdentifiers(), hints)

    assert hints.handles["registry-epp"] == (RICH_HANDLE,)
    assert located.found
    assert located.refs == (
        f"contact:{RICH_HANDLE}",
        f"domain:{nl_domain_of(epp_simulator, RICH_HANDLE)}",
    )
    assert located.record_counts == {"epp_contacts": 1, "epp_domains": 1}
    assert all("@" not in ref for ref in located.refs)


async def test_locate_reports_unknown_handles_as_not_found(
    connector: EppRegistryConnector,
) -> None:
    hints = Hints(domains=("nowhere-1.nl",), handles={"registry-epp": ("HST999999",)})

    located = await connector.locate(SubjectIdentifiers(), hints)

    assert not located.found
    assert located.refs == ()


async def test_export_writes_the_registrys_contact_data_and_domains(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    admin_db_url: str,
    admin_seed: SeedSummary,
) -> None:
    located = await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))
    sink = MemorySink()

    summary = await connector.export(located, sink)

    assert summary.records == 2
    [contact] = sink.datasets["epp_contacts"]
    assert contact["id"] == RICH_HANDLE
    assert contact["email"] == admin_seed.rich_customer.email
    assert contact["postal_info"][0]["name"] == admin_seed.rich_customer.name
    assert contact["voice"].startswith("+31.")
    assert contact["not_published"] == ["voice", "email"]
    assert "linked" in contact["statuses"]
    [domain] = sink.datasets["epp_domains"]
    assert domain["name"] == nl_domain_of(epp_simulator, RICH_HANDLE)
    assert domain["subject_roles"] == ["registrant", "admin", "tech"]


async def test_delete_refused_while_referenced_then_swap_then_delete(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    admin_db_url: str,
) -> None:
    name = nl_domain_of(epp_simulator, RICH_HANDLE)
    async with open_session(epp_config) as epp:
        with pytest.raises(ObjectAssociated):
            await epp.request(wire.contact_delete(RICH_HANDLE), "contact delete")
    located = await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))

    outcome = await erase(connector, located)
    again = await erase(connector, located)

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail.startswith("Replaced the subject by the company's contact on 1 domain(s)")
    assert again.status is OutcomeStatus.DONE and again.detail == outcome.detail
    domain = epp_simulator.registry.domains[name]
    assert domain.registrant == COMPANY
    assert sorted(domain.contacts) == [("admin", COMPANY), ("tech", COMPANY)]
    assert RICH_HANDLE not in epp_simulator.registry.contacts
    assert not (await connector.locate(SubjectIdentifiers(), located.hints)).found


async def test_contact_used_on_a_domain_outside_the_request_waits_for_a_person(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    admin_db_url: str,
) -> None:
    registry = epp_simulator.registry
    shared = next(d for d in registry.domains.values() if ("tech", d.registrant) not in d.contacts)
    [(_, borrowed)] = [pair for pair in shared.contacts if pair[0] == "tech"]
    hints = await hints_of(admin_db_url, int(borrowed.removeprefix("HST")))
    located = await connector.locate(SubjectIdentifiers(), hints)

    with pytest.raises(ObjectAssociated) as refused:
        await erase(connector, located)

    assert borrowed in str(refused.value) and "outside this request" in str(refused.value)
    assert "@" not in str(refused.value)
    assert registry.domains[nl_domain_of(epp_simulator, COMPANY)].registrant == COMPANY
    # An agent replaces the contact on the other customer's domain; the retry then completes.
    async with open_session(epp_config) as epp:
        fix = wire.domain_update(
            shared.name, registrant=None, add=[("tech", COMPANY)], remove=[("tech", borrowed)]
        )
        await epp.request(fix, "domain update")
    assert (await erase(connector, located)).status is OutcomeStatus.DONE
    assert borrowed not in registry.contacts


async def test_pending_deletion_is_confirmed_through_the_poll_queue(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    admin_db_url: str,
) -> None:
    epp_simulator.set_pending_deletes(True)
    located = await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))
    reader = EppPollReader(epp_config)

    outcome = await erase(connector, located)
    again = await erase(connector, located)

    assert outcome.status is OutcomeStatus.PENDING
    assert outcome.channel is ConfirmationChannel.POLL_QUEUE
    assert outcome.external_ref == f"contact:{RICH_HANDLE}"
    assert outcome.expected_by is not None and outcome.at is not None
    assert outcome.expected_by - outcome.at == timedelta(days=5)
    assert (again.status, again.external_ref) == (OutcomeStatus.PENDING, outcome.external_ref)
    assert "pendingDelete" in epp_simulator.registry.contacts[RICH_HANDLE].statuses
    assert await reader.read() is None

    assert epp_simulator.resolve_pending() == [RICH_HANDLE]
    message = await reader.read()
    await reader.aclose()

    assert message is not None
    assert (message.contact_id, message.pa_result, message.count) == (RICH_HANDLE, True, 1)
    assert message.external_ref == outcome.external_ref
    assert message.date is not None and message.date <= datetime.now(UTC)
    assert RICH_HANDLE not in epp_simulator.registry.contacts
    # The queue is the registrar's, not the session's: a new session sees the same message.
    reader = EppPollReader(epp_config)
    assert (await reader.read()) == message
    assert await reader.ack(message.id) is True
    assert await reader.read() is None
    assert await reader.ack(message.id) is False
    await reader.aclose()
    assert (await erase(connector, located)).status is OutcomeStatus.DONE


async def test_pending_deletion_is_approved_after_the_configured_delay(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    admin_db_url: str,
) -> None:
    epp_simulator.set_pending_deletes(True, delay=0.2)
    located = await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))
    assert (await erase(connector, located)).status is OutcomeStatus.PENDING
    reader = EppPollReader(epp_config)
    try:
        for _ in range(20):
            if (message := await reader.read()) is not None:
                break
            await asyncio.sleep(0.1)
    finally:
        await reader.aclose()

    assert message is not None and message.contact_id == RICH_HANDLE and message.pa_result


async def test_contact_of_another_registrar_is_refused_in_the_plan(
    connector: EppRegistryConnector, epp_config: EppConfig
) -> None:
    hints = Hints(handles={"registry-epp": ("OTH000001",)})
    async with open_session(epp_config) as epp:
        with pytest.raises(AuthorizationRefused):
            await epp.request(wire.contact_info("OTH000001"), "contact info")

    located = await connector.locate(SubjectIdentifiers(), hints)
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)
    outcome = await connector.erase(located, plan)

    assert located.found and located.refs == ("elsewhere:contact:OTH000001",)
    assert [(i.category, i.action) for i in plan.items] == [
        ("epp_contacts_elsewhere", PlanAction.REFUSE)
    ]
    assert "another registrar" in plan.items[0].basis.lower()
    assert outcome.status is OutcomeStatus.REFUSED


async def test_delete_prohibited_by_status_says_what_to_lift(
    connector: EppRegistryConnector,
    epp_simulator: EppSimulator,
    epp_config: EppConfig,
    admin_db_url: str,
) -> None:
    located = await connector.locate(SubjectIdentifiers(), await hints_of(admin_db_url, 1))
    async with open_session(epp_config) as epp:
        await epp.request(
            raw_contact_update(RICH_HANDLE, add_status="clientDeleteProhibited"), "update"
        )

    with pytest.raises(ObjectStatusProhibits) as refused:
        await erase(connector, located)

    assert RICH_HANDLE in str(refused.value) and "delete prohibition" in str(refused.value)
    assert RICH_HANDLE in epp_simulator.registry.contacts


async def test_contact_update_withholds_fields_from_the_public(
    epp_simulator: EppSimulator, epp_config: EppConfig
) -> None:
    chg = (
        "<contact:email>erased@hosting.example</contact:email>"
        '<contact:disclose flag="0"><contact:name type="int"/></contact:disclose>'
    )
    update = raw_contact_update(RICH_HANDLE, chg=chg)
    async with open_session(epp_config) as epp:
        await epp.request(update, "contact update")
        response = await epp.request(wire.contact_info(RICH_HANDLE), "contact info")

    assert response.res_data is not None
    record = wire.contact_record(response.res_data)
    assert record["email"] == "erased@hosting.example"
    assert record["not_published"] == ["name", "voice", "email"]
    assert record["updated"] is not None

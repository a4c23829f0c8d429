"""The domain registry over EPP (RFC 5730-5734): the subject's contacts and the domains using them.

EPP cannot search by email or name, so the subject is found from what the administration
knows: their registry handles (`Handle.REGISTRY`) and their domains
(`hints.domains`). Erasure replaces the subject on every such domain by the company's own
contact (`domain:update`), then deletes the contact. A registry that reviews deletions
answers 1001; its verdict arrives later as a panData message in our poll queue, which the
poll consumer matches to the outcome's `external_ref` ("contact:<id>"). Rectification and
restriction update the contacts (connectors/epp/rights.py) and may be pending the same way.

Each operation opens its own session and logs out at the end: EPP sessions run one command
at a time and registries drop idle ones, so nothing is kept open between activities.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import connectors.epp.rights as rights
import connectors.epp.wire as wire
from connectors.base import RecordSink, not_processed_for
from connectors.epp.client import (
    AuthorizationRefused,
    EppConfig,
    EppPollReader,
    EppSession,
    ObjectAssociated,
    ObjectNotFound,
    ObjectStatusProhibits,
    info_data,
    open_session,
)
from connectors.epp.datasets import CONTACTS, DATASETS, DOMAINS
from connectors.epp.rights import pending_outcome
from domain.records import (
    ConnectorPlan,
    ExportSummary,
    Located,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanAction,
    PlanItem,
    Recipient,
)
from domain.retention import RetentionPolicy
from domain.rights import Changes, Purpose
from domain.subject import Handle, Hints, SubjectIdentifiers
from runtime.settings import Settings

NAME = "registry-epp"
# The registry behind the DSR_EPP_* settings serves this TLD; other names are not its to know.
REGISTRY_TLD = "nl"
_CONTACT, _DOMAIN, _ELSEWHERE = "contact:", "domain:", "elsewhere:contact:"
_ELSEWHERE_BASIS = (
    "Another registrar sponsors these contacts at the registry; only that registrar can "
    "erase them, so the subject must ask it."
)


class EppRegistryConnector:
    """Contacts and domains at the domain registry, through our registrar account."""

    name = NAME
    phase = Phase.DEPENDENT
    recipient = Recipient(name="Domain name registry (EPP)", role="domain name registry")
    # The registry is a controller of its own: nothing it holds is portable from us.
    datasets = DATASETS

    def __init__(self, config: EppConfig, company_contact: str) -> None:
        self._config = config
        self._company = company_contact

    def poll_queue(self) -> EppPollReader:
        """Our registrar's poll queue, where the registry answers pending changes."""
        return EppPollReader(self._config)

    @classmethod
    def create(cls, settings: Settings) -> EppRegistryConnector:
        return cls(EppConfig.from_settings(settings), settings.epp_company_contact)

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Look up each hinted handle, then which hinted domains of our TLD use them."""
        handles = [
            h for h in dict.fromkeys(hints.handles.get(Handle.REGISTRY, ())) if h != self._company
        ]
        names = [d for d in dict.fromkeys(n.lower() for n in hints.domains) if _in_tld(d)]
        contacts: list[str] = []
        elsewhere: list[str] = []
        domains: list[str] = []
        if handles:
            async with open_session(self._config) as epp:
                contacts, elsewhere = await self._contacts(epp, handles)
                domains = await self._domains_using(epp, names, set(contacts))
        refs = (
            *(_CONTACT + c for c in contacts),
            *(_DOMAIN + d for d in domains),
            *(_ELSEWHERE + c for c in elsewhere),
        )
        counts = {CONTACTS: len(contacts), DOMAINS: len(domains)}
        if elsewhere:
            counts["epp_contacts_elsewhere"] = len(elsewhere)
        return Located(connector=NAME, found=bool(refs), refs=refs, record_counts=counts)

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Write `epp_contacts` (the registry's data about the subject) and `epp_domains`."""
        contacts, names = _ids(located, _CONTACT), _ids(located, _DOMAIN)
        contact_records: list[dict[str, Any]] = []
        domain_records: list[dict[str, Any]] = []
        if contacts or names:
            async with open_session(self._config) as epp:
                for contact_id in contacts:
                    inf = await info_data(epp, wire.contact_info(contact_id), "contact info")
                    if inf is not None:
                        contact_records.append(wire.contact_record(inf))
                for name in names:
                    inf = await info_data(epp, wire.domain_info(name), "domain info")
                    if inf is not None:
                        domain_records.append(_domain_record(wire.domain_of(inf), contacts))
        return ExportSummary(
            connector=NAME,
            datasets=(
                await sink.write(CONTACTS, contact_records),
                await sink.write(DOMAINS, domain_records),
            ),
        )

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Act on our contacts and the domains using them; refuse what another registrar holds."""
        counts = located.record_counts
        items = [
            PlanItem(category, PlanAction.ACT, counts[category])
            for category in (DOMAINS, CONTACTS)
            if counts.get(category)
        ]
        if counts.get("epp_contacts_elsewhere"):
            items.append(
                PlanItem(
                    "epp_contacts_elsewhere",
                    PlanAction.REFUSE,
                    counts["epp_contacts_elsewhere"],
                    basis=_ELSEWHERE_BASIS,
                )
            )
        return ConnectorPlan(connector=NAME, items=tuple(items))

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Swap the subject off each domain, then delete each contact; repeats find it done."""
        if not located.found:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND)
        acting = {i.category for i in plan.items if i.action is PlanAction.ACT}
        subject = set(_ids(located, _CONTACT))
        names = _ids(located, _DOMAIN) if DOMAINS in acting else ()
        contacts = _ids(located, _CONTACT) if CONTACTS in acting else ()
        now = datetime.now(UTC)
        if not (names or contacts):
            if _ids(located, _ELSEWHERE):
                return Outcome(NAME, OutcomeStatus.REFUSED, detail=_ELSEWHERE_BASIS, at=now)
            return Outcome(NAME, OutcomeStatus.DONE, detail="The plan erases nothing here.", at=now)
        async with open_session(self._config) as epp:
            for name in names:
                await self._replace_subject(epp, name, subject)
            pending = [c for c in contacts if await self._delete_contact(epp, c)]
        return _outcome(len(names), len(contacts), pending, bool(_ids(located, _ELSEWHERE)), now)

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """`contact:update` of each contact with the corrected values (see rights.py)."""
        if not located.found:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND)
        return await rights.rectify(
            NAME, self._config, _ids(located, _CONTACT), len(_ids(located, _ELSEWHERE)), changes
        )

    async def restrict(self, located: Located) -> Outcome:
        """Withhold each contact from WHOIS/RDAP: the registry keeps it for the registration."""
        if not located.found:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND)
        return await rights.restrict(
            NAME, self._config, _ids(located, _CONTACT), len(_ids(located, _ELSEWHERE))
        )

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """The registry uses contacts for registrations only: no marketing, no profiling."""
        return not_processed_for(NAME, purposes)

    async def aclose(self) -> None:
        """Nothing to release: every operation closes its own session."""

    async def _contacts(self, epp: EppSession, handles: list[str]) -> tuple[list[str], list[str]]:
        """The handles that are our contacts, and those another registrar sponsors."""
        ours: list[str] = []
        elsewhere: list[str] = []
        for handle in handles:
            try:
                await epp.request(wire.contact_info(handle), "contact info")
            except ObjectNotFound:
                continue
            except AuthorizationRefused:
                elsewhere.append(handle)
                continue
            ours.append(handle)
        return ours, elsewhere

    async def _domains_using(
        self, epp: EppSession, names: list[str], contacts: set[str]
    ) -> list[str]:
        using: list[str] = []
        for name in names:
            inf = await info_data(epp, wire.domain_info(name), "domain info")
            if inf is not None and wire.domain_of(inf).roles_of(contacts):
                using.append(name)
        return using

    async def _replace_subject(self, epp: EppSession, name: str, subject: set[str]) -> None:
        """Put the company's contact wherever the domain names one of the subject's contacts."""
        inf = await info_data(epp, wire.domain_info(name), "domain info")
        if inf is None:
            return
        domain = wire.domain_of(inf)
        remove = [(kind, cid) for kind, cid in domain.contacts if cid in subject]
        kinds = dict.fromkeys(kind for kind, _ in remove)
        add = [
            (kind, self._company) for kind in kinds if (kind, self._company) not in domain.contacts
        ]
        registrant = self._company if domain.registrant in subject else None
        if registrant or remove:
            update = wire.domain_update(name, registrant=registrant, add=add, remove=remove)
            await epp.request(update, "domain update")

    async def _delete_contact(self, epp: EppSession, contact_id: str) -> bool:
        """Delete one contact; True while the registry still reviews the deletion."""
        try:
            response = await epp.request(wire.contact_delete(contact_id), "contact delete")
        except ObjectNotFound:
            return False  # deleted by an earlier attempt, or approved since
        except ObjectAssociated:
            raise ObjectAssociated(
                f"The registry still links contact {contact_id} to a domain outside this "
                f"request; replace it there by {self._company} and retry the erasure."
            ) from None
        except ObjectStatusProhibits:
            inf = await info_data(epp, wire.contact_info(contact_id), "contact info")
            if inf is None:
                return False
            if "pendingDelete" in wire.contact_statuses(inf):
                return True  # an earlier attempt's deletion is still under review
            raise ObjectStatusProhibits(
                f"The registry forbids deleting contact {contact_id} by its status; lift the "
                "delete prohibition at the registry and retry the erasure."
            ) from None
        return response.code == 1001


def _outcome(
    domains: int, contacts: int, pending: list[str], elsewhere: bool, now: datetime
) -> Outcome:
    # Counted from the refs, not from what this attempt changed, so a retry reads the same.
    parts = [f"Replaced the subject by the company's contact on {domains} domain(s)"]
    if contacts > len(pending):
        parts.append(f"deleted {contacts - len(pending)} contact(s)")
    if elsewhere:
        parts.append("contacts of another registrar are left to the subject")
    if not pending:
        return Outcome(NAME, OutcomeStatus.DONE, detail="; ".join(parts) + ".", at=now)
    parts.append(f"{len(pending)} contact deletion(s) await the registry's poll queue")
    return pending_outcome(NAME, "; ".join(parts) + ".", pending, now)


def _domain_record(domain: wire.DomainInfo, subject: tuple[str, ...]) -> dict[str, Any]:
    """A domain as the registry holds it, with the roles the subject has on it.

    The other contacts' handles are left out: they are other people's identifiers.
    """
    return {
        "name": domain.name,
        "roid": domain.roid,
        "statuses": list(domain.statuses),
        "subject_roles": domain.roles_of(set(subject)),
        "sponsoring_registrar": domain.sponsor,
        "created": domain.created.isoformat() if domain.created else None,
        "expires": domain.expires.isoformat() if domain.expires else None,
    }


def _in_tld(name: str) -> bool:
    return name.endswith(f".{REGISTRY_TLD}")


def _ids(located: Located, prefix: str) -> tuple[str, ...]:
    return tuple(r.removeprefix(prefix) for r in located.refs if r.startswith(prefix))


def create(settings: Settings) -> EppRegistryConnector:
    """Factory named in policy.toml."""
    return EppRegistryConnector.create(settings)

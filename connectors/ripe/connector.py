"""The RIPE Database, over RIPE NCC's REST API (docs/systems.md, "RIPE Database").

The company registers its customers' networks in the public RIPE Database, with the customer's
person object as contact. Erasure first moves each network's (and organisation's) admin-c,
tech-c and zone-c from the person to the company's role object, then deletes the person: RIPE
refuses to delete a person that is still referenced. RIPE answers synchronously, so there is
no pending outcome. Only objects the company maintains are located: the company's API key
could not change anyone else's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import httpx

from connectors.base import RecordSink, not_processed_for, unsupported
from connectors.errors import ConnectorError, SystemRefused, SystemUnavailable
from connectors.ripe.client import json_of, path_of, raise_for_status, refused
from connectors.ripe.datasets import DATASETS, PERSONS, REFERENCES
from connectors.ripe.rights import HELD, corrected, notes_of, rectified
from connectors.ripe.wire import (
    IN_USE,
    NAME_CHANGED,
    RipeObject,
    names_contact,
    parse_messages,
    parse_objects,
    person_record,
    reference_records,
    update_body,
    with_contacts_moved,
)
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

_PERSON = "person:"
ERASURE_REASON = "GDPR erasure request"
HISTORY_NOTE = (
    "The RIPE Database is public, and RIPE NCC keeps the history of its objects: it no longer "
    "publishes a deleted person object and shows no versions of person objects, but it keeps "
    "them, and the public version history of each network still names the handle as a former "
    "contact. Only RIPE NCC can erase that history; the subject may ask RIPE NCC directly."
)


NOT_RESTRICTABLE = (
    "The RIPE Database is a public registry that RIPE NCC keeps under its own terms; it cannot "
    "mark a person object as stored but not otherwise used. The subject can ask for erasure "
    "instead, or ask RIPE NCC directly."
)


class Deletion(StrEnum):
    DELETED = "deleted"
    GONE = "gone"  # deleted earlier, or never there
    REFERENCED = "referenced"


class RipeConnector:
    """Person objects of the subject in the RIPE Database, and the objects that name them."""

    name = "ripe"
    phase = Phase.DEPENDENT
    recipient = Recipient(
        name="RIPE NCC (RIPE Database)",
        role="regional internet registry; publishes the contacts of IP address holders",
    )
    # RIPE NCC is a controller of its own: nothing it holds is portable from us.
    datasets = DATASETS

    def __init__(
        self,
        base_url: str,
        key_id: str,
        key_secret: str,
        *,
        source: str = "RIPE",
        company_role: str = "HST1-RIPE",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._source, self._role = source, company_role
        self._client = httpx.AsyncClient(
            base_url=self._base_url,
            auth=httpx.BasicAuth(key_id, key_secret) if key_id else None,
            headers={"Accept": "application/json"},
            timeout=httpx.Timeout(15.0, connect=5.0),
            transport=transport,
        )
        self._maintainers: frozenset[str] | None = None

    @classmethod
    def create(cls, settings: Settings) -> RipeConnector:
        return cls(
            settings.ripe_url,
            settings.ripe_key_id,
            settings.ripe_key_secret,
            source=settings.ripe_source,
            company_role=settings.ripe_company_role,
        )

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Persons by the handles the administration knows and by email; then who names them."""
        handles = [h.removeprefix(_PERSON) for h in hints.handles.get(Handle.RIPE, ())]
        emails = dict.fromkeys(e.lower() for e in (subject.email, *hints.emails) if e)
        if not handles and not emails:
            return Located(connector=self.name, found=False)
        ours = await self._our_maintainers()
        persons: dict[str, RipeObject] = {}
        for handle in handles:
            person = await self._lookup("person", handle)
            if person is not None and _maintained_by(person, ours):
                persons.setdefault(person.key, person)
        for email in emails:
            for person in await self._search(email, types=("person",)):
                # The search matches names too; only a person carrying the address is theirs.
                owns = email in (v.lower() for v in person.values("e-mail"))
                if person.type == "person" and owns and _maintained_by(person, ours):
                    persons.setdefault(person.key, person)
        naming: dict[str, RipeObject] = {}
        for handle in persons:
            naming.update((o.ref, o) for o in await self._referencing(handle))
        return Located(
            connector=self.name,
            found=bool(persons),
            refs=(*(p.ref for p in persons.values()), *naming),
            record_counts={PERSONS: len(persons), REFERENCES: len(naming)},
        )

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Write `ripe_persons` (every attribute) and `ripe_references` (who names them, how)."""
        handles = _handles(located)
        persons = [
            person_record(person)
            for handle in handles
            if (person := await self._lookup("person", handle)) is not None
        ]
        references = [
            record
            for handle in handles
            for obj in await self._referencing(handle)
            for record in reference_records(handle, obj)
        ]
        return ExportSummary(
            connector=self.name,
            datasets=(
                await sink.write(PERSONS, persons),
                await sink.write(REFERENCES, references),
            ),
        )

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Move the references to the company role, then delete the persons; nothing is kept.

        Each deletion is tried as a `dry-run` first, so a wrong API key shows now, before the
        plan is approved, rather than halfway through the erasure.
        """
        if not located.found:
            return ConnectorPlan(connector=self.name)
        trials = [await self._delete_person(h, dry_run=True) for h in _handles(located)]
        present = sum(trial is not Deletion.GONE for trial in trials)
        items = [PlanItem(PERSONS, PlanAction.ACT, present, basis=HISTORY_NOTE)]
        if referencing := located.record_counts.get(REFERENCES, 0):
            basis = (
                f"Their admin-c, tech-c and zone-c contacts move to the company role "
                f"{self._role}; the networks themselves stay registered."
            )
            items.insert(0, PlanItem(REFERENCES, PlanAction.ACT, referencing, basis=basis))
        return ConnectorPlan(connector=self.name, items=tuple(items))

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Unlink each person from what names them, then delete it; what is gone counts as done."""
        if not located.found:
            return Outcome(connector=self.name, status=OutcomeStatus.NOT_FOUND)
        now = datetime.now(UTC)
        if not any(i.category == PERSONS and i.action is PlanAction.ACT for i in plan.items):
            detail = "The approved plan erases nothing in the RIPE Database."
            return Outcome(connector=self.name, status=OutcomeStatus.DONE, detail=detail, at=now)
        handles = _handles(located)
        moved, blocked = 0, 0
        for handle in handles:
            unlinked, deletion = await self._erase_person(handle)
            moved += unlinked
            blocked += deletion is Deletion.REFERENCED
        if not blocked:  # counted from what was located, so a retry after success reads the same
            moved = max(moved, located.record_counts.get(REFERENCES, 0))
        done = f"{len(handles) - blocked} person object(s) deleted from the RIPE Database"
        done += f"; contacts in {moved} object(s) moved to the company role." if moved else "."
        if blocked:
            detail = (
                f"{blocked} person object(s) are still named by objects of other maintainers, "
                f"which the company's API key cannot change; ask those maintainers or RIPE NCC "
                f"to replace the contact. {done}"
            )
            return Outcome(self.name, OutcomeStatus.REFUSED, detail=detail, at=now)
        detail = f"{done} {HISTORY_NOTE}"
        return Outcome(self.name, OutcomeStatus.DONE, detail=detail, at=now)

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """PUT each person back with the corrected attributes; only persons we maintain."""
        if not located.found:
            return Outcome(connector=self.name, status=OutcomeStatus.NOT_FOUND)
        now = datetime.now(UTC)
        held = [f for f in changes.fields if f in HELD]
        if not held:
            detail = "The RIPE Database holds none of the corrected fields; nothing changed there."
            return Outcome(self.name, OutcomeStatus.DONE, detail=detail, at=now)
        ours, foreign, notes = 0, 0, set[str]()
        for handle in _handles(located):
            person = await self._lookup("person", handle)
            if person is None:
                continue  # deleted since it was located
            if not _maintained_by(person, await self._our_maintainers()):
                foreign += 1
                continue
            ours += 1
            correction = corrected(person, changes)
            notes |= notes_of(correction)
            if correction.changed:
                await self._put_person(person, correction.attributes)
        return rectified(self.name, held, ours, foreign, notes, now)

    async def restrict(self, located: Located) -> Outcome:
        """RIPE has no stored-only mark: the database publishes what it holds."""
        return unsupported(self.name, NOT_RESTRICTABLE)

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """Neither we nor RIPE NCC use the RIPE Database for marketing or profiling."""
        return not_processed_for(self.name, purposes)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _put_person(
        self, person: RipeObject, attributes: tuple[tuple[str, str], ...]
    ) -> None:
        body = update_body(person, attributes, self._source)
        path = path_of(self._source, person)
        response = await self._send("PUT", path, "person update", json=body)
        if response.status_code == 404:
            return  # deleted since it was read
        if response.status_code == 400:
            if any(m.text == NAME_CHANGED for m in parse_messages(json_of(response))):
                raise SystemRefused(
                    f"RIPE refused to rename person {person.key}; it has to be replaced by a "
                    "new person object."
                )
            raise refused("update of a person object", response)

    async def _erase_person(self, handle: str) -> tuple[int, Deletion]:
        """Unlink and delete one person; unlink again if a reference appeared in between."""
        moved = await self._unlink(handle)
        deletion = await self._delete_person(handle)
        if deletion is Deletion.REFERENCED:
            moved += await self._unlink(handle)
            deletion = await self._delete_person(handle)
        return moved, deletion

    async def _unlink(self, handle: str) -> int:
        """Point every company-maintained object naming `handle` at the role; count them."""
        ours = await self._our_maintainers()
        moved = 0
        for obj in await self._referencing(handle):
            if not _maintained_by(obj, ours) or not names_contact(obj, handle):
                continue
            body = update_body(obj, with_contacts_moved(obj, handle, self._role), self._source)
            response = await self._send("PUT", path_of(self._source, obj), "update", json=body)
            if response.status_code == 400:
                raise refused(f"update of the {obj.type} object", response)
            moved += response.status_code == 200
        return moved

    async def _delete_person(self, handle: str, *, dry_run: bool = False) -> Deletion:
        params = {"reason": ERASURE_REASON, **({"dry-run": ""} if dry_run else {})}
        path = path_of(self._source, RipeObject("person", handle, ()))
        response = await self._send("DELETE", path, "person deletion", params=params)
        if response.status_code == 404:
            return Deletion.GONE
        if response.status_code == 400:
            if any(m.text == IN_USE for m in parse_messages(json_of(response))):
                return Deletion.REFERENCED
            raise refused("deletion of a person object", response)
        return Deletion.DELETED

    async def _our_maintainers(self) -> frozenset[str]:
        """The maintainers of the company role: objects they maintain are the company's."""
        if self._maintainers is None:
            role = await self._lookup("role", self._role)
            if role is None:
                raise ConnectorError(
                    f"The company role {self._role} is not in the RIPE Database; "
                    "check DSR_RIPE_COMPANY_ROLE."
                )
            self._maintainers = frozenset(m.upper() for m in role.values("mnt-by"))
        return self._maintainers

    async def _lookup(self, object_type: str, key: str) -> RipeObject | None:
        """One object, unfiltered (with e-mail); None when RIPE has no such object."""
        path = path_of(self._source, RipeObject(object_type, key, ()))
        response = await self._send("GET", path, "lookup", params={"unfiltered": ""})
        if response.status_code != 200:
            return None
        return next(iter(parse_objects(json_of(response))), None)

    async def _referencing(self, handle: str) -> list[RipeObject]:
        """Objects naming `handle` as admin-c, tech-c or zone-c (an inverse lookup)."""
        return await self._search(handle, inverse=("admin-c", "tech-c", "zone-c"))

    async def _search(
        self, query: str, *, types: Sequence[str] = (), inverse: Sequence[str] = ()
    ) -> list[RipeObject]:
        params = [("source", self._source), ("query-string", query)]
        params += [("type-filter", t) for t in types]
        params += [("inverse-attribute", a) for a in inverse]
        params += [("flags", "no-referenced"), ("flags", "no-filtering")]
        response = await self._send("GET", "/search.json", "search", params=params)
        return parse_objects(json_of(response)) if response.status_code == 200 else []

    async def _send(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        # `what` names the call in errors: a search URL can hold an email address.
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"The RIPE Database at {self._base_url} did not answer the {what} "
                f"({type(error).__name__}); retrying later."
            ) from None
        raise_for_status(response, what)
        return response


def _maintained_by(obj: RipeObject, maintainers: frozenset[str]) -> bool:
    return any(m.upper() in maintainers for m in obj.values("mnt-by"))


def _handles(located: Located) -> tuple[str, ...]:
    return tuple(r.removeprefix(_PERSON) for r in located.refs if r.startswith(_PERSON))


def create(settings: Settings) -> RipeConnector:
    """Factory named in policy.toml."""
    return RipeConnector.create(settings)

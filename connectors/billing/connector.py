"""The in-house administration and billing system: the primary source of who a subject is.

Discovery starts here (docs/architecture.md, "The request workflow"): the subject's accounts
give the customer ids, emails, domains and registry handles that dependent connectors search
by. Hints file handles by their kind (`domain.subject.Handle`), never by another connector's
name; the CA's are `order:<id>` and `organization:<id>`.

The database is reached through a sync SQLAlchemy engine; each operation runs in a worker
thread so the event loop of the activity worker never blocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

import connectors.billing.erasure as erasure
import connectors.billing.expiry as expiry
import connectors.billing.queries as queries
import connectors.billing.rights as rights
from connectors.base import RecordSink
from connectors.billing.datasets import DATASETS
from connectors.billing.queries import NAME, Scope
from connectors.billing.wire import create_admin_engine
from connectors.errors import SystemUnavailable
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
from domain.retention import Deletion, RetentionPolicy
from domain.rights import Changes, Purpose
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings

log = structlog.get_logger(__name__)

T = TypeVar("T")

RECIPIENT = Recipient(
    name="Administration and billing (in house)", role="controller's own system", in_house=True
)
# What erasure does with the categories the retention policy does not keep.
ACTED_ON = (
    "customer",  # anonymised
    "contacts",  # deleted
    "domains",  # detached from the customer, registrant handle cleared
    "certificates",  # detached, organisation reference cleared
    "ip_assignments",  # detached, person handle cleared
    "support_tickets",  # deleted
    "call_recordings",  # deleted
)


class BillingConnector:
    """Reads and erases a subject's records in the administration database."""

    name = NAME
    phase = Phase.PRIMARY
    recipient = RECIPIENT
    datasets = DATASETS

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Find accounts by email or customer number, and contact rows by email.

        A primary system: `hints` from other systems are not needed here.
        """
        return await self._in_thread(self._locate, subject)

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Stage the subject's rows, one dataset at a time."""
        scope = Scope.from_refs(located.refs)
        staged = []
        for dataset, query in queries.dataset_queries(scope).items():
            records = await self._in_thread(self._fetch, query)
            staged.append(await sink.write(dataset, records))
        return ExportSummary(connector=NAME, datasets=tuple(staged))

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Act on everything except invoices, payments, orders and consents still retained."""
        return await self._in_thread(self._plan, Scope.from_refs(located.refs), policy, today)

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Carry out the plan in one transaction; a repeat finds the work done."""
        scope = Scope.from_refs(located.refs)
        if scope.empty:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND)
        return await self._in_thread(erasure.erase, self._engine, scope, plan)

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """Correct the account and the subject's contact rows; issued invoices stay as issued."""
        scope = Scope.from_refs(located.refs)
        if scope.empty:
            return _nothing_found()
        return await self._in_thread(rights.rectify, self._engine, scope, changes)

    async def restrict(self, located: Located) -> Outcome:
        """Mark the account, its kept records and the subject's contact rows restricted."""
        scope = Scope.from_refs(located.refs)
        if scope.empty:
            return _nothing_found()
        return await self._in_thread(rights.restrict, self._engine, scope)

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """Marketing and profiling stop; an objection the officer upheld restricts the rest."""
        scope = Scope.from_refs(located.refs)
        if scope.empty:
            return _nothing_found()
        return await self._in_thread(rights.object_to, self._engine, scope, purposes)

    async def delete_expired(self, today: date, policy: RetentionPolicy) -> tuple[Deletion, ...]:
        """Delete every record whose retention ended by `today`; what went, per rule.

        Not part of the connector contract: the daily sweep calls it. Idempotent.
        """
        deleted = await self._in_thread(expiry.delete_expired, self._engine, today, policy)
        log.info("billing_expired_records_deleted", today=today.isoformat(),
                 records={d.category: len(d.ids) for d in deleted})  # fmt: skip
        return deleted

    async def aclose(self) -> None:
        await asyncio.to_thread(self._engine.dispose)

    async def _in_thread(self, work: Callable[..., T], *args: object) -> T:
        try:
            return await asyncio.to_thread(work, *args)
        except OperationalError as exc:
            log.warning("billing_database_unavailable", error=type(exc).__name__)
            # `from None`: the driver's message may quote the statement and its values.
            raise SystemUnavailable(
                "The administration database did not answer; the operation will be retried."
            ) from None

    def _locate(self, subject: SubjectIdentifiers) -> Located:
        with self._engine.connect() as conn:
            scope = queries.match_subject(conn, subject)
            if scope.empty:
                return Located(connector=NAME, found=False)
            counts = queries.count_datasets(conn, scope)
            hints = queries.subject_hints(conn, scope, subject)
        return Located(
            connector=NAME, found=True, refs=scope.refs, record_counts=counts, hints=hints
        )

    def _fetch(self, query: queries.Query) -> list[dict[str, object]]:
        with self._engine.connect() as conn:
            return queries.fetch_records(conn, query)

    def _plan(self, scope: Scope, policy: RetentionPolicy, today: date) -> ConnectorPlan:
        if scope.empty:
            return ConnectorPlan(connector=NAME)
        with self._engine.connect() as conn:
            counts = queries.count_datasets(conn, scope)
            items = [
                PlanItem(category, PlanAction.ACT, counts[category])
                for category in ACTED_ON
                if counts.get(category)
            ]
            for category in queries.RETAINABLE:
                rows = queries.dated_rows(conn, category, scope.customer_ids, today)
                items += split_by_retention(category, [d for _, d in rows], policy, today)
            active = queries.active_services(conn, scope.customer_ids)
        return ConnectorPlan(connector=NAME, items=tuple(items), active_services=active)


def _nothing_found() -> Outcome:
    return Outcome(NAME, OutcomeStatus.NOT_FOUND, "No data of the subject was found.")


def split_by_retention(
    category: str, dates: list[date], policy: RetentionPolicy, today: date
) -> list[PlanItem]:
    """Act on the records past their retention; retain the rest until the latest end date."""
    kept = [
        policy.retained_until(category, dated) or today
        for dated in dates
        if policy.must_keep(category, dated, today)
    ]
    items = []
    if len(kept) < len(dates):
        items.append(PlanItem(category, PlanAction.ACT, len(dates) - len(kept)))
    rule = policy.rule_for(category)
    if kept and rule is not None:
        items.append(
            PlanItem(category, PlanAction.RETAIN, len(kept), basis=rule.basis, until=max(kept))
        )
    return items


def create(settings: Settings) -> BillingConnector:
    """Build the connector on the configured administration database."""
    return BillingConnector(create_admin_engine(settings.resolved_admin_database_url))

"""The append-only audit trail: per request, a chain of events linked by SHA-256 hashes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from store.db import session_scope
from store.models import AuditEventRow

GENESIS_HASH = "0" * 64

# Namespace of the PostgreSQL advisory locks that serialize appends to one request's chain.
_CHAIN_LOCK_NAMESPACE = 4_711


@dataclass(frozen=True)
class AuditEvent:
    """One event of a request's audit trail; `details` holds no personal data."""

    request_id: str
    seq: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    event_key: str | None = None


@dataclass(frozen=True)
class AuditVerification:
    """The result of recomputing a request's chain."""

    ok: bool
    events: int
    first_bad_seq: int | None
    reason: str


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces, so equal values always hash alike."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(
    *,
    request_id: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 of one event's content together with the hash of the event before it."""
    content = {
        "request_id": request_id,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


class AuditTrail:
    """Appends to, reads and verifies the `audit_events` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(
        self,
        request_id: str,
        *,
        actor: str,
        action: str,
        details: dict[str, Any],
        event_key: str | None = None,
    ) -> AuditEvent:
        """Add an event at the end of the chain; an `event_key` seen before returns that event."""
        # Store what JSON gives back, so the hash at append time equals the one verify computes.
        stored_details: dict[str, Any] = json.loads(canonical_json(details))
        return self._append_locked(request_id, actor, action, stored_details, event_key)

    def events(self, request_id: str) -> list[AuditEvent]:
        """All events of a request, oldest first."""
        query = (
            select(AuditEventRow)
            .where(AuditEventRow.request_id == request_id)
            .order_by(AuditEventRow.seq)
        )
        with session_scope(self._engine) as session:
            return [_to_event(row) for row in session.scalars(query)]

    def verify(self, request_id: str) -> AuditVerification:
        """Recompute the chain; reports the first changed, missing or reordered event."""
        events = self.events(request_id)
        prev_hash = GENESIS_HASH
        for expected_seq, event in enumerate(events, start=1):
            problem = _problem_with(event, expected_seq, prev_hash)
            if problem:
                return AuditVerification(False, len(events), expected_seq, problem)
            prev_hash = event.hash
        return AuditVerification(True, len(events), None, f"All {len(events)} events link up.")

    def _append_locked(
        self,
        request_id: str,
        actor: str,
        action: str,
        details: dict[str, Any],
        event_key: str | None,
    ) -> AuditEvent:
        """Append under the chain lock; the (request_id, seq) constraint backs the lock up."""
        with session_scope(self._engine) as session:
            _lock_chain(session, request_id)
            if event_key is not None:
                existing = _find_by_key(session, event_key)
                if existing is not None:
                    return _same_request(existing, request_id)
            last = session.scalars(
                select(AuditEventRow)
                .where(AuditEventRow.request_id == request_id)
                .order_by(AuditEventRow.seq.desc())
                .limit(1)
            ).one_or_none()
            seq = 1 if last is None else last.seq + 1
            prev_hash = GENESIS_HASH if last is None else last.hash
            at = datetime.now(UTC)
            digest = chain_hash(
                request_id=request_id,
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                details=details,
                prev_hash=prev_hash,
            )
            row = AuditEventRow(
                request_id=request_id,
                seq=seq,
                event_key=event_key,
                at=at,
                actor=actor,
                action=action,
                details=details,
                prev_hash=prev_hash,
                hash=digest,
            )
            session.add(row)
            session.flush()
            return _to_event(row)


def _lock_chain(session: Session, request_id: str) -> None:
    """Serialize appends to one request's chain, so two writers never fork it."""
    # SQLite needs nothing here: store.db starts every transaction with BEGIN IMMEDIATE.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(func.pg_advisory_xact_lock(_CHAIN_LOCK_NAMESPACE, func.hashtext(request_id)))
        )


def _find_by_key(session: Session, event_key: str) -> AuditEventRow | None:
    query = select(AuditEventRow).where(AuditEventRow.event_key == event_key)
    return session.scalars(query).one_or_none()


def _same_request(row: AuditEventRow, request_id: str) -> AuditEvent:
    """The event written earlier under the same key, which must belong to the same request."""
    if row.request_id != request_id:
        raise ValueError(
            f"Audit event key {row.event_key!r} already belongs to another request; "
            "derive event keys from the request id."
        )
    return _to_event(row)


def _problem_with(event: AuditEvent, expected_seq: int, prev_hash: str) -> str:
    """Why `event` breaks the chain, or an empty string if it does not."""
    if event.seq != expected_seq:
        return f"Event {expected_seq} is missing or out of order."
    if event.prev_hash != prev_hash:
        return f"Event {expected_seq} does not link to the event before it."
    recomputed = chain_hash(
        request_id=event.request_id,
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        details=event.details,
        prev_hash=event.prev_hash,
    )
    if recomputed != event.hash:
        return f"Event {expected_seq} was changed after it was written."
    return ""


def _to_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        request_id=row.request_id,
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        details=row.details,
        prev_hash=row.prev_hash,
        hash=row.hash,
        event_key=row.event_key,
    )

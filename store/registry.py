"""The request registry: which requests exist, for reporting and webhook routing."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from store.db import session_scope
from store.models import RequestRow


class DuplicateAgentReference(Exception):
    """An agent tried to register a second request under a reference it already used."""

    def __init__(self, agent_ref: str, request_id: str) -> None:
        self.agent_ref = agent_ref
        self.request_id = request_id
        super().__init__(
            f"A request with agent reference {agent_ref!r} already exists (request {request_id}); "
            "use a new reference or steer the existing request."
        )


@dataclass(frozen=True)
class RegisteredRequest:
    """One row of the registry; holds no personal data."""

    request_id: str
    workflow_id: str
    kind: str
    agent_ref: str
    subject_hash: str
    language: str
    received_at: datetime
    due_on: date
    state: str
    updated_at: datetime
    outcome_summary: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: RequestRow) -> RegisteredRequest:
        return cls(
            request_id=row.request_id,
            workflow_id=row.workflow_id,
            kind=row.kind,
            agent_ref=row.agent_ref,
            subject_hash=row.subject_hash,
            language=row.language,
            received_at=row.received_at,
            due_on=row.due_on,
            state=row.state,
            updated_at=row.updated_at,
            outcome_summary=row.outcome_summary,
        )


class RequestRegistry:
    """Reads and writes the `requests` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def register(
        self,
        *,
        request_id: str,
        workflow_id: str,
        kind: str,
        agent_ref: str,
        subject_hash: str,
        language: str,
        received_at: datetime,
        due_on: date,
        state: str = "received",
    ) -> RegisteredRequest:
        """Add a request; raises DuplicateAgentReference if `agent_ref` is taken."""
        existing = self.find_by_agent_ref(agent_ref)
        if existing is not None:
            raise DuplicateAgentReference(agent_ref, existing.request_id)
        row = RequestRow(
            request_id=request_id,
            workflow_id=workflow_id,
            kind=kind,
            agent_ref=agent_ref,
            subject_hash=subject_hash,
            language=language,
            received_at=received_at,
            due_on=due_on,
            state=state,
            updated_at=datetime.now(UTC),
            outcome_summary=None,
        )
        try:
            with session_scope(self._engine) as session:
                session.add(row)
                session.flush()
                # Read back what the database stored (UTC), not the caller's objects.
                session.refresh(row)
                return RegisteredRequest.from_row(row)
        except IntegrityError:
            # Another caller registered the same reference between our check and our insert.
            winner = self.find_by_agent_ref(agent_ref)
            if winner is None:
                raise
            raise DuplicateAgentReference(agent_ref, winner.request_id) from None

    def get(self, request_id: str) -> RegisteredRequest | None:
        """The request with this id, or None."""
        with session_scope(self._engine) as session:
            row = session.get(RequestRow, request_id)
            return None if row is None else RegisteredRequest.from_row(row)

    def find_by_agent_ref(self, agent_ref: str) -> RegisteredRequest | None:
        """The request an agent registered under `agent_ref`, or None."""
        return self._find_one(RequestRow.agent_ref == agent_ref)

    def find_by_workflow_id(self, workflow_id: str) -> RegisteredRequest | None:
        """The request run by this workflow, or None."""
        return self._find_one(RequestRow.workflow_id == workflow_id)

    def agent_refs(self, request_ids: Iterable[str]) -> dict[str, str]:
        """The agent reference of each of these requests the registry knows."""
        wanted = list(request_ids)
        if not wanted:
            return {}
        query = select(RequestRow.request_id, RequestRow.agent_ref).where(
            RequestRow.request_id.in_(wanted)
        )
        with session_scope(self._engine) as session:
            return {request_id: ref for request_id, ref in session.execute(query)}

    def update_state(
        self, request_id: str, state: str, outcome_summary: dict[str, Any] | None = None
    ) -> RegisteredRequest | None:
        """Record a new state (and summary, when given); None if the request is unknown."""
        with session_scope(self._engine) as session:
            row = session.get(RequestRow, request_id)
            if row is None:
                return None
            row.state = state
            row.updated_at = datetime.now(UTC)
            if outcome_summary is not None:
                row.outcome_summary = outcome_summary
            session.flush()
            return RegisteredRequest.from_row(row)

    def remove(self, request_id: str) -> bool:
        """Undo a registration whose workflow could not be started; True if a row went."""
        with session_scope(self._engine) as session:
            row = session.get(RequestRow, request_id)
            if row is None:
                return False
            session.delete(row)
            return True

    def earlier_for_subject(
        self, subject_hash: str, since: datetime, *, excluding: str = ""
    ) -> builtins.list[RegisteredRequest]:
        """Requests about the same subject received since `since` (repeat detection)."""
        query = (
            select(RequestRow)
            .where(
                RequestRow.subject_hash == subject_hash,
                RequestRow.received_at >= since,
                RequestRow.request_id != excluding,
            )
            .order_by(RequestRow.received_at)
        )
        with session_scope(self._engine) as session:
            return [RegisteredRequest.from_row(row) for row in session.scalars(query)]

    def list(self, limit: int = 100) -> builtins.list[RegisteredRequest]:
        """The newest requests first."""
        query = (
            select(RequestRow)
            .order_by(RequestRow.received_at.desc(), RequestRow.request_id)
            .limit(limit)
        )
        with session_scope(self._engine) as session:
            return [RegisteredRequest.from_row(row) for row in session.scalars(query)]

    def _find_one(self, condition: Any) -> RegisteredRequest | None:
        with session_scope(self._engine) as session:
            row = session.scalars(select(RequestRow).where(condition)).one_or_none()
            return None if row is None else RegisteredRequest.from_row(row)

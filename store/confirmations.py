"""Routing of later confirmations: which request waits for which external reference."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from store.db import session_scope
from store.models import PendingConfirmationRow, WebhookDeliveryRow


class PendingConfirmations:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def register(self, request_id: str, connector: str, external_ref: str) -> None:
        """Route (connector, external_ref) to `request_id`; idempotent.

        Systems reuse references (a contact handle, a CA's request number after a restart),
        so the newest request that waits for a reference takes it over.
        """
        try:
            with session_scope(self._engine) as session:
                session.add(
                    PendingConfirmationRow(
                        connector=connector,
                        external_ref=external_ref,
                        request_id=request_id,
                        registered_at=datetime.now(UTC),
                        confirmed_at=None,
                    )
                )
        except IntegrityError:
            with session_scope(self._engine) as session:
                session.execute(
                    update(PendingConfirmationRow)
                    .where(
                        PendingConfirmationRow.connector == connector,
                        PendingConfirmationRow.external_ref == external_ref,
                    )
                    .values(request_id=request_id, registered_at=datetime.now(UTC),
                            confirmed_at=None)
                )  # fmt: skip

    def request_for(self, connector: str, external_ref: str) -> str | None:
        with session_scope(self._engine) as session:
            return session.scalar(
                select(PendingConfirmationRow.request_id).where(
                    PendingConfirmationRow.connector == connector,
                    PendingConfirmationRow.external_ref == external_ref,
                )
            )

    def mark_confirmed(self, connector: str, external_ref: str) -> None:
        with session_scope(self._engine) as session:
            session.execute(
                update(PendingConfirmationRow)
                .where(
                    PendingConfirmationRow.connector == connector,
                    PendingConfirmationRow.external_ref == external_ref,
                )
                .values(confirmed_at=datetime.now(UTC))
            )


class WebhookDeliveries:
    """Delivery ids already taken, so a replayed delivery changes nothing."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def seen(self, delivery_id: str) -> bool:
        with session_scope(self._engine) as session:
            return session.get(WebhookDeliveryRow, delivery_id) is not None

    def record(self, delivery_id: str, connector: str) -> bool:
        """Record a delivery; False if it was recorded before (a concurrent replay)."""
        try:
            with session_scope(self._engine) as session:
                session.add(
                    WebhookDeliveryRow(
                        delivery_id=delivery_id, connector=connector, received_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            return False
        return True

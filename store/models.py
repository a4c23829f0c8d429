"""Tables of the SQL store: the request registry and the hash-chained audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime that always comes back in UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("A naive datetime was given where a timezone-aware one is needed.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite keeps no offset; we only ever write UTC, so a naive value is UTC.
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Named constraints, so later migrations can drop or alter them by name on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


class RequestRow(Base):
    """One subject request, for reporting and webhook routing; Temporal holds its live state."""

    __tablename__ = "requests"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    agent_ref: Mapped[str] = mapped_column(String(200), unique=True)
    # Keyed hash of the subject's identifiers: lets duplicates be found without storing them.
    subject_hash: Mapped[str] = mapped_column(String(128), index=True)
    language: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]
    outcome_summary: Mapped[dict[str, Any] | None]


class AuditEventRow(Base):
    """One link of a request's audit chain; rows are only ever inserted."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_audit_events_request_seq"),)

    # BigInteger on PostgreSQL, but SQLite only autoincrements a plain INTEGER primary key.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    event_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PendingConfirmationRow(Base):
    """Routes a later confirmation (webhook, poll message) to the request that waits for it."""

    __tablename__ = "pending_confirmations"
    __table_args__ = (
        UniqueConstraint("connector", "external_ref", name="uq_pending_confirmations_ref"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    connector: Mapped[str] = mapped_column(String(100))
    external_ref: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    registered_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class WebhookDeliveryRow(Base):
    """A webhook delivery already taken: a replay of its id is refused."""

    __tablename__ = "webhook_deliveries"

    delivery_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    connector: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]


class VerificationCodeRow(Base):
    """The current one-time code of a request: only its keyed hash, never the code."""

    __tablename__ = "verification_codes"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

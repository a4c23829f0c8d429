"""Create the request registry and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `requests` and `audit_events`."""
    op.create_table(
        "requests",
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("agent_ref", sa.String(200), nullable=False),
        sa.Column("subject_hash", sa.String(128), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_summary", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_requests"),
        sa.UniqueConstraint("workflow_id", name="uq_requests_workflow_id"),
        sa.UniqueConstraint("agent_ref", name="uq_requests_agent_ref"),
    )
    op.create_index("ix_requests_subject_hash", "requests", ["subject_hash"])
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("request_id", "seq", name="uq_audit_events_request_seq"),
        sa.UniqueConstraint("event_key", name="uq_audit_events_event_key"),
    )
    op.create_index("ix_audit_events_request_id", "audit_events", ["request_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_audit_events_request_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_requests_subject_hash", table_name="requests")
    op.drop_table("requests")

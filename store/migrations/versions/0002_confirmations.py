"""Add routing of later confirmations and the webhook delivery log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.models import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `pending_confirmations` and `webhook_deliveries`."""
    op.create_table(
        "pending_confirmations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("connector", sa.String(100), nullable=False),
        sa.Column("external_ref", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.Column("confirmed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pending_confirmations"),
        sa.UniqueConstraint("connector", "external_ref", name="uq_pending_confirmations_ref"),
    )
    op.create_index("ix_pending_confirmations_request_id", "pending_confirmations", ["request_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", sa.String(100), nullable=False),
        sa.Column("connector", sa.String(100), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", name="pk_webhook_deliveries"),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_pending_confirmations_request_id", table_name="pending_confirmations")
    op.drop_table("pending_confirmations")

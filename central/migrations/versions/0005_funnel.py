"""Funnel events and their rollups (issue 13: measure every channel).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "funnel_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_funnel_events"),
    )
    op.create_index("ix_funnel_events_received_at", "funnel_events", ["received_at"])
    op.create_index("ix_funnel_events_session_id", "funnel_events", ["session_id"])
    op.create_table(
        "funnel_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "office", "service_id", "channel", "metric", "key", name="pk_funnel_rollups"
        ),
    )


def downgrade() -> None:
    op.drop_table("funnel_rollups")
    op.drop_index("ix_funnel_events_session_id", table_name="funnel_events")
    op.drop_index("ix_funnel_events_received_at", table_name="funnel_events")
    op.drop_table("funnel_events")

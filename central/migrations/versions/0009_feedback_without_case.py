"""Feedback with no case (issue 12 item 6): ``feedback_events``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The one feedback event type, ``feedback_given {score 1-5, ending, comment?}``, given at a kiosk by
a citizen who left before anything was sent (central never saw a case): its channel, office, kiosk
and service beside the payload. Keyed by the kiosk's ``event_id`` (replays are stored once).

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "feedback_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_feedback_events"),
    )
    op.create_index("ix_feedback_events_office", "feedback_events", ["office"])
    op.create_index("ix_feedback_events_received_at", "feedback_events", ["received_at"])


def downgrade() -> None:
    op.drop_table("feedback_events")

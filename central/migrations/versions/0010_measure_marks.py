"""How far the measurement has folded feedback (issue 13 item 2, satisfaction): ``measure_marks``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

One row per source :mod:`central.measure.feedback` folds into the funnel rollups: the highest
``case_events.id`` and the latest ``feedback_events.received_at`` it has read. Each fold re-reads a
little behind its mark (its raw rows deduplicate), so a transaction committed late is not lost.

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measure_marks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_measure_marks"),
    )


def downgrade() -> None:
    op.drop_table("measure_marks")

"""Attempt counters: per-client and per-account limits kept in the database (issue 16 items 1, 6).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attempt_counters",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name="pk_attempt_counters"),
    )
    op.create_index("ix_attempt_counters_window_start", "attempt_counters", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_attempt_counters_window_start", table_name="attempt_counters")
    op.drop_table("attempt_counters")

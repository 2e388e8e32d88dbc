"""Index heartbeats by arrival time, so the retention purge finds old ones without a table scan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_heartbeats_received_at", "heartbeats", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_heartbeats_received_at", table_name="heartbeats")

"""Funnel rollups by office, then day: one office's period without scanning every office's rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_funnel_rollups_office_day", "funnel_rollups", ["office", "day"])


def downgrade() -> None:
    op.drop_index("ix_funnel_rollups_office_day", table_name="funnel_rollups")

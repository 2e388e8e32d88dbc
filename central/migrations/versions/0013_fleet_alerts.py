"""Fleet alerts and availability records (issue 14 items 5-6): placeholder, filled in by the work on that item.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

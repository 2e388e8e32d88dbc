"""Preferences that travel with a handoff, a slip and a web draft (issue 19 item 6): placeholder, filled in by the work on that item.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

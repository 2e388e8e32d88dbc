"""Signed configuration bundles and staged rollouts (issue 14 item 3): placeholder, filled in by the work on that item.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

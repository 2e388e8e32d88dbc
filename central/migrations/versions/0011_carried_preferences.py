"""Preferences that travel with a handoff, a slip and a web draft (issue 19 item 6): ``preferences``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

One nullable JSON column on each short-lived row that carries a case between channels:
``handoffs`` (kiosk or counter → phone) and ``resume_codes`` (a printed slip, the web's "save and
come back"; a web save passes on what the handoff that opened the web session carried). It holds the citizen's language and accessibility settings (text size, theme, reach mode,
audio), checked by ``central.schemas.CarriedPreferences``. They are accessibility data, so they
live only on these rows, which expire and are purged with them — never on ``cases``, in an event
or in a funnel row. Existing rows get NULL (nothing carried: the defaults).

Self-contained on purpose: a migration must not import application types that may change later.
Adding a nullable column needs no table rebuild on SQLite and no rewrite on PostgreSQL; the
downgrade drops the columns (batch mode, so SQLite can).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = ("handoffs", "resume_codes")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("preferences", JSON, nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("preferences")

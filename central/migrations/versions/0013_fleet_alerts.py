"""Fleet alerts and availability records (issue 14 items 5-6).

* ``fleet_alerts``: one row per alert (kiosk × rule) from the moment it opens until it clears. The
  partial unique index on (device_id, rule) WHERE resolved_at IS NULL is the deduplication: two
  evaluators on two nodes cannot open the same alert twice. ``open_sent_at`` / ``resolved_sent_at``
  are claimed by a conditional UPDATE before a notice is sent, so no notice goes out twice.
* ``availability_intervals``: per kiosk, consecutive intervals in one state (in_service,
  out_of_service, offline, closed); at most one open interval per kiosk (partial unique index).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fleet_alerts",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("open_sent_at", TS, nullable=True),
        sa.Column("resolved_sent_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name="fk_fleet_alerts_device_id_devices",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fleet_alerts"),
    )
    op.create_index(
        "uq_fleet_alerts_open",
        "fleet_alerts",
        ["device_id", "rule"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.create_index("ix_fleet_alerts_opened_at", "fleet_alerts", ["opened_at"])
    op.create_table(
        "availability_intervals",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name="fk_availability_intervals_device_id_devices",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_availability_intervals"),
    )
    op.create_index(
        "uq_availability_intervals_open",
        "availability_intervals",
        ["device_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "ix_availability_intervals_device_started",
        "availability_intervals",
        ["device_id", "started_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_availability_intervals_device_started", table_name="availability_intervals")
    op.drop_index("uq_availability_intervals_open", table_name="availability_intervals")
    op.drop_table("availability_intervals")
    op.drop_index("ix_fleet_alerts_opened_at", table_name="fleet_alerts")
    op.drop_index("uq_fleet_alerts_open", table_name="fleet_alerts")
    op.drop_table("fleet_alerts")

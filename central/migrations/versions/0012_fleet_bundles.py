"""Signed configuration bundles and staged rollouts (issue 14 item 3).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

* ``fleet_bundles``: each version's signed canonical JSON and its detached Ed25519 signature.
* ``fleet_rollouts``: one row per version: its stage (canaries, waves, all), state, canaries and
  their health when it began.
* ``device_bundles``: what each kiosk last said it runs (or refused) and what it was last served.

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "fleet_bundles",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_fleet_bundles"),
    )
    op.create_table(
        "fleet_rollouts",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("canaries", JSON, nullable=False),
        sa.Column("baseline", JSON, nullable=False),
        sa.Column("window_s", sa.Integer(), nullable=False),
        sa.Column("stage_started_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["version"],
            ["fleet_bundles.version"],
            name="fk_fleet_rollouts_version_fleet_bundles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version", name="pk_fleet_rollouts"),
    )
    op.create_table(
        "device_bundles",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("refused_version", sa.Integer(), nullable=True),
        sa.Column("served_version", sa.Integer(), nullable=True),
        sa.Column("served_at", TS, nullable=True),
        sa.Column("reported_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name="fk_device_bundles_device_id_devices",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_bundles"),
    )


def downgrade() -> None:
    op.drop_table("device_bundles")
    op.drop_table("fleet_rollouts")
    op.drop_table("fleet_bundles")

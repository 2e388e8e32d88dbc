"""Fleet: enrolment codes, remote commands, their uploads and audit, kiosk activity (issue 14 1-2).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Self-contained on purpose: a migration must not import application types that may change later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "enrolment_codes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_enrolment_codes"),
        sa.UniqueConstraint("code_hash", name="uq_enrolment_codes_code_hash"),
    )
    op.create_index("ix_enrolment_codes_expires_at", "enrolment_codes", ["expires_at"])
    op.create_table(
        "device_commands",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("args", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("queued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name="fk_device_commands_device_id_devices",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_device_commands"),
    )
    op.create_index("ix_device_commands_device_state", "device_commands", ["device_id", "state"])
    op.create_index("ix_device_commands_state_expires", "device_commands", ["state", "expires_at"])
    op.create_table(
        "command_uploads",
        sa.Column("command_id", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["command_id"],
            ["device_commands.id"],
            name="fk_command_uploads_command_id_device_commands",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("command_id", name="pk_command_uploads"),
    )
    op.create_index("ix_command_uploads_expires_at", "command_uploads", ["expires_at"])
    op.create_table(
        "fleet_audit",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("office", sa.String(length=64), nullable=True),
        sa.Column("command_id", sa.String(length=32), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fleet_audit"),
    )
    op.create_index("ix_fleet_audit_device_id", "fleet_audit", ["device_id"])
    op.create_index("ix_fleet_audit_command_id", "fleet_audit", ["command_id"])
    op.create_table(
        "device_activity",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("session_active", sa.Boolean(), nullable=False),
        sa.Column("idle_s", sa.Integer(), nullable=True),
        sa.Column("screen", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name="fk_device_activity_device_id_devices",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_activity"),
    )


def downgrade() -> None:
    op.drop_table("device_activity")
    op.drop_index("ix_fleet_audit_command_id", table_name="fleet_audit")
    op.drop_index("ix_fleet_audit_device_id", table_name="fleet_audit")
    op.drop_table("fleet_audit")
    op.drop_index("ix_command_uploads_expires_at", table_name="command_uploads")
    op.drop_table("command_uploads")
    op.drop_index("ix_device_commands_state_expires", table_name="device_commands")
    op.drop_index("ix_device_commands_device_state", table_name="device_commands")
    op.drop_table("device_commands")
    op.drop_index("ix_enrolment_codes_expires_at", table_name="enrolment_codes")
    op.drop_table("enrolment_codes")

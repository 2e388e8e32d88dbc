"""Fleet operations' tables (issue 14 items 1-2): enrolment codes, remote commands, their uploads,
the audit of both, and what a kiosk's latest heartbeat said about its citizen activity.

* ``enrolment_codes``: one row per code an admin made. Only the code's SHA-256 is stored (a code is
  a 100-bit random secret: a slow hash would only cost CPU). Single use: redeeming is one
  conditional ``UPDATE … WHERE used_at IS NULL AND expires_at > now`` — of two kiosks racing for a
  code, exactly one changes the row.
* ``device_commands``: queued → delivered → done / failed, or expired (undelivered past its
  deadline, or delivered and never answered). Delivery is one conditional UPDATE too, so two
  heartbeats of one kiosk racing never deliver a command twice.
* ``command_uploads``: what a command brought back (the readiness report PDF, a screenshot PNG),
  kept until ``expires_at`` (24 h for a screenshot).
* ``fleet_audit``: who did what to which kiosk and when — codes made and redeemed, commands queued,
  delivered, answered, expired, refused, and every view of an upload.
* ``device_activity``: the citizen activity the kiosk's latest heartbeat reported (a session open,
  seconds since the last touch), upserted by the heartbeat writer; central refuses to queue a
  screenshot from it.
* ``fleet_bundles``, ``fleet_rollouts``, ``device_bundles`` (issue 14 item 3): signed configuration
  bundles, how far each has been rolled out, and what each kiosk runs (:mod:`central.fleet.rollout`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.db.base import Base
from central.db.types import JSONType, UTCDateTime, utcnow

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

COMMAND_KINDS = (
    "restart",
    "reboot",
    "diagnostics",
    "test_slip",
    "out_of_service",
    "in_service",
    "fetch_config",
    "screenshot",
)
STATES = ("queued", "delivered", "done", "failed", "expired")


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    office: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DeviceCommand(Base):
    __tablename__ = "device_commands"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(64))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """Undelivered by then: expired. Delivered: answered by ``expires_at`` + the answer time."""
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)

    __table_args__ = (
        Index("ix_device_commands_device_state", "device_id", "state"),
        Index("ix_device_commands_state_expires", "state", "expires_at"),
    )


class CommandUpload(Base):
    __tablename__ = "command_uploads"

    command_id: Mapped[str] = mapped_column(
        ForeignKey("device_commands.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class FleetAudit(Base):
    __tablename__ = "fleet_audit"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    """``staff:<id>``, ``device:<id>``, ``system`` or ``cli``."""
    action: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    office: Mapped[str | None] = mapped_column(String(64), nullable=True)
    command_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class DeviceActivity(Base):
    __tablename__ = "device_activity"

    device_id: Mapped[str] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    session_active: Mapped[bool] = mapped_column(Boolean)
    idle_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Seconds since the last touch when the beat was sent (None: the kiosk did not say)."""
    screen: Mapped[str | None] = mapped_column(String(32), nullable=True)


class FleetAlert(Base):
    """An alert (kiosk × rule) from opening to clearing (issue 14 item 5; migration 0013). At most
    one open per kiosk and rule (a partial unique index); each notice is claimed by a conditional
    UPDATE of its ``*_sent_at`` before it is sent, so several nodes never send it twice."""

    __tablename__ = "fleet_alerts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    office: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    open_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index(
            "uq_fleet_alerts_open",
            "device_id",
            "rule",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),  # fmt: skip
    )


class AvailabilityInterval(Base):
    """A kiosk in one state (in_service, out_of_service, offline, closed) from ``started_at`` to
    ``ended_at`` (None: still so) — issue 14 item 6; migration 0013."""

    __tablename__ = "availability_intervals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    office: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("uq_availability_intervals_open", "device_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ix_availability_intervals_device_started", "device_id", "started_at"),
    )  # fmt: skip


__all__ = [
    "AvailabilityInterval",
    "FleetAlert",
    "COMMAND_KINDS",
    "STATES",
    "CommandUpload",
    "DeviceActivity",
    "DeviceBundle",
    "DeviceCommand",
    "EnrolmentCode",
    "FleetAudit",
    "FleetBundle",
    "FleetRollout",
]


class FleetBundle(Base):
    """A signed configuration bundle (issue 14 item 3): the canonical JSON that was signed, as
    text, and its detached Ed25519 signature. Version and content never change; the dates and the
    signature are renewed when it is served close to its expiry (``rollout.served_bundle``)."""

    __tablename__ = "fleet_bundles"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    """``publish``, or ``rollback`` (the content of an earlier version under a new number)."""
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FleetRollout(Base):
    """How far one bundle has gone: canaries (stage 0), then percentage waves, then all."""

    __tablename__ = "fleet_rollouts"

    version: Mapped[int] = mapped_column(
        ForeignKey("fleet_bundles.version", ondelete="CASCADE"), primary_key=True
    )
    previous: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The version every kiosk outside the reached rings runs (None: none yet)."""
    state: Mapped[str] = mapped_column(String(16))
    stage: Mapped[int] = mapped_column(Integer)
    canaries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    baseline: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    """Each canary's health (:mod:`central.fleet.health` status) when the rollout began."""
    window_s: Mapped[int] = mapped_column(Integer)
    stage_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)


class DeviceBundle(Base):
    """What a kiosk said about its bundle on its latest poll, and what it was last served."""

    __tablename__ = "device_bundles"

    device_id: Mapped[str] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    """``ok``; ``failed`` (it could not apply or run ``version``); ``refused`` (it refused one)."""
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    refused_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    served_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)

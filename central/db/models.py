"""The core tables: cases, their append-only events, idempotency keys, devices and heartbeats.

A case row is a *projection*: the fold (:mod:`central.fold`) of its events, stored so reads and the
staff queue need no replay. ``cases.version`` equals the ``seq`` of the case's latest event, so the
ETag of a case changes exactly when an event is appended.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from central.db.base import Base
from central.db.types import JSONType, UTCDateTime, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY, so BigInteger falls back to Integer there.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    service_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
    origin_channel: Mapped[str] = mapped_column(String(16))
    origin_office: Mapped[str] = mapped_column(String(64), index=True)
    origin_device: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    assigned_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the case last entered its office's staff queue (None: not waiting for staff)."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_cases_queue", "origin_office", "status", "queued_at"),)


class CaseEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"))
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    seq: Mapped[int] = mapped_column(Integer)
    """Order within the case, assigned by the server (1, 2, 3, ...)."""
    type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """The client's clock: when it happened at the kiosk/phone (may be hours before upload)."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (UniqueConstraint("case_id", "seq"),)


class IdempotencyKey(Base):
    """One row per (principal, key), inserted ``done`` with its response in the transaction that
    does the work; the unique constraint decides which of several concurrent requests (even in
    other processes) commits (see :mod:`central.idempotency`). ``running`` rows come only from
    releases before 2026-11-30, which claimed the key in a transaction of its own."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(100))
    """Who sent it, e.g. ``device:<id>`` — keys of different clients never collide."""
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    """``running`` or ``done``."""
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (UniqueConstraint("scope", "key"),)


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 (hex) of the secret part of the bearer token; the token itself is never stored."""
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Heartbeat(Base):
    """Every heartbeat received (history; :mod:`central.retention` keeps 14 days by default)."""

    __tablename__ = "heartbeats"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    software_version: Mapped[str] = mapped_column(String(64))
    outbox_depth: Mapped[int] = mapped_column(Integer)
    device_states: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        Index("ix_heartbeats_device_received", "device_id", "received_at"),
        Index("ix_heartbeats_received_at", "received_at"),  # the retention purge
    )


class DeviceStatus(Base):
    """The latest heartbeat per device (one row each, overwritten): what the fleet view lists."""

    __tablename__ = "device_status"

    device_id: Mapped[str] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    software_version: Mapped[str] = mapped_column(String(64))
    outbox_depth: Mapped[int] = mapped_column(Integer)
    device_states: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


__all__ = [
    "Case",
    "CaseEvent",
    "IdempotencyKey",
    "Device",
    "Heartbeat",
    "DeviceStatus",
]

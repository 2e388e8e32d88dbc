"""The two funnel tables: raw events (kept a while, for audit and drill-down) and rollups (kept).

``funnel_events`` holds one row per event, keyed by the client's ``event_id``: a replayed batch
inserts nothing twice (that is the whole deduplication). ``funnel_rollups`` is a narrow counter
table — one row per (office-local day, office, service, channel, metric, key) — that
:func:`central.measure.record.record_events` bumps in the same transaction as it inserts the raw
events, so a page or an export reads a few hundred counter rows for a month, never the events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from central.db.base import Base
from central.db.types import JSONType, UTCDateTime


class FunnelEvent(Base):
    __tablename__ = "funnel_events"

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    type: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    office: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    day: Mapped[date] = mapped_column(Date)
    """The office-local day the session started: the day every event of the session counts on."""
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """The type's own fields (step id and index, reason, duration, language, features, route)."""

    __table_args__ = (Index("ix_funnel_events_session_id", "session_id"),)


class FunnelRollup(Base):
    __tablename__ = "funnel_rollups"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    office: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_funnel_rollups_office_day", "office", "day"),)


class MeasureMark(Base):
    """How far a fold has read a source (:mod:`central.measure.feedback`)."""

    __tablename__ = "measure_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

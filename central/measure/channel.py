"""Funnel events for central's own channels (web, and staff's counter and phone), in three calls.

The kiosk makes its events itself and posts them (:mod:`central.measure.routes`); a channel served
by central records its sessions here, inside the request's own transaction, so a page that moves
the citizen on and the count of it commit together::

    attempt = Attempt.new("change-of-address", "web", now)       # keep attempt.as_dict() in the
    begin(conn, attempt, where, language="cy")                   # web session (no personal data)
    reach(conn, attempt, where, "new-address")                   # each step page shown
    end(conn, attempt, where, "submitted")                       # or abandoned_web, handed_off_*

``where`` is a :class:`Where`: the office the session belongs to and the app's catalogue, zones and
clock. ``session_id`` is random (never the case id or a cookie), so funnel rows cannot be joined
to a case. Each call returns what :func:`central.measure.record.record_events` says; an id the
catalogue does not know is refused there (reported, not raised), so a page never fails on
measurement. Steps are counted once per attempt by the caller's choice: reach the same step
twice and it counts twice (the kiosk keeps the set of steps reached; a web page can keep it in
its session too, or call :func:`reach` only on a first visit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from catalogue import funnel
from catalogue.model import Catalogue
from central.measure.record import record_events
from central.measure.schemas import FunnelBatchOut, FunnelEventIn
from central.measure.zones import OfficeZones

__all__ = ["Attempt", "Where", "begin", "end", "reach"]


@dataclass(frozen=True)
class Where:
    office: str
    catalogue: Catalogue
    zones: OfficeZones
    now: datetime


@dataclass(frozen=True)
class Attempt:
    session_id: str
    service_id: str
    channel: str
    started_at: datetime

    @classmethod
    def new(cls, service_id: str, channel: str, now: datetime) -> Attempt:
        return cls(str(uuid.uuid4()), service_id, channel, now)

    def as_dict(self) -> dict[str, str]:
        """JSON-ready, to keep in a web session between requests."""
        return {
            "session_id": self.session_id,
            "service_id": self.service_id,
            "channel": self.channel,
            "started_at": self.started_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attempt:
        return cls(
            str(data["session_id"]),
            str(data["service_id"]),
            str(data["channel"]),
            datetime.fromisoformat(str(data["started_at"])),
        )


def _when(attempt: Attempt, where: Where) -> datetime:
    """Now, within the attempt's life: an abandoned draft ended by a purge weeks later ends
    :data:`catalogue.funnel.MAX_DURATION_S` after it started."""
    latest = attempt.started_at + timedelta(seconds=funnel.MAX_DURATION_S)
    return min(max(where.now, attempt.started_at), latest)


def _record(conn: Connection, attempt: Attempt, where: Where, **fields: Any) -> FunnelBatchOut:
    event = FunnelEventIn.model_validate(
        {
            "event_id": uuid.uuid4(),
            "session_id": attempt.session_id,
            "service_id": attempt.service_id,
            "channel": attempt.channel,
            "started_at": attempt.started_at,
            "occurred_at": _when(attempt, where),
            **fields,
        }
    )
    return record_events(
        conn,
        [event],
        office=where.office,
        device_id=None,
        channels=frozenset({attempt.channel}),
        catalogue=where.catalogue,
        zones=where.zones,
        now=where.now,
    )


def begin(
    conn: Connection,
    attempt: Attempt,
    where: Where,
    *,
    language: str | None = None,
    features: tuple[str, ...] = (),
) -> FunnelBatchOut:
    return _record(conn, attempt, where, type="started", language=language, features=list(features))


def reach(conn: Connection, attempt: Attempt, where: Where, step_id: str) -> FunnelBatchOut:
    return _record(conn, attempt, where, type="step", step_id=step_id)


def end(conn: Connection, attempt: Attempt, where: Where, reason: str) -> FunnelBatchOut:
    elapsed = _when(attempt, where) - attempt.started_at
    return _record(
        conn,
        attempt,
        where,
        type="ended",
        reason=reason,
        duration_ms=int(elapsed.total_seconds() * 1000),
    )

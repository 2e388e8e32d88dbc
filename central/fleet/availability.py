"""Availability records per kiosk (issue 14 item 6): in service, out of service, offline, closed.

Why intervals: "was the kiosk in Cardiff usable last month when the office was open?" must be
answered after the heartbeat history has been purged (14 days by default), so every fleet pass
(:func:`central.fleet.alerts.run_pass`, from ``kiosk-central alerts evaluate`` or ``serve``'s
background task) turns each kiosk's latest heartbeat into its state now and, when the state changed,
closes the open interval and opens the next. One row per change, not per beat: a kiosk that works
all month writes a handful of rows.

A kiosk's state, first match wins:

* ``closed`` — its office is closed by schedule (``hours`` in offices.toml; none: always open);
* ``offline`` — no heartbeat for two intervals (the interval starts at its last heartbeat);
* ``out_of_service`` — out of service by command or by its crash-loop guard, or a device fault
  (hardware; paper near its end still serves, so it does not count);
* ``in_service``.

Kiosks never seen are not recorded (not installed yet). Availability in opening hours is in-service
time over all time outside ``closed``. Resolution is the pass's period (30 s by default).

Several nodes: an interval is closed by a conditional UPDATE (``ended_at IS NULL``) and opened by an
INSERT that a partial unique index (one open interval per kiosk) turns into a no-op on a race.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from catalogue.opening_hours import OpeningHours
from central.db.models import Device
from central.fleet.models import AvailabilityInterval

__all__ = [
    "STATES",
    "KioskAvailability",
    "fleet_availability",
    "in_opening_hours",
    "pooled",
    "record",
    "state_of",
    "summary",
]

STATES = ("in_service", "out_of_service", "offline", "closed")
TABLE = AvailabilityInterval.__table__


def state_of(
    facts: dict[str, Any], now: datetime, hours: OpeningHours, silent_after: timedelta
) -> str | None:
    """The state now from a kiosk's latest facts (``last_seen``, ``out_of_service``,
    ``hardware_fault``); None for a kiosk never seen."""
    if facts.get("last_seen") is None:
        return None
    if not hours.is_open(now):
        return "closed"
    if now - facts["last_seen"] > silent_after:
        return "offline"
    if facts.get("out_of_service") or facts.get("hardware_fault"):
        return "out_of_service"
    return "in_service"


def _insert(conn: Connection) -> Any:
    insert_ = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return insert_(TABLE).on_conflict_do_nothing(
        index_elements=[TABLE.c.device_id], index_where=text("ended_at IS NULL")
    )


def record(conn: Connection, now: datetime, states: dict[str, tuple[str, str, datetime]]) -> int:
    """Apply ``states`` (device id → (office, state, since)) to the open intervals; returns how many
    intervals were opened. ``since`` is when the state began (``now``, or the last heartbeat for
    ``offline``), never before the open interval's start."""
    current = {
        r.device_id: r
        for r in conn.execute(
            select(TABLE.c.id, TABLE.c.device_id, TABLE.c.state, TABLE.c.started_at).where(
                TABLE.c.ended_at.is_(None)
            )
        )
    }
    opened = 0
    rows: list[dict[str, Any]] = []
    for device_id, (office, state, since) in sorted(states.items()):
        row = current.get(device_id)
        if row is not None and row.state == state:
            continue
        at = min(max(since, row.started_at), now) if row is not None else now
        if row is not None:
            closed = conn.execute(
                update(TABLE)
                .where(TABLE.c.id == row.id, TABLE.c.ended_at.is_(None))
                .values(ended_at=at)
            )
            if closed.rowcount != 1:
                continue  # another node changed it first
        rows.append({"device_id": device_id, "office": office, "state": state, "started_at": at})
    if rows:
        opened = len(conn.execute(_insert(conn).returning(TABLE.c.id), rows).all())
    return opened


@dataclass
class KioskAvailability:
    device_id: str
    name: str
    office: str
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))

    @property
    def open_seconds(self) -> float:
        return sum(v for k, v in self.seconds.items() if k != "closed")

    @property
    def availability(self) -> float | None:
        """In-service share of the time the office was open (None: no such time recorded)."""
        total = self.open_seconds
        return self.seconds["in_service"] / total if total > 0 else None


def summary(
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    office: str | None = None,
) -> list[KioskAvailability]:
    """Seconds in each state per kiosk within ``[start, end)`` (an open interval runs to ``now``)."""
    query = (
        select(
            Device.id,
            Device.name,
            Device.office,
            TABLE.c.state,
            TABLE.c.started_at,
            TABLE.c.ended_at,
        )  # fmt: skip
        .join(TABLE, TABLE.c.device_id == Device.id)
        .where(
            Device.revoked_at.is_(None),
            TABLE.c.started_at < end,
            (TABLE.c.ended_at.is_(None)) | (TABLE.c.ended_at > start),
        )
    )
    if office is not None:
        query = query.where(Device.office == office)
    kiosks: dict[str, KioskAvailability] = {}
    for r in session.execute(query):
        k = kiosks.setdefault(r.id, KioskAvailability(r.id, r.name, r.office))
        lo, hi = max(r.started_at, start), min(r.ended_at or now, end)
        if hi > lo and r.state in k.seconds:
            k.seconds[r.state] += (hi - lo).total_seconds()
    return sorted(kiosks.values(), key=lambda k: (k.office, k.name.casefold(), k.device_id))


def fleet_availability(
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    office: str | None = None,
) -> float | None:
    """Kiosk availability in opening hours for the performance scorecard: in-service time over
    all kiosks' open-hours time (None when nothing was recorded)."""
    return pooled(summary(session, start, end, now, office))


def in_opening_hours(
    conn: Any, first: date, last: date, now: datetime, office: str | None = None
) -> float | None:
    """:func:`fleet_availability` over whole days ``first``..``last`` (UTC day bounds) — the
    "kiosk availability in opening hours" figure of ``kiosk-central report --format json``."""
    start = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), UTC)
    return pooled(summary(conn, start, end, now, office))


def pooled(kiosks: Iterable[KioskAvailability]) -> float | None:
    totals: dict[str, float] = defaultdict(float)
    for k in kiosks:
        for state, seconds in k.seconds.items():
            totals[state] += seconds
    open_time = sum(v for s, v in totals.items() if s != "closed")
    return totals["in_service"] / open_time if open_time > 0 else None


HoursFor = Callable[[str], OpeningHours]

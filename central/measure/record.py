"""Recording funnel events: insert the new ones, fold them into the rollups, in one transaction.

:func:`record_events` is the one way in, for every channel: the kiosk's ``POST /api/v1/funnel``
(:mod:`central.measure.routes`) and the web channel's own sessions, which call it directly (see
"For the web channel" below). Nothing here reads personal data, and nothing it writes can hold any.

Why it is built like this:

* **Idempotent by event id.** Raw rows are inserted with ``ON CONFLICT DO NOTHING … RETURNING``;
  only the rows that were new are folded. A kiosk's relay that resends a batch (its
  acknowledgement was lost), or two server nodes receiving the same batch at once, count once:
  on PostgreSQL the second insert of an id waits for the first transaction and then does nothing.
* **Rollups in the same transaction.** Counters are bumped with ``INSERT … ON CONFLICT DO UPDATE
  SET value = value + excluded.value`` in the transaction that inserted the raw rows, so the two
  never disagree: a failure rolls back both and the client's retry folds again, once. Upserts go
  in key order, so concurrent batches lock counter rows in one order (no deadlock). Every count
  goes to its office's row and to the all-offices row (:data:`ALL_OFFICES`); those are the hot
  rows every batch of a day touches, which serialises concurrent batches on them for the length
  of a commit — fine for a fleet's few events a second, and the price of a page across every
  office reading 1/N of the rows.
* **The day a session counts on** is the office-local date of its ``started_at``, carried by every
  event of the session: a session crossing midnight, or whose events reach central a day late
  from an offline kiosk, lands on the day it started, and no event needs another to be found first.
* **Per-event refusals.** An event naming a service or step the catalogue does not know (a kiosk
  on an older catalogue), a channel its sender may not speak for, or a time more than
  :data:`FUTURE_SLACK` ahead of the server is refused alone and reported by index; the others are
  stored. Shape errors are the schema's (422 for the whole batch).

For the web channel (the three calls of :mod:`central.measure.channel` do all of this for one
event at a time): build :class:`central.measure.schemas.FunnelEventIn` objects for a web
session (``channel="web"``; a random ``session_id`` per attempt, not the case id or the web
session's cookie) and call ``record_events(session.connection(), events, office=...,
device_id=None, channels=WEB_CHANNELS, catalogue=..., zones=app.state.office_zones, now=...)``
inside the request's transaction; commit as usual. An unsubmitted web attempt that expires should
end with ``reason="abandoned_web"`` (e.g. from the retention purge of expired web sessions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from catalogue import funnel
from catalogue.model import Catalogue
from central.measure.models import FunnelEvent, FunnelRollup
from central.measure.schemas import FunnelBatchOut, FunnelEventIn, Refused
from central.measure.zones import OfficeZones

__all__ = ["DEVICE_CHANNELS", "FUTURE_SLACK", "WEB_CHANNELS", "record_events"]

EVENTS = FunnelEvent.__table__
ROLLUPS = FunnelRollup.__table__
DEVICE_CHANNELS = frozenset({"kiosk", "assisted"})
WEB_CHANNELS = frozenset({"web"})
STAFF_CHANNELS = frozenset({"counter", "phone", "assisted"})
FUTURE_SLACK = timedelta(hours=1)
ALL_OFFICES = "*"
"""The office of the rollup rows that sum every office (no office id can be "*"): a page across
every office reads these, not one row per office — at 500 offices, 1/500 of the rows."""
RollupKey = tuple[Any, str, str, str, str, str]


def _insert(conn: Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _check(
    event: FunnelEventIn, catalogue: Catalogue, channels: frozenset[str], now: datetime
) -> str | None:
    service = catalogue.services.get(event.service_id)
    if service is None:
        return "unknown_service"
    if event.channel not in channels:
        return "wrong_channel"
    if event.step_id is not None and event.step_id not in funnel.step_ids(service):
        return "unknown_step"
    if event.occurred_at > now + FUTURE_SLACK:
        return "in_the_future"
    return None


def _data(event: FunnelEventIn, catalogue: Catalogue) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if event.type == "started":
        data = {"language": event.language, "features": list(event.features)}
    elif event.type == "step":
        service = catalogue.services[event.service_id]
        data = {
            "step_id": event.step_id,
            "step_index": funnel.step_index(service, event.step_id or ""),
        }
    elif event.type == "ended":
        data = {"reason": event.reason, "duration_ms": event.duration_ms}
    elif event.type == "handoff":
        data = {"route": event.route}
    return data


def _counts(row: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(metric, key) → increment for one new raw row."""
    data, out = row["data"], Counter[tuple[str, str]]()
    kind = row["type"]
    if kind == "started":
        out["started", ""] += 1
        if data.get("language"):
            out["language", data["language"]] += 1
        for feature in data.get("features", ()):
            out["feature", feature] += 1
    elif kind == "step":
        out["step", data["step_id"]] += 1
    elif kind == "ended":
        reason = data["reason"]
        out["ended", reason] += 1
        if data.get("duration_ms") is not None:
            out["duration_ms", reason] += data["duration_ms"]
            bucket = funnel.bucket_of(data["duration_ms"] / 1000)
            out["duration", f"{reason}:{bucket:02d}"] += 1
    elif kind == "handoff":
        out["handoff", data["route"]] += 1
    elif kind == "feedback":  # folded from feedback_given (central.measure.feedback), score only
        out["feedback", str(data["score"])] += 1
    elif kind == "case_outcome":  # folded from closed (central.measure.handoffs)
        out["outcome_closed", ""] += 1
        out["outcome_time", f"{data['band']:02d}"] += 1
    elif kind == "case_queue":  # folded from assigned (central.measure.handoffs)
        out["queue_taken", ""] += 1
        out["queue_wait_ms", ""] += data["wait_ms"]
        out["queue_wait", f"{funnel.bucket_of(data['wait_ms'] / 1000):02d}"] += 1
    elif kind == "case_handoff":  # folded from the cases' handoffs (central.measure.handoffs)
        route = data["route"]
        if data["stage"] == "offered":
            out["route_offered", route] += 1
        else:
            out["route_taken", route] += 1
            out["route_wait_ms", route] += data["wait_ms"]
            out["route_wait", f"{route}:{funnel.bucket_of(data['wait_ms'] / 1000):02d}"] += 1
    return out


def record_events(
    conn: Connection,
    events: Sequence[FunnelEventIn],
    *,
    office: str,
    device_id: str | None,
    channels: frozenset[str],
    catalogue: Catalogue,
    zones: OfficeZones,
    now: datetime,
) -> FunnelBatchOut:
    """Store the new ones of ``events`` and fold them into the rollups, within ``conn``'s
    transaction (the caller commits). ``office`` and ``device_id`` come from the caller's
    authentication, never from the events; ``channels`` are those the caller may speak for."""
    refused: list[Refused] = []
    rows: dict[Any, dict[str, Any]] = {}
    for index, event in enumerate(events):
        why = _check(event, catalogue, channels, now)
        if why is not None:
            refused.append(Refused(index=index, reason=why))  # type: ignore[arg-type]
            continue
        rows.setdefault(
            event.event_id,
            {
                "event_id": event.event_id,
                "session_id": event.session_id,
                "type": event.type,
                "service_id": event.service_id,
                "channel": event.channel,
                "office": office,
                "device_id": device_id,
                "day": zones.day(office, event.started_at),
                "started_at": event.started_at,
                "occurred_at": event.occurred_at,
                "received_at": now,
                "data": _data(event, catalogue),
            },
        )
    valid = len(events) - len(refused)
    new = store_rows(conn, rows)
    return FunnelBatchOut(accepted=new, duplicates=valid - new, refused=refused)


def store_rows(conn: Connection, rows: dict[Any, dict[str, Any]]) -> int:
    """Insert raw rows {event_id: row} (ids already stored are skipped) and fold the new ones into
    the rollups, in ``conn``'s transaction; how many were new."""
    if not rows:
        return 0
    stmt = _insert(conn)(EVENTS).on_conflict_do_nothing(index_elements=[EVENTS.c.event_id])
    new = {
        r.event_id
        for r in conn.execute(
            stmt.returning(EVENTS.c.event_id), [rows[k] for k in sorted(rows, key=str)]
        )
    }  # in id order: two batches sharing ids lock them in one order
    totals: Counter[RollupKey] = Counter()
    for event_id in new:
        row = rows[event_id]
        where = (row["day"], row["office"], row["service_id"], row["channel"])
        everywhere = (row["day"], ALL_OFFICES, row["service_id"], row["channel"])
        for (metric, key), n in _counts(row).items():
            totals[(*where, metric, key)] += n
            totals[(*everywhere, metric, key)] += n
    if totals:
        upsert = _insert(conn)(ROLLUPS)
        upsert = upsert.on_conflict_do_update(
            index_elements=[c for c in ROLLUPS.primary_key.columns],
            set_={"value": ROLLUPS.c.value + upsert.excluded.value},
        )
        names = ("day", "office", "service_id", "channel", "metric", "key")
        conn.execute(
            upsert,
            [{**dict(zip(names, k, strict=True)), "value": n} for k, n in sorted(totals.items())],
        )
    return len(new)

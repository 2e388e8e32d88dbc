"""Satisfaction in the rollups: the one feedback event (``feedback_given``, :mod:`central.feedback`)
folded into the funnel rollups by a frequent, incremental job.

Feedback reaches central on four paths (a case's events from a kiosk, the web, the counter and
phone pages; ``POST /api/v1/feedback`` for feedback with no case), none of them measurement's, so
rather than a call in each, :func:`fold` reads what arrived since its mark and folds it:

* case events of type ``feedback_given`` with ``id`` above the mark (the primary key: a range
  scan), joined to their case for the service and office; the event's channel;
* ``feedback_events`` (no case) received since the mark (indexed), for their service and office.

Each becomes a raw funnel row of type ``feedback`` (event id derived from the feedback's own, so a
re-read is a replay: :func:`central.measure.record.store_rows` skips it) on the office-local day
it was given, with only the score (1–5) and the ending — never the comment — and bumps the
``feedback:<score>`` counter of its office × service × channel × day. Each run re-reads
:data:`REWIND_IDS` ids / :data:`REWIND` behind its mark, so a transaction that committed after a
later one is still read; the deduplication makes that free. Feedback with no service is not
folded (a satisfaction figure is per service).

Runs before the performance page and the report read (bounded: what arrived since the last run),
and from ``kiosk-central purge``'s timer through nothing else — so figures are as fresh as the
last page view. Both nodes may fold at once: on PostgreSQL the mark row is locked for the fold.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from central import feedback as shape
from central.db.models import Case, CaseEvent
from central.measure.models import MeasureMark
from central.measure.record import store_rows
from central.measure.zones import OfficeZones

__all__ = ["REWIND", "REWIND_IDS", "fold", "fold_quietly"]

log = logging.getLogger("central.measure.feedback")
NAMESPACE = uuid.UUID("5b0d1f8e-6a53-4f7e-9a61-2f1a0c7e13aa")
REWIND_IDS = 10_000
REWIND = timedelta(minutes=10)
LIMIT = 20_000
CASE_MARK, LOOSE_MARK = "feedback_case_events", "feedback_events"
M = MeasureMark.__table__


def _mark(conn: Connection, name: str) -> tuple[int, datetime | None]:
    query = select(M.c.last_id, M.c.last_at).where(M.c.name == name)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(insert(M).values(name=name, last_id=0, last_at=None).on_conflict_do_nothing())
        row = conn.execute(query).first()
    assert row is not None
    return int(row.last_id), row.last_at


def _row(event_id: uuid.UUID, channel: str, office: str, service_id: str, at: datetime,
         payload: dict[str, Any], zones: OfficeZones, now: datetime) -> dict[str, Any] | None:  # fmt: skip
    score = payload.get("score")
    if not isinstance(score, int) or score not in shape.SCORES:
        return None
    fid = uuid.uuid5(NAMESPACE, str(event_id))
    return {
        "event_id": fid,
        "session_id": fid,
        "type": "feedback",
        "service_id": service_id,
        "channel": channel,
        "office": office,
        "device_id": None,
        "day": zones.day(office, at),
        "started_at": at,
        "occurred_at": at,
        "received_at": now,
        "data": {"score": score, "ending": payload.get("ending")},
    }


def fold(conn: Connection, zones: OfficeZones, now: datetime) -> int:
    """Fold the feedback that arrived since the marks, in ``conn``'s transaction (the caller
    commits); how many were new to the rollups."""
    from central.feedback_api import FeedbackEvent

    E, C, F = CaseEvent.__table__, Case.__table__, FeedbackEvent.__table__
    total = 0
    # feedback on cases
    last_id, _ = _mark(conn, CASE_MARK)
    found = conn.execute(
        select(E.c.id, E.c.event_id, E.c.channel, E.c.occurred_at, E.c.payload,
               C.c.service_id, C.c.origin_office)
        .join(C, C.c.id == E.c.case_id)
        .where(E.c.id > last_id - REWIND_IDS, E.c.type == shape.EVENT_TYPE)
        .order_by(E.c.id)
        .limit(LIMIT)
    ).all()  # fmt: skip
    rows = {}
    for r in found:
        row = _row(r.event_id, r.channel, r.origin_office, r.service_id, r.occurred_at,
                   r.payload or {}, zones, now)  # fmt: skip
        if row is not None:
            rows[row["event_id"]] = row
    total += store_rows(conn, rows)
    if found and found[-1].id > last_id:
        conn.execute(M.update().where(M.c.name == CASE_MARK).values(last_id=found[-1].id))
    # feedback with no case
    _, last_at = _mark(conn, LOOSE_MARK)
    query = select(F).where(F.c.service_id.is_not(None)).order_by(F.c.received_at).limit(LIMIT)
    if last_at is not None:
        query = query.where(F.c.received_at > last_at - REWIND)
    loose = conn.execute(query).all()
    rows = {}
    for r in loose:
        row = _row(r.event_id, r.channel, r.office, r.service_id, r.occurred_at,
                   r.payload or {}, zones, now)  # fmt: skip
        if row is not None:
            rows[row["event_id"]] = row
    total += store_rows(conn, rows)
    if loose and (last_at is None or loose[-1].received_at > last_at):
        conn.execute(M.update().where(M.c.name == LOOSE_MARK).values(last_at=loose[-1].received_at))
    return total


def fold_quietly(conn: Connection, zones: OfficeZones | None, now: datetime) -> None:
    """:func:`fold`, then the handoffs' (:func:`central.measure.handoffs.fold_handoffs`), for a
    page or a report, in a savepoint of ``conn``'s transaction: a failure
    is logged by type and rolled back alone, the reading goes on."""
    if zones is None:
        return
    from central.measure.handoffs import fold_handoffs

    try:
        with conn.begin_nested():
            fold(conn, zones, now)
            fold_handoffs(conn, zones, now)
    except Exception as exc:  # noqa: BLE001 - the figures are a fold late, nothing worse
        log.warning("feedback not folded: %s", type(exc).__name__)

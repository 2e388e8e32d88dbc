"""Handoff conversion per route, from the cases' own ``handed_off`` / ``help_requested`` /
``assigned`` events, folded into the rollups like feedback (:mod:`central.measure.feedback`: a mark
on ``case_events.id``, re-read a little behind, raw rows deduplicated).

A route is *offered* by one event and *taken* by a later one in the same case:

=============== ================================================ ==========================================
route           offered by                                       taken by
=============== ================================================ ==========================================
kiosk_phone     ``handed_off`` to web, ``offered``, on kiosk or   ``handed_off`` ``confirmed`` (the kiosk, or
                assisted (the QR code / display code)             staff, confirmed the phone's claim)
counter_phone   the same, on counter or phone (staff's QR)        the same
kiosk_staff     ``help_requested`` or ``handed_off`` to staff,    ``assigned`` (a member of staff picked it up)
                on kiosk or assisted
web_staff       the same on the web ("I need help")               ``assigned``
slip_resume     ``handed_off`` ``slip_printed`` (a resume code    ``handed_off`` ``resumed`` (web or kiosk)
                on a slip, kiosk or staff)
web_kiosk       ``handed_off`` ``saved`` (saved on the web)       ``handed_off`` ``resumed`` to kiosk
=============== ================================================ ==========================================

A taken event pairs with the latest offer of its kind before it in the case, and counts on that
offer's office-local day, office, service and channel, with the time between them (the wait, in
the duration bands of :data:`catalogue.funnel.DURATION_BUCKETS_S`). A case handed off twice (the
first declined or left to expire) has two offers and, if the second is confirmed, one taken:
conversion 1 of 2. Counters: ``route_offered:<route>``, ``route_taken:<route>``,
``route_wait:<route>:<band>``, ``route_wait_ms:<route>``. Only event types, stages and times are
read: never a payload's other members, never an answer.

The **staff queue wait** is folded on the way: each ``assigned`` pairs with the event that last put
the case in its office's queue (help asked, a handoff to staff, or ``unassigned``), counted on that
event's day and channel — ``queue_taken``, ``queue_wait:<band>``, ``queue_wait_ms`` — so the
median, p90 and the share over the service level are read from the bands
(:func:`central.measure.metrics.metrics`). Times are the events' own (when the citizen asked, not
when an offline kiosk's event arrived).

So is the **time to outcome**: each ``closed`` pairs with the case's last ``submitted``, counted
on the day and channel it was sent (``outcome_closed``, ``outcome_time:<band>`` in the bands of
:data:`OUTCOME_BUCKETS_S`, hours to 30 days).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from central.db.models import Case, CaseEvent
from central.measure.feedback import LIMIT, REWIND_IDS, _mark
from central.measure.metrics import OUTCOME_BUCKETS_S
from central.measure.models import MeasureMark
from central.measure.record import store_rows
from central.measure.zones import OfficeZones

__all__ = ["ROUTES", "fold_handoffs", "offer_kind", "taken_kind"]

NAMESPACE = uuid.UUID("0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5")
MARK = "handoff_case_events"
ROUTES = ("kiosk_phone", "counter_phone", "kiosk_staff", "web_staff", "slip_resume", "web_kiosk")
TYPES = ("handed_off", "help_requested", "assigned")
OUTCOME_NAMESPACE = uuid.UUID("3a9c5e7f-1b2d-4f6a-8c0e-2d4f6a8c0e1b")

QUEUE_NAMESPACE = uuid.UUID("7f3e9b1c-2d4a-4e5f-9a6b-1c2d3e4f5a6b")
QUEUE_TYPES = ("help_requested", "handed_off", "unassigned")
M = MeasureMark.__table__
KIOSKS = ("kiosk", "assisted")
STAFF = ("counter", "phone")


def offer_kind(kind: str, channel: str, payload: dict[str, Any]) -> str | None:
    """The route an event offers, or None."""
    to, stage = payload.get("to"), payload.get("stage")
    if kind == "help_requested" or (kind == "handed_off" and to == "staff"):
        if channel in KIOSKS:
            return "kiosk_staff"
        return "web_staff" if channel == "web" else None
    if kind != "handed_off":
        return None
    if stage == "offered" and to == "web":
        if channel in KIOSKS:
            return "kiosk_phone"
        return "counter_phone" if channel in STAFF else None
    if stage == "slip_printed":
        return "slip_resume"
    if stage == "saved":
        return "web_kiosk"
    return None


def taken_kind(kind: str, payload: dict[str, Any]) -> tuple[str, ...]:
    """The routes an event may take (the latest matching offer decides), or ()."""
    if kind == "assigned":
        return ("kiosk_staff", "web_staff")
    if kind != "handed_off":
        return ()
    stage = payload.get("stage")
    if stage == "confirmed":
        return ("kiosk_phone", "counter_phone")
    if stage == "resumed":
        return ("web_kiosk", "slip_resume") if payload.get("to") == "kiosk" else ("slip_resume",)
    return ()


def _offer_before(conn: Connection, case_id: Any, before_id: int, routes: tuple[str, ...]) -> Any:
    E = CaseEvent.__table__
    rows = conn.execute(
        select(E.c.type, E.c.channel, E.c.payload, E.c.occurred_at)
        .where(E.c.case_id == case_id, E.c.id < before_id, E.c.type.in_(TYPES))
        .order_by(E.c.id.desc())
    )
    for r in rows:
        route = offer_kind(r.type, r.channel, r.payload or {})
        if route in routes:
            return route, r
        if set(taken_kind(r.type, r.payload or {})) & set(routes):
            return None  # that offer was taken already (picked up again after being put back)
    return None


def outcome_band(seconds: float) -> int:
    for i, upper in enumerate(OUTCOME_BUCKETS_S):
        if seconds <= upper:
            return i
    return len(OUTCOME_BUCKETS_S)


def _queued_before(conn: Connection, case_id: Any, before_id: int) -> Any:
    """The event that last put the case in the staff queue before ``before_id``: help asked, a
    handoff to staff, or a member of staff putting it back."""
    E = CaseEvent.__table__
    rows = conn.execute(
        select(E.c.type, E.c.channel, E.c.payload, E.c.occurred_at)
        .where(E.c.case_id == case_id, E.c.id < before_id, E.c.type.in_(QUEUE_TYPES))
        .order_by(E.c.id.desc())
    )
    for r in rows:
        if r.type != "handed_off" or (r.payload or {}).get("to") == "staff":
            return r
    return None


def fold_handoffs(conn: Connection, zones: OfficeZones, now: datetime) -> int:
    """Fold the handoff events that arrived since the mark, in ``conn``'s transaction."""
    E, C = CaseEvent.__table__, Case.__table__
    last_id, _ = _mark(conn, MARK)
    found = conn.execute(
        select(E.c.id, E.c.event_id, E.c.case_id, E.c.type, E.c.channel, E.c.occurred_at,
               E.c.payload, C.c.service_id, C.c.origin_office)
        .join(C, C.c.id == E.c.case_id)
        .where(E.c.id > last_id - REWIND_IDS, E.c.type.in_((*TYPES, "closed")))
        .order_by(E.c.id)
        .limit(LIMIT)
    ).all()  # fmt: skip
    rows: dict[Any, dict[str, Any]] = {}
    for r in found:
        if r.type == "closed":
            sent = conn.execute(
                select(E.c.channel, E.c.occurred_at)
                .where(E.c.case_id == r.case_id, E.c.id < r.id, E.c.type == "submitted")
                .order_by(E.c.id.desc())
                .limit(1)
            ).first()
            if sent is not None:
                oid = uuid.uuid5(OUTCOME_NAMESPACE, str(r.event_id))
                took = max(0, int((r.occurred_at - sent.occurred_at).total_seconds()))
                rows[oid] = {
                    "event_id": oid,
                    "session_id": oid,
                    "type": "case_outcome",
                    "service_id": r.service_id,
                    "channel": sent.channel,
                    "office": r.origin_office,
                    "device_id": None,
                    "day": zones.day(r.origin_office, sent.occurred_at),
                    "started_at": sent.occurred_at,
                    "occurred_at": r.occurred_at,
                    "received_at": now,
                    "data": {"seconds": took, "band": outcome_band(took)},
                }
            continue
        if r.type == "assigned":
            queued = _queued_before(conn, r.case_id, r.id)
            if queued is not None:
                qid = uuid.uuid5(QUEUE_NAMESPACE, str(r.event_id))
                wait = max(0, int((r.occurred_at - queued.occurred_at).total_seconds() * 1000))
                rows[qid] = {
                    "event_id": qid,
                    "session_id": qid,
                    "type": "case_queue",
                    "service_id": r.service_id,
                    "channel": queued.channel,
                    "office": r.origin_office,
                    "device_id": None,
                    "day": zones.day(r.origin_office, queued.occurred_at),
                    "started_at": queued.occurred_at,
                    "occurred_at": r.occurred_at,
                    "received_at": now,
                    "data": {"wait_ms": wait},
                }
        payload = r.payload or {}
        route = offer_kind(r.type, r.channel, payload)
        offer, data = r, {"route": route, "stage": "offered"}
        if route is None:
            routes = taken_kind(r.type, payload)
            paired = _offer_before(conn, r.case_id, r.id, routes) if routes else None
            if paired is None:
                continue
            route, offer = paired
            wait = max(0, int((r.occurred_at - offer.occurred_at).total_seconds() * 1000))
            data = {"route": route, "stage": "taken", "wait_ms": wait}
        fid = uuid.uuid5(NAMESPACE, str(r.event_id))
        rows[fid] = {
            "event_id": fid,
            "session_id": fid,
            "type": "case_handoff",
            "service_id": r.service_id,
            "channel": offer.channel,
            "office": r.origin_office,
            "device_id": None,
            "day": zones.day(r.origin_office, offer.occurred_at),
            "started_at": offer.occurred_at,
            "occurred_at": r.occurred_at,
            "received_at": now,
            "data": data,
        }
    total = store_rows(conn, rows)
    if found and found[-1].id > last_id:
        conn.execute(M.update().where(M.c.name == MARK).values(last_id=found[-1].id))
    return total

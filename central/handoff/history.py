"""Appending to a case's one history from the handoff, web and staff channels.

Every change a citizen on the web or a member of staff makes is a ``case_events`` row with its
channel and actor, applied through :func:`central.fold.apply` to the stored projection first, so an
event the case cannot take (e.g. answers after submission) is refused and never stored.

The caller holds the transaction; on PostgreSQL the case row is locked (``FOR UPDATE``) so two
writers never take the same ``seq``; on SQLite ``BEGIN IMMEDIATE`` already serialises writers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from central.db.models import Case, CaseEvent
from central.fold import CaseState, Event, FoldError, apply

__all__ = [
    "FoldError",
    "append_event",
    "append_event_row",
    "fold_check",
    "lock_case",
    "lock_case_row",
]

CASES = Case.__table__
EVENTS = CaseEvent.__table__
# Built once: a statement object caches its compiled form's key, so a call only binds values.
_CASE_ROW = select(CASES).where(CASES.c.id == bindparam("case_id"))
_CASE_ROW_LOCKED = _CASE_ROW.with_for_update()
_INSERT_EVENT = insert(EVENTS)
_PROJECTED = ("status", "answers", "assigned_to", "queued_at", "version", "updated_at")
_UPDATE_CASE = (
    update(CASES)
    .where(CASES.c.id == bindparam("b_id"))
    .values({name: bindparam(f"v_{name}") for name in _PROJECTED})
)


def lock_case(session: Session, case_id: uuid.UUID) -> Case | None:
    stmt = select(Case).where(Case.id == case_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def append_event(
    session: Session,
    case: Case,
    *,
    type: str,  # noqa: A002 - the event's own field name
    payload: dict[str, Any],
    channel: str,
    actor_type: str,
    actor_id: str | None,
    now: datetime,
    device_id: str | None = None,
) -> CaseEvent:
    """Apply and store one event; raises :class:`FoldError` when the case cannot take it."""
    state = CaseState(
        status=case.status,
        service_id=case.service_id,
        answers=dict(case.answers or {}),
        assigned_to=case.assigned_to,
        queued_at=case.queued_at,
        version=case.version,
    )
    nxt = apply(state, Event(type=type, payload=payload, received_at=now, channel=channel))
    event = CaseEvent(
        case_id=case.id,
        event_id=uuid.uuid4(),
        seq=nxt.version,
        type=type,
        channel=channel,
        actor_type=actor_type,
        actor_id=actor_id,
        device_id=device_id,
        occurred_at=now,
        received_at=now,
        payload=payload,
    )
    session.add(event)
    case.status = nxt.status
    case.answers = dict(nxt.answers)
    case.assigned_to = nxt.assigned_to
    case.queued_at = nxt.queued_at
    case.version = nxt.version
    case.updated_at = now
    return event


def lock_case_row(session: Session, case_id: uuid.UUID) -> Row[Any] | None:
    """:func:`lock_case` as a plain row (a Core SELECT: no identity map, no ORM loading). For the
    hot paths of the session writer (handoff create and claim)."""
    locked = session.get_bind().dialect.name == "postgresql"
    stmt = _CASE_ROW_LOCKED if locked else _CASE_ROW
    return session.connection().execute(stmt, {"case_id": case_id}).one_or_none()


def fold_check(
    case: Any,
    type: str,
    payload: dict[str, Any],
    channel: str,
    now: datetime,  # noqa: A002
) -> CaseState:
    """The case's state after the event (nothing written); :class:`FoldError` if refused."""
    state = CaseState(
        status=case.status,
        service_id=case.service_id,
        answers=dict(case.answers or {}),
        assigned_to=case.assigned_to,
        queued_at=case.queued_at,
        version=case.version,
    )
    return apply(state, Event(type=type, payload=payload, received_at=now, channel=channel))


def append_event_row(
    session: Session,
    case: Any,
    *,
    type: str,  # noqa: A002 - the event's own field name
    payload: dict[str, Any],
    channel: str,
    actor_type: str,
    actor_id: str | None,
    now: datetime,
    device_id: str | None = None,
) -> None:
    """:func:`append_event` with Core statements: ``case`` is a row (or anything with the case's
    columns as attributes) and is left as it was — the database holds the new state. Raises
    :class:`FoldError` when the case cannot take the event (nothing written)."""
    nxt = fold_check(case, type, payload, channel, now)
    conn = session.connection()
    conn.execute(
        _INSERT_EVENT,
        {
            "case_id": case.id,
            "event_id": uuid.uuid4(),
            "seq": nxt.version,
            "type": type,
            "channel": channel,
            "actor_type": actor_type,
            "actor_id": actor_id,
            "device_id": device_id,
            "occurred_at": now,
            "received_at": now,
            "payload": payload,
        },
    )
    conn.execute(
        _UPDATE_CASE,
        {
            "b_id": case.id,
            "v_status": nxt.status,
            "v_answers": dict(nxt.answers),
            "v_assigned_to": nxt.assigned_to,
            "v_queued_at": nxt.queued_at,
            "v_version": nxt.version,
            "v_updated_at": now,
        },
    )

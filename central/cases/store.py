"""The case store: the one place a case's history grows.

Why: event rows used to be built and inserted in four places (the API, the web/staff/typed-code
claims, the handoff batch writer, case create), each with its own idea of locking and of who may
record what. Now every writer goes through here:

1. **lock** the case row — :func:`lock_case` (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
   ``BEGIN IMMEDIATE`` already serialises writers, see :mod:`central.db.base`);
2. **check** the event against the policy table (:mod:`central.cases.policy`: event type ×
   channel × actor type);
3. **fold** it into the case's state (:func:`central.fold.apply`) — refused events are never
   stored — and **append** it with the next ``seq`` (:func:`insert_events`, the only statement in
   central that inserts into ``case_events``; a test greps the source for others);
4. **bump** the projection: ``status``, ``answers``, ``version`` (= the latest ``seq``) and
   ``updated_at``.

Transactions: the store never commits or rolls back. The request's one transaction owner does
(:func:`central.deps.one_hop` around a route, or the group-commit writer of a batch of case creates
or handoffs, :mod:`central.groupcommit`, which is one transaction per batch and calls the same
:func:`insert_events`).

Failure model: a refused event raises — :class:`~central.problems.ProblemError` for the policy
(403/422), :class:`~central.fold.FoldError` for the case's state — before anything is written;
the owner rolls back. A unique-constraint race on ``seq`` or ``event_id`` surfaces as the
database's ``IntegrityError`` to the owner, which retries or answers 409.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from central.cases import policy
from central.db.models import Case, CaseEvent
from central.fold import CaseState, Event, FoldError, apply

__all__ = [
    "CASES",
    "EVENTS",
    "UPDATE_CASE",
    "FoldError",
    "append_event",
    "event_values",
    "fold_check",
    "insert_events",
    "lock_case",
    "projection_params",
    "state_of",
    "store_projection",
    "store_state",
]

CASES: Table = Case.__table__  # type: ignore[assignment]
EVENTS: Table = CaseEvent.__table__  # type: ignore[assignment]
_INSERT_EVENTS = insert(EVENTS)
_PROJECTED = ("status", "answers", "assigned_to", "queued_at", "version", "updated_at")
UPDATE_CASE = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"))
    .values({name: bindparam(f"v_{name}") for name in _PROJECTED})
)


def state_of(case: Any) -> CaseState:
    """The fold state a case holds (an ORM ``Case`` or a ``cases`` row)."""
    return CaseState(
        status=case.status,
        service_id=case.service_id,
        answers=dict(case.answers or {}),
        assigned_to=case.assigned_to,
        queued_at=case.queued_at,
        version=case.version,
    )


def store_state(case: Case, state: CaseState, now: datetime) -> None:
    """Set an ORM case's projected columns to ``state`` (flushed with the session)."""
    case.status = state.status
    case.answers = dict(state.answers)
    case.assigned_to = state.assigned_to
    case.queued_at = state.queued_at
    case.version = state.version
    case.updated_at = now


def projection_params(case_id: uuid.UUID, state: CaseState, now: datetime) -> dict[str, Any]:
    """:data:`UPDATE_CASE`'s parameters for ``state`` (one of an executemany's rows)."""
    return {
        "case_id": case_id,
        "v_status": state.status,
        "v_answers": dict(state.answers),
        "v_assigned_to": state.assigned_to,
        "v_queued_at": state.queued_at,
        "v_version": state.version,
        "v_updated_at": now,
    }


def store_projection(
    conn: Connection, case_id: uuid.UUID, state: CaseState, now: datetime
) -> dict[str, Any]:
    """UPDATE the case row to ``state`` (the projection of its events); returns what it wrote."""
    params = projection_params(case_id, state, now)
    conn.execute(UPDATE_CASE, params)
    return {name: params[f"v_{name}"] for name in _PROJECTED}


def lock_case(session: Session, case_id: uuid.UUID) -> Case | None:
    """The case row, locked for this transaction (PostgreSQL) and read afresh."""
    stmt = select(Case).where(Case.id == case_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def fold_check(
    case: Any,
    type: str,  # noqa: A002 - the event's own field name
    payload: dict[str, Any],
    channel: str,
    now: datetime,
) -> CaseState:
    """The case's state after the event (nothing written); :class:`FoldError` if refused."""
    return apply(
        state_of(case), Event(type=type, payload=payload, received_at=now, channel=channel)
    )


def event_values(
    case_id: uuid.UUID,
    seq: int,
    type: str,  # noqa: A002 - the event's own field name
    payload: dict[str, Any],
    channel: str,
    actor_type: str,
    actor_id: str | None,
    device_id: str | None,
    now: datetime,
    *,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """The ``case_events`` row of an event received at ``now`` (occurred then unless given),
    checked against the policy table."""
    policy.check(type, channel, actor_type)
    return {
        "case_id": case_id,
        "event_id": event_id or uuid.uuid4(),
        "seq": seq,
        "type": type,
        "channel": channel,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "device_id": device_id,
        "occurred_at": occurred_at or now,
        "received_at": now,
        "payload": payload,
    }


def insert_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` into ``case_events`` (one executemany) — the only insert of case events in
    central. Every row is checked against the policy table first; a refusal writes nothing."""
    for row in rows:
        policy.check(row["type"], row["channel"], row["actor_type"])
    if rows:
        conn.execute(_INSERT_EVENTS, list(rows))


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
) -> dict[str, Any]:
    """Check, fold and store one event on a case the caller locked (:func:`lock_case`); returns
    the stored row's values. :class:`FoldError` or the policy's problem when refused."""
    policy.check(type, channel, actor_type)
    nxt = fold_check(case, type, payload, channel, now)
    row = event_values(
        case.id, nxt.version, type, payload, channel, actor_type, actor_id, device_id, now
    )
    session.flush()  # the case (and anything else pending) exists before its event row
    insert_events(session.connection(), [row])
    store_state(case, nxt, now)
    return row

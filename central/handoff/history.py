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

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.cases_service import state_of, store_state
from central.db.models import Case, CaseEvent
from central.fold import CaseState, Event, FoldError, apply

__all__ = [
    "FoldError",
    "append_event",
    "event_values",
    "fold_check",
    "lock_case",
]


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
    nxt = fold_check(case, type, payload, channel, now)
    event = CaseEvent(
        **event_values(
            case.id, nxt.version, type, payload, channel, actor_type, actor_id, device_id, now
        )  # fmt: skip
    )
    session.add(event)
    store_state(case, nxt, now)
    return event


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
) -> dict[str, Any]:
    """The ``case_events`` row of an event recorded now (occurred and received at ``now``)."""
    return {
        "case_id": case_id,
        "event_id": uuid.uuid4(),
        "seq": seq,
        "type": type,
        "channel": channel,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "device_id": device_id,
        "occurred_at": now,
        "received_at": now,
        "payload": payload,
    }


def fold_check(
    case: Any,
    type: str,
    payload: dict[str, Any],
    channel: str,
    now: datetime,  # noqa: A002
) -> CaseState:
    """The case's state after the event (nothing written); :class:`FoldError` if refused."""
    return apply(
        state_of(case), Event(type=type, payload=payload, received_at=now, channel=channel)
    )

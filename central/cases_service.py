"""Case operations shared by the API routes (and by C2's handoff/staff code): append events, read a
case with the caller's office checked (creating one is :mod:`central.case_create`).

Every change is an event: the event is folded into the stored projection (the ``cases`` row) with
:func:`central.fold.apply` *before* it is inserted, so an event the fold refuses is never stored, and
``cases.version`` always equals the seq of the latest event. Callers own the transaction (commit).

The hot writes (appended events and the projection's UPDATE) are Core statements: the ORM's unit of
work cost more CPU than the statements themselves. The event rows returned are plain (transient)
``CaseEvent`` objects, and a case passed to :func:`append_events` is left as the database now holds
it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from central import feedback
from central.auth.principal import Principal
from central.catalogue_service import CatalogueService
from central.db.models import Case, CaseEvent
from central.fold import CaseState, Event, FoldError, apply
from central.problems import ProblemError
from central.references import (
    ReferenceError,
    parse_reference,
)

CASES: Table = Case.__table__  # type: ignore[assignment]
EVENTS: Table = CaseEvent.__table__  # type: ignore[assignment]
# Built once: a statement object caches its compiled form's key, so a request only binds values.
_CASE = select(Case).where(Case.id == bindparam("case_id"))
_CASE_FOR_UPDATE = _CASE.with_for_update()
_EVENTS_BY_ID = select(CaseEvent).where(CaseEvent.event_id.in_(bindparam("ids", expanding=True)))
INSERT_EVENTS = insert(EVENTS)
_PROJECTED = ("status", "answers", "assigned_to", "queued_at", "version", "updated_at")
UPDATE_CASE = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"))
    .values({name: bindparam(f"v_{name}") for name in _PROJECTED})
)
STAFF_ONLY_EVENTS = frozenset({"assigned", "unassigned", "note_added", "closed"})


@dataclass(frozen=True)
class NewEvent:
    """An event to append, as the caller asks for it (ids and clocks resolved by the route)."""

    event_id: uuid.UUID
    type: str
    channel: str
    actor_type: str
    actor_id: str | None
    occurred_at: datetime
    payload: dict[str, Any]


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


def field_errors_problem(errors: list[dict[str, str]], detail: str) -> ProblemError:
    return ProblemError(422, detail, slug="invalid-answers", errors=errors)


def check_answers(
    catalogue: CatalogueService,
    service_id: str,
    answers: dict[str, Any],
    now: datetime,
    *,
    complete: bool,
) -> None:
    service = catalogue.service(service_id)
    if service is None:
        raise ProblemError(
            422,
            f"There is no service {service_id!r} in the catalogue.",
            slug="unknown-service",
            errors=[{"field": "service_id", "message": "unknown service"}],
        )
    errors = catalogue.validate(service, answers, now.date(), complete=complete)
    if errors:
        raise field_errors_problem(errors, "Some answers are not valid for this service.")


def get_case(
    session: Session, principal: Principal, case_id: uuid.UUID, *, lock: bool = False
) -> Case:
    """The case, if it exists and the caller's office may see it (404 either way otherwise, so a
    device cannot probe other offices' case ids)."""
    query = _CASE_FOR_UPDATE if lock else _CASE
    case = session.scalars(query, {"case_id": case_id}).one_or_none()
    if case is None or not principal.may_touch_office(case.origin_office):
        raise ProblemError(404, "No such case.", slug="case-not-found")
    return case


def find_by_reference(session: Session, text: str) -> Case | None:
    """The case a typed/scanned reference names (forgiving decode), or None."""
    try:
        reference = parse_reference(text)
    except ReferenceError:
        return None
    return session.scalars(select(Case).where(Case.reference == reference)).one_or_none()


def _event_row(
    case: Case, new: NewEvent, principal: Principal, seq: int, now: datetime
) -> CaseEvent:
    return CaseEvent(
        case_id=case.id,
        event_id=new.event_id,
        seq=seq,
        type=new.type,
        channel=new.channel,
        actor_type=new.actor_type,
        actor_id=new.actor_id,
        device_id=principal.id if principal.kind == "device" else None,
        occurred_at=new.occurred_at,
        received_at=now,
        payload=new.payload,
    )


def append_events(
    session: Session,
    principal: Principal,
    case: Case,
    events: Sequence[NewEvent],
    catalogue: CatalogueService,
    now: datetime,
) -> list[tuple[CaseEvent, bool]]:
    """Append ``events`` in order; returns (stored row, replayed?) for each.

    An event whose ``event_id`` is already stored for this case is a replay (nothing changes); one
    stored for another case is a 409. The fold refusing an event → 409; answers the catalogue refuses
    → 422. Nothing is written unless every event is accepted (the caller rolls back on a problem).
    """
    ids = [e.event_id for e in events]
    existing = {row.event_id: row for row in session.scalars(_EVENTS_BY_ID, {"ids": ids})}
    state = state_of(case)
    results: list[tuple[CaseEvent, bool]] = []
    pending: dict[uuid.UUID, CaseEvent] = {}
    for new in events:
        stored = existing.get(new.event_id) or pending.get(new.event_id)
        if stored is not None:
            if stored.case_id != case.id:
                raise ProblemError(
                    409, "This event_id belongs to another case.", slug="event-id-used"
                )
            results.append((stored, True))
            continue
        if new.type in STAFF_ONLY_EVENTS and principal.kind != "staff":
            raise ProblemError(403, f"Only staff may record {new.type!r}.", slug="staff-only-event")
        _check_payload(new)
        if new.type == feedback.EVENT_TYPE:
            new = _feedback(new)
        try:
            nxt = apply(state, Event(new.type, new.payload, now, new.channel))
        except FoldError as exc:
            raise ProblemError(
                409, str(exc), slug="illegal-transition", status_now=state.status
            ) from None
        if new.type == "answers_changed":
            check_answers(catalogue, state.service_id, nxt.answers, now, complete=False)
            service = catalogue.service(state.service_id)
            if service is not None:
                patch = catalogue.normalise(service, new.payload["answers"], now.date())
                new = NewEvent(**{**new.__dict__, "payload": {**new.payload, "answers": patch}})
                nxt = apply(state, Event(new.type, new.payload, now, new.channel))
        elif new.type == "submitted":
            check_answers(catalogue, state.service_id, nxt.answers, now, complete=True)
        row = _event_row(case, new, principal, nxt.version, now)
        pending[new.event_id] = row
        results.append((row, False))
        state = nxt
    if pending:
        conn = session.connection()
        conn.execute(INSERT_EVENTS, [_values(row, EVENTS) for row in pending.values()])
        changes = store_projection(conn, case.id, state, now)
        for name, value in changes.items():
            set_committed_value(case, name, value)  # what the row now holds; nothing to flush
    return results


def store_projection(
    conn: Connection, case_id: uuid.UUID, state: CaseState, now: datetime
) -> dict[str, Any]:
    """UPDATE the case row to ``state`` (the projection of its events); returns what it wrote."""
    params = projection_params(case_id, state, now)
    conn.execute(UPDATE_CASE, params)
    return {name: params[f"v_{name}"] for name in _PROJECTED}


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


def _values(obj: Case | CaseEvent, table: Table) -> dict[str, Any]:
    """The column values set on a (never added) ORM object, for a Core INSERT."""
    return {c.name: obj.__dict__[c.name] for c in table.columns if c.name in obj.__dict__}


def _check_payload(new: NewEvent) -> None:
    p = new.payload
    problem: str | None = None
    if new.type == "answers_changed" and not isinstance(p.get("answers"), dict):
        problem = "answers_changed needs payload.answers (an object)"
    elif new.type == "handed_off" and p.get("to") not in ("staff", "web", "kiosk"):
        problem = "handed_off needs payload.to: staff, web or kiosk"
    elif new.type == "assigned" and not isinstance(p.get("staff_id"), str):
        problem = "assigned needs payload.staff_id"
    elif new.type == "note_added" and not isinstance(p.get("text"), str):
        problem = "note_added needs payload.text"
    if problem:
        _bad_payload(problem)


def _bad_payload(problem: str) -> None:
    raise ProblemError(
        422, problem, slug="bad-event-payload", errors=[{"field": "payload", "message": problem}]
    )


def _feedback(new: NewEvent) -> NewEvent:
    """A ``feedback_given`` event with its payload in the one feedback shape (an older kiosk's
    1–4 score mapped; :mod:`central.feedback`); 422 for anything else."""
    try:
        shaped = feedback.from_client(new.payload)
    except feedback.FeedbackError as exc:
        _bad_payload(f"feedback_given: {exc}")
        raise  # unreachable: _bad_payload raised
    return NewEvent(**{**new.__dict__, "payload": shaped})

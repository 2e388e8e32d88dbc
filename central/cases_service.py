"""Case operations of the API routes: append a client's events (replays, payload shapes, the
catalogue's checks), read a case with the caller's office checked (creating one is
:mod:`central.case_create`). The rows go through the case store (:mod:`central.cases.store`: the
policy table, the one insert of case events, the projection).

Every change is an event: the event is folded into the stored projection (the ``cases`` row) with
:func:`central.fold.apply` *before* it is inserted, so an event the fold refuses is never stored, and
``cases.version`` always equals the seq of the latest event. Callers own the transaction (commit).

The hot writes (appended events and the projection's UPDATE) are Core statements: the ORM's unit of
work cost more CPU than the statements themselves. A new event is returned as its row's values
(attributes, like the stored ``CaseEvent`` of a replay), and a case passed to :func:`append_events` is left as the database now holds
it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from central import feedback
from central.auth.principal import Principal
from central.cases import policy
from central.cases.store import (
    CASES,
    EVENTS,
    UPDATE_CASE,
    event_values,
    insert_events,
    projection_params,
    state_of,
    store_projection,
    store_state,
)
from central.catalogue_service import CatalogueService
from central.db.models import Case, CaseEvent
from central.fold import Event, FoldError, apply
from central.problems import ProblemError
from central.references import (
    ReferenceError,
    parse_reference,
)

__all__ = [
    "CASES",
    "EVENTS",
    "UPDATE_CASE",
    "NewEvent",
    "append_events",
    "projection_params",
    "state_of",
    "store_projection",
    "store_state",
]
# Built once: a statement object caches its compiled form's key, so a request only binds values.
_CASE = select(Case).where(Case.id == bindparam("case_id"))
_CASE_FOR_UPDATE = _CASE.with_for_update()
_EVENTS_BY_ID = select(CaseEvent).where(CaseEvent.event_id.in_(bindparam("ids", expanding=True)))


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


def append_events(
    session: Session,
    principal: Principal,
    case: Case,
    events: Sequence[NewEvent],
    catalogue: CatalogueService,
    now: datetime,
) -> list[tuple[Any, bool]]:
    """Append ``events`` in order; returns (stored row, replayed?) for each.

    An event whose ``event_id`` is already stored for this case is a replay (nothing changes); one
    stored for another case is a 409. The fold refusing an event → 409; answers the catalogue refuses
    → 422. Nothing is written unless every event is accepted (the caller rolls back on a problem).
    """
    ids = [e.event_id for e in events]
    existing = {row.event_id: row for row in session.scalars(_EVENTS_BY_ID, {"ids": ids})}
    state = state_of(case)
    results: list[tuple[Any, bool]] = []
    pending: dict[uuid.UUID, SimpleNamespace] = {}
    for new in events:
        stored = existing.get(new.event_id) or pending.get(new.event_id)
        if stored is not None:
            if stored.case_id != case.id:
                raise ProblemError(
                    409, "This event_id belongs to another case.", slug="event-id-used"
                )
            results.append((stored, True))
            continue
        policy.check(new.type, new.channel, new.actor_type)
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
        row = SimpleNamespace(
            **event_values(
                case.id,
                nxt.version,
                new.type,
                new.payload,
                new.channel,
                new.actor_type,
                new.actor_id,
                principal.id if principal.kind == "device" else None,
                now,
                event_id=new.event_id,
                occurred_at=new.occurred_at,
            )  # fmt: skip
        )
        pending[new.event_id] = row
        results.append((row, False))
        state = nxt
    if pending:
        conn = session.connection()
        insert_events(conn, [vars(row) for row in pending.values()])
        changes = store_projection(conn, case.id, state, now)
        for name, value in changes.items():
            set_committed_value(case, name, value)  # what the row now holds; nothing to flush
    return results


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

"""Case events: append (single or batch, deduplicated by ``event_id``) and the timeline.

An ``answers_changed`` event changes answers like ``PATCH /cases/{id}/answers`` does, so it needs
the same ``If-Match`` (428 without, 412 when the case changed since): a batch holding a *new* one is
checked against the case as it was before the batch; a batch whose ``answers_changed`` events are
all stored already (a retry) is a replay and needs none. Who acted and on which channel is the
server's to say (:func:`central.api.cases.actor_type_for`, :func:`central.api.cases.channel_for`);
what each may record is the case store's policy table (:mod:`central.cases.policy`). The caller is
authenticated before the body is read (:mod:`central.api.body`).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.api import PREFIX
from central.api.body import json_body
from central.api.cases import actor_id_for, actor_type_for, channel_for
from central.api.http import case_out, etag_of, event_out, json_response, require_if_match
from central.auth import AnyPrincipalDep, Principal
from central.cases_service import NewEvent, append_events, get_case
from central.db.models import CaseEvent
from central.deps import CatalogueDep, ClockDep, SessionDep, one_hop
from central.problems import ProblemError, problem_responses
from central.schemas import EventBatch, EventBatchOut, EventIn, EventList, EventOut

router = APIRouter(prefix=PREFIX, tags=["events"])
EventsBody, _EVENTS_DOC = json_body(EventIn | EventBatch)
ATTEMPTS = 4


def _new_event(principal: Principal, e: EventIn) -> NewEvent:
    channel = channel_for(principal, e.channel)
    return NewEvent(
        event_id=e.event_id,
        type=e.type,
        channel=channel,
        actor_type=actor_type_for(principal, e.actor_type, channel),
        actor_id=actor_id_for(principal, e.actor_id),
        occurred_at=e.occurred_at,
        payload=dict(e.payload),
    )


def _changes_answers(session: Session, events: list[NewEvent]) -> bool:
    """Does the batch hold an ``answers_changed`` event that is not stored yet?"""
    ids = {e.event_id for e in events if e.type == "answers_changed"}
    if not ids:
        return False
    stored = set(session.scalars(select(CaseEvent.event_id).where(CaseEvent.event_id.in_(ids))))
    return bool(ids - stored)


@router.post(
    "/cases/{case_id}/events",
    status_code=201,
    response_model=EventOut | EventBatchOut,
    responses={200: {"description": "Every event was already stored (a replay)"}}
    | problem_responses(401, 403, 404, 409, 412, 422, 428),
    summary="Append one event, or a batch {events: [...]}; replays answer 200",
    description=(
        "A batch holding a new `answers_changed` event needs `If-Match` with the case's ETag, "
        "like `PATCH /cases/{case_id}/answers` (428 without it, 412 when the case changed)."
    ),
    openapi_extra=_EVENTS_DOC,
)
@one_hop
def post_events(
    request: Request,
    case_id: uuid.UUID,
    principal: AnyPrincipalDep,
    body: Annotated[EventIn | EventBatch, EventsBody],
    session: SessionDep,
    catalogue: CatalogueDep,
    clock: ClockDep,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> Response:
    single = isinstance(body, EventIn)
    incoming = [body] if isinstance(body, EventIn) else body.events
    events = [_new_event(principal, e) for e in incoming]
    for attempt in range(ATTEMPTS):
        now = clock()
        try:
            case = get_case(session, principal, case_id, lock=True)
            if _changes_answers(session, events):
                require_if_match(request, case)
            results = append_events(session, principal, case, events, catalogue, now)
            session.commit()
            break
        except IntegrityError:
            # A concurrent writer took the same seq or event_id: read again and retry; a replayed
            # event_id is then found and answered as a replay.
            session.rollback()
            if attempt == ATTEMPTS - 1:
                raise ProblemError(409, "The case is busy; retry.", slug="case-busy") from None
        except ProblemError:
            session.rollback()
            raise
    any_new = any(not replayed for _, replayed in results)
    status = 201 if any_new else 200
    headers = {"ETag": etag_of(case)}
    if single:
        return json_response(event_out(results[0][0]), status, headers)
    return json_response(
        {
            "events": [event_out(row) for row, _ in results],
            "replayed": [replayed for _, replayed in results],
            "case": case_out(case),
        },
        status,
        headers,
    )


@router.get(
    "/cases/{case_id}/events",
    response_model=EventList,
    responses=problem_responses(401, 403, 404),
    summary="The case's timeline, in server order (seq)",
)
@one_hop
def list_events(case_id: uuid.UUID, principal: AnyPrincipalDep, session: SessionDep) -> Response:
    case = get_case(session, principal, case_id)
    rows = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    ).all()
    body = {"case_id": str(case.id), "events": [event_out(r) for r in rows]}
    session.commit()
    return json_response(body)

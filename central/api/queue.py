"""The staff queue of an office: cases waiting for a member of staff, oldest first.

Auth is :func:`central.auth.require_staff` — a hook C2 fills with staff sessions; until then a device
token of the same office stands in.
"""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from sqlalchemy import select

from central.api import PREFIX
from central.api.http import json_response
from central.auth import StaffDep
from central.db.models import Case
from central.deps import SessionDep, one_hop
from central.fold import QUEUED
from central.problems import ProblemError, problem_responses
from central.schemas import Queue, QueueEntry

router = APIRouter(prefix=PREFIX, tags=["staff"])
QUEUE_LIMIT = 200


def waiting_cases(session, office: str, limit: int = QUEUE_LIMIT) -> list[Case]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(Case)
            .where(Case.origin_office == office, Case.status == QUEUED)
            .order_by(Case.queued_at, Case.created_at)
            .limit(limit)
        )
    )


@router.get(
    "/offices/{office}/queue",
    response_model=Queue,
    responses=problem_responses(401, 403),
)
@one_hop
def office_queue(
    principal: StaffDep, session: SessionDep, office: str = Path(max_length=64)
) -> Response:
    if not principal.may_touch_office(office):
        raise ProblemError(403, "You may only see your own office's queue.", slug="other-office")
    cases = waiting_cases(session, office)
    session.commit()
    entries = [QueueEntry.model_validate(c, from_attributes=True) for c in cases]
    return json_response(jsonable_encoder(Queue(office=office, cases=entries)))

"""Feedback with no case: ``POST /api/v1/feedback`` for a kiosk whose citizen left before anything
was sent (ending ``abandoned``: central never saw a case), stored in ``feedback_events``.

The same one event type and payload as a case's ``feedback_given`` (:mod:`central.feedback`):
``{score 1–5, ending, comment?}``, with its channel (``kiosk``, or ``assisted`` when a member of
staff had badged in), the kiosk, its office and the service if one was chosen. Deduplicated by the
client's ``event_id`` (a replay answers 200 with the stored event; the outbox resends freely).
Feedback about a case goes to the case's history instead (``POST /cases/{id}/events``).

The comment may be personal data: never logged; staff of the office read it on
``/staff/feedback`` (:mod:`central.staff.feedback_page`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import String, Uuid, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from central import feedback
from central.api import PREFIX
from central.auth import KioskDep
from central.db.base import Base
from central.db.types import JSONType, UTCDateTime
from central.deps import CatalogueDep, ClockDep, SessionDep, one_hop
from central.problems import ProblemError, problem_responses
from central.schemas import ClientTime, _In

router = APIRouter(prefix=PREFIX, tags=["feedback"])


class FeedbackEvent(Base):
    """A ``feedback_given`` event that belongs to no case (see the module docstring)."""

    __tablename__ = "feedback_events"

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(String(32), default=feedback.EVENT_TYPE)
    channel: Mapped[str] = mapped_column(String(16))
    office: Mapped[str] = mapped_column(String(64), index=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    service_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)


class FeedbackPayload(_In):
    score: int = Field(ge=1, le=5, description="5 very satisfied … 1 very dissatisfied")
    ending: Literal["completed", "not_eligible", "handed_off", "abandoned", "timed_out"]
    comment: str | None = Field(default=None, max_length=feedback.MAX_COMMENT)


class FeedbackIn(_In):
    event_id: uuid.UUID = Field(description="Chosen by the kiosk: a replay is stored once.")
    occurred_at: ClientTime
    channel: Literal["kiosk", "assisted"] = "kiosk"
    service_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="The service the citizen had chosen, if any",
    )
    payload: FeedbackPayload


class FeedbackOut(BaseModel):
    event_id: uuid.UUID
    type: str
    channel: str
    office: str
    service_id: str | None
    occurred_at: datetime
    received_at: datetime
    payload: dict[str, Any]


def _out(row: FeedbackEvent, status: int) -> JSONResponse:
    body = FeedbackOut.model_validate(row, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, status_code=status)


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackOut,
    responses={200: {"model": FeedbackOut, "description": "Already stored (a replay)"}}
    | problem_responses(401, 409, 422),
)
@one_hop
def give_feedback_without_case(
    body: FeedbackIn,
    principal: KioskDep,
    session: SessionDep,
    clock: ClockDep,
    catalogue: CatalogueDep,
) -> JSONResponse:
    """The one feedback question, answered at a kiosk by a citizen who has no case (they left
    before sending). 201 stored; 200 a replay of the same ``event_id``; 409 the id was used for
    other feedback."""
    if body.service_id is not None and catalogue.service(body.service_id) is None:
        raise ProblemError(
            422,
            f"There is no service {body.service_id!r} in the catalogue.",
            slug="unknown-service",
            errors=[{"field": "service_id", "message": "unknown service"}],
        )
    p = body.payload
    shaped = feedback.payload(p.score, p.ending, p.comment)
    values = {
        "event_id": body.event_id,
        "type": feedback.EVENT_TYPE,
        "channel": body.channel,
        "office": principal.office,
        "device_id": principal.id,
        "service_id": body.service_id,
        "occurred_at": body.occurred_at,
        "received_at": clock(),
        "payload": shaped,
    }
    stored = session.get(FeedbackEvent, body.event_id)
    if stored is None:
        row = FeedbackEvent(**values)
        session.add(row)
        try:
            session.commit()
            return _out(row, 201)
        except IntegrityError:  # the same id, stored meanwhile by another request
            session.rollback()
            stored = session.scalar(
                select(FeedbackEvent).where(FeedbackEvent.event_id == body.event_id)
            )
    assert stored is not None
    same = (stored.device_id, stored.payload, stored.service_id, stored.channel) == (
        principal.id,
        shaped,
        body.service_id,
        body.channel,
    )
    if not same:
        raise ProblemError(409, "This event_id is already used.", slug="event-id-used")
    return _out(stored, 200)


COMMENT_DAYS = 90
"""Comments of feedback without a case are removed this long after they arrived (they may hold
personal data and belong to no case record); the score, ending and channel stay."""


def forget_comments(engine: Any, before: datetime, chunk: int = 1000) -> int:
    """Remove the comment of every case-less feedback that arrived before ``before``; how many.
    (:func:`central.retention.purge` calls it.) Each chunk is its own short transaction."""
    from sqlalchemy import update

    total = 0
    last: uuid.UUID | None = None
    while True:
        with engine.begin() as conn:
            query = (
                select(FeedbackEvent.event_id, FeedbackEvent.payload)
                .where(FeedbackEvent.received_at < before)
                .order_by(FeedbackEvent.event_id)
                .limit(chunk)
            )
            if last is not None:
                query = query.where(FeedbackEvent.event_id > last)
            rows = conn.execute(query).all()
            for row in rows:
                if "comment" in (row.payload or {}):
                    kept = {k: v for k, v in row.payload.items() if k != "comment"}
                    conn.execute(
                        update(FeedbackEvent)
                        .where(FeedbackEvent.event_id == row.event_id)
                        .values(payload=kept)
                    )
                    total += 1
        if len(rows) < chunk:
            return total
        last = rows[-1].event_id

"""Cases the citizen starts on the web: made through the one case-create path, purged when abandoned.

Creating: :func:`create` goes through :func:`central.case_create.start_case` (the same catalogue
check, reference and ``created`` event as a kiosk's or a member of staff's case) and the app's case
writer (:mod:`central.case_create`), which answers only after its commit. The
"caller" is the citizen on the web — channel ``web``, actor ``citizen``, no device — and the office
they chose (or the "I'm not sure" rule chose), so the case's reference carries that office's code and
"I need help" puts it in that office's staff queue. The Idempotency-Key is the random start token of
the form the citizen posted: a double click replays the first answer instead of making two cases.

Purging: a web draft (started on the web, still ``open``: never sent, never handed to staff) that
nobody has touched for :data:`DRAFT_DAYS` days is deleted with everything hanging off it — its
events, resume codes, web sessions. What was typed into an abandoned form is not kept (DESIGN.md,
"Privacy"); cases that were sent or went to staff are records and stay (see :mod:`central.retention`).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from central.auth.principal import Principal
from central.case_create import Answer, start_case
from central.db.models import Case, CaseEvent
from central.handoff.models import Handoff, ResumeCode, WebSession

DRAFT_DAYS = 30
"""An untouched web draft is purged after this many days (the life of a resume code too)."""
PURGE_CHUNK = 500
SCOPE_ID = "start"


def _principal(office: str) -> Principal:
    return Principal(kind="web", id=SCOPE_ID, office=office)


async def create(
    app: FastAPI, *, service_id: str, office: str, start_key: str, now: datetime, lang: str = "en"
) -> Answer:
    """The case writer's answer for a new web case (:func:`central.case_create.start_case`): 201
    with the case, a replay of it, or the problem a refusal is."""
    return await start_case(
        app,
        _principal(office),
        case_id=uuid.uuid5(uuid.NAMESPACE_URL, f"web-start:{start_key}"),
        start_key=start_key,
        service_id=service_id,
        channel="web",
        actor_type="citizen",
        actor_id=None,
        payload={"office": office, "channel": "web", "language": lang},
        path="/start",
        hashed={"service_id": service_id, "office": office},
        now=now,
    )


def created_case_id(answer: Answer) -> uuid.UUID | None:
    """The case id of a 201 answer (first or replayed), else None."""
    if answer.status != 201:
        return None
    return uuid.UUID(json.loads(answer.body)["id"])


def purge(engine: Engine, now: datetime, days: int = DRAFT_DAYS, measure: Any = "env") -> int:
    """Delete web drafts untouched for ``days`` days (see the module docstring); how many.
    :data:`PURGE_CHUNK` cases a transaction, so the live service never waits long. Each one's
    funnel session ends ``abandoned_web`` in the same transaction (:mod:`central.measure.web`;
    ``measure``: a :class:`central.measure.web.WebMeasure`, None for none, by default read from
    the environment)."""
    from central.measure import web as web_funnel

    if isinstance(measure, str):
        measure = web_funnel.WebMeasure.from_env()
    cutoff = now - timedelta(days=days)
    columns = (Case.id, Case.service_id, Case.origin_channel, Case.origin_office, Case.created_at)
    stale = (
        select(*columns)
        .where(Case.origin_channel == "web", Case.status == "open", Case.updated_at < cutoff)
        .limit(PURGE_CHUNK)
    )
    if engine.dialect.name == "postgresql":  # a citizen coming back right now keeps their case
        stale = stale.with_for_update(skip_locked=True)
    total = 0
    while True:
        with engine.begin() as conn:
            rows = list(conn.execute(stale))
            if not rows:
                return total
            ids = [r.id for r in rows]
            if measure is not None:
                web_funnel.abandon(conn, measure, rows, now)
            for table in (ResumeCode, WebSession, Handoff, CaseEvent):
                conn.execute(delete(table).where(table.case_id.in_(ids)))  # type: ignore[attr-defined]
            conn.execute(delete(Case).where(Case.id.in_(ids)))
        total += len(ids)
        if len(ids) < PURGE_CHUNK:
            return total

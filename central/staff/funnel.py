"""Funnel events of the counter and the phone line, through :func:`central.measure.record.record_events`
(the one way in for every channel), in the request's transaction.

A staff-started case is one funnel session: ``started`` when the case is made (with the citizen's
language), ``step`` as each step (and check answers) is reached, ``ended`` once — ``submitted`` when
staff send it, ``handed_off_phone`` when it is handed to the citizen's phone or a slip. Nothing
personal goes in (the measure schema has no place for it). The session id is derived from the case
id with a key only the server knows (the settings' ``secret_key``), so it is stable across requests
without storing anything, and a funnel row cannot be joined back to a case without that key. Event
ids are derived from it too, so a repeated POST records nothing twice.

When measurement is not installed (no ``central.measure``), nothing is recorded.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from central.db.models import Case

log = logging.getLogger("central.staff.funnel")


def session_id(request: Request, case_id: uuid.UUID) -> uuid.UUID:
    key = hashlib.sha256(b"staff-funnel\x00" + request.app.state.settings.secret_key.encode())
    return uuid.uuid5(uuid.UUID(bytes=key.digest()[:16]), str(case_id))


def record(
    request: Request,
    session: Session,
    case: Case,
    kind: str,
    now: datetime,
    *,
    step_id: str | None = None,
    reason: str | None = None,
    language: str | None = None,
) -> None:
    """Record one funnel event of ``case`` (a counter or phone case) in ``session``'s
    transaction; the caller commits. A failure is logged by type and never stops the work."""
    try:
        from catalogue import funnel
        from central.measure.record import STAFF_CHANNELS, record_events
        from central.measure.schemas import FunnelEventIn
    except ModuleNotFoundError:
        return
    zones = getattr(request.app.state, "office_zones", None)
    catalogue = request.app.state.catalogue
    service = catalogue.service(case.service_id)
    if zones is None or service is None:
        return
    sid = session_id(request, case.id)
    fields: dict[str, Any] = {}
    key = kind
    if kind == "started":
        fields["language"] = language if language in ("en", "cy") else None
    elif kind == "step":
        fields |= {"step_id": step_id, "step_index": funnel.step_index(service, step_id or "")}
        key = f"step:{step_id}"
    elif kind == "ended":
        duration = max(0, int((now - case.created_at).total_seconds() * 1000))
        fields |= {"reason": reason, "duration_ms": min(duration, funnel.MAX_DURATION_S * 1000)}
    try:
        event = FunnelEventIn(
            event_id=uuid.uuid5(sid, key),
            session_id=sid,
            type=kind,
            service_id=case.service_id,
            channel=case.origin_channel,
            started_at=case.created_at,
            occurred_at=max(now, case.created_at),
            **{k: v for k, v in fields.items() if v is not None},
        )
        with session.begin_nested():
            record_events(
                session.connection(),
                [event],
                office=case.origin_office,
                device_id=None,
                channels=STAFF_CHANNELS,
                catalogue=catalogue.catalogue,
                zones=zones,
                now=now,
            )
    except Exception as exc:  # noqa: BLE001 - measurement never stops serving the citizen
        log.warning("staff funnel event not recorded: %s", type(exc).__name__)

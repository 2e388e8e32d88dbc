"""Funnel events of the web front door: a case the citizen starts on the web is one funnel session.

Called from the web pages (:mod:`central.web.start_routes`, :mod:`central.web.case_routes`) and
the drafts purge (:mod:`central.web.drafts`), one line each, inside their own transaction; all the
rules are here:

* **started** when the case is made at ``/start/<service>/office`` (service, channel ``web``, the
  chosen office, the page's language), with the first step **reached**;
* **step reached**: the step (or check answers) a valid step POST leads to — each step counted
  once per attempt however often it is shown;
* **ended**, once: ``submitted`` (the submit POST), ``not_eligible`` (a step POST whose answers
  lead to the outcome page), ``handed_off_staff`` ("I need help"), ``abandoned_web`` (the drafts
  purge deletes it after 30 untouched days). Saving is **not** an end: the vocabulary has no
  ``saved``, and a saved draft either comes back (the same attempt carries on, on the same case) or
  is purged and ends ``abandoned_web`` then — so a save costs the completion rate nothing until
  the draft is really lost.
* After ``not_eligible``, changing an answer begins a new attempt at the same service (as on the
  kiosk): each attempt has one start and one end. After any other ending nothing more is recorded
  for the case on the web.

Only cases whose origin is the web are measured here: a case handed from a kiosk or a counter to
the phone was counted by its own channel (ended ``handed_off_phone``).

Ids, and why no state is stored: the session id of attempt *k* is derived from the case id and
*k* with a key only the server knows (the settings' ``secret_key``: a funnel row cannot be joined
back to a case without it), and every event id from the session id and what it records
(``started``, ``step:<id>``, ``ended``), so a repeated POST records nothing twice and a session
can never end twice. The current attempt is found by looking up, by primary key, whether attempt
0, 1, … has ended (one or two lookups). Nothing personal is in any event (no answer, no
reference): :mod:`central.measure.schemas` has no place for one.

Measurement never stops the citizen: each recording runs in a savepoint; a failure is logged by
type and rolled back alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from catalogue import funnel
from catalogue.model import Catalogue
from central.measure.models import FunnelEvent
from central.measure.record import WEB_CHANNELS, record_events
from central.measure.schemas import FunnelEventIn
from central.measure.zones import OfficeZones

__all__ = ["WebMeasure", "abandon", "end", "reach", "start"]

log = logging.getLogger("central.measure.web")
CHANNEL = "web"
MAX_ATTEMPTS = 20
"""Attempts looked up per case (a citizen who changes the deciding answer 20 times stops counting)."""


@dataclass(frozen=True)
class WebMeasure:
    catalogue: Catalogue
    zones: OfficeZones
    key: bytes

    @classmethod
    def of(cls, catalogue: Catalogue, zones: OfficeZones, secret_key: str) -> WebMeasure:
        return cls(
            catalogue, zones, hashlib.sha256(b"web-funnel\x00" + secret_key.encode()).digest()
        )

    @classmethod
    def of_app(cls, app: Any) -> WebMeasure | None:
        state = app.state
        zones = getattr(state, "office_zones", None)
        if zones is None or not state.catalogue.loaded:
            return None
        return cls.of(state.catalogue.catalogue, zones, state.settings.secret_key)

    @classmethod
    def from_env(cls) -> WebMeasure | None:
        """For the purge run outside ``serve`` (``kiosk-central purge``): the same key as the
        service only when ``KIOSK_CENTRAL_SECRET_KEY`` is set; otherwise None (not measured)."""
        if not os.environ.get("KIOSK_CENTRAL_SECRET_KEY"):
            return None
        from central.catalogue_service import CatalogueService
        from central.measure.routes import offices_file
        from central.settings import Settings

        settings = Settings.from_env()
        catalogue = CatalogueService.load(settings.catalogue_dir)
        if not catalogue.loaded:
            return None
        zones = OfficeZones.load(offices_file(settings.catalogue_dir))
        return cls.of(catalogue.catalogue, zones, settings.secret_key)

    def session_id(self, case_id: uuid.UUID, attempt: int) -> uuid.UUID:
        return uuid.uuid5(uuid.UUID(bytes=self.key[:16]), f"{case_id}:{attempt}")


def event_id(session_id: uuid.UUID, what: str) -> uuid.UUID:
    return uuid.uuid5(session_id, what)


@dataclass(frozen=True)
class _Attempt:
    index: int
    session_id: uuid.UUID
    started_at: datetime | None
    """None: this attempt has not started (the one after an ending)."""
    ended: str | None
    """The reason it ended with, or None while open."""


def _current(conn: Connection, m: WebMeasure, case_id: uuid.UUID, created: datetime) -> _Attempt:
    """The latest attempt of the case: the first that has not ended, or the last that has."""
    E = FunnelEvent.__table__
    started_at: datetime | None = created
    for index in range(MAX_ATTEMPTS):
        sid = m.session_id(case_id, index)
        if index > 0:
            started_at = conn.scalar(
                select(E.c.started_at).where(E.c.event_id == event_id(sid, "started"))
            )
            if started_at is None:
                return _Attempt(index, sid, None, None)
        data = conn.scalar(select(E.c.data).where(E.c.event_id == event_id(sid, "ended")))
        if data is None:
            return _Attempt(index, sid, started_at, None)
        if data.get("reason") != "not_eligible":
            return _Attempt(index, sid, started_at, data.get("reason"))
    return _Attempt(MAX_ATTEMPTS, m.session_id(case_id, MAX_ATTEMPTS), None, "too_many")


def _event(sid: uuid.UUID, case: Any, started_at: datetime, at: datetime, what: str, **f: Any):  # type: ignore[no-untyped-def]
    kind = what.partition(":")[0]
    return FunnelEventIn.model_validate(
        {
            "event_id": event_id(sid, what),
            "session_id": sid,
            "type": kind,
            "service_id": case.service_id,
            "channel": CHANNEL,
            "started_at": started_at,
            "occurred_at": min(
                max(at, started_at), started_at + timedelta(seconds=funnel.MAX_DURATION_S)
            ),
            **f,
        }
    )


def _record(
    conn: Connection,
    m: WebMeasure,
    case: Any,
    now: datetime,
    *,
    step_id: str | None = None,
    reason: str | None = None,
    language: str | None = None,
    may_begin_again: bool = False,
) -> int:
    """Record a step or an ending (or just the start) of the case's current attempt; events
    stored."""
    if case.origin_channel != CHANNEL:
        return 0
    attempt = _current(conn, m, case.id, case.created_at)
    if attempt.ended is not None:
        return 0  # ended for good (submitted, handed to staff, abandoned)
    started_at = attempt.started_at
    if started_at is None:  # the previous attempt ended not eligible
        if not may_begin_again:
            return 0
        started_at = now
    sid = attempt.session_id
    lang = language if language in ("en", "cy") else None
    events = [_event(sid, case, started_at, started_at, "started", language=lang)]
    if step_id is not None:
        service = m.catalogue.services.get(case.service_id)
        if service is None or step_id not in funnel.step_ids(service):
            return 0
        index = funnel.step_index(service, step_id)
        events.append(
            _event(sid, case, started_at, now, f"step:{step_id}", step_id=step_id, step_index=index)
        )
    if reason is not None:
        at = min(max(now, started_at), started_at + timedelta(seconds=funnel.MAX_DURATION_S))
        ms = int((at - started_at).total_seconds() * 1000)
        events.append(_event(sid, case, started_at, now, "ended", reason=reason, duration_ms=ms))
    out = record_events(
        conn,
        events,
        office=case.origin_office,
        device_id=None,
        channels=WEB_CHANNELS,
        catalogue=m.catalogue,
        zones=m.zones,
        now=max(now, started_at),
    )
    return out.accepted


def _safely(session: Session, m: WebMeasure | None, case: Any, now: datetime, **kw: Any) -> int:
    if m is None or case is None:
        return 0
    try:
        with session.begin_nested():
            return _record(session.connection(), m, case, now, **kw)
    except Exception as exc:  # noqa: BLE001 - measurement never stops serving the citizen
        log.warning("web funnel event not recorded: %s", type(exc).__name__)
        return 0


def start(
    session: Session, m: WebMeasure | None, case: Any, now: datetime, language: str | None
) -> int:
    """A case made on the web: started, and its first step reached (caller commits)."""
    service = m.catalogue.services.get(case.service_id) if m is not None else None
    first = service.steps[0].id if service is not None and service.steps else None
    return _safely(session, m, case, now, language=language, step_id=first)


def reach(
    session: Session, m: WebMeasure | None, case: Any, now: datetime, step_id: str, changed: bool
) -> int:
    """A step POST led to ``step_id`` (or check answers); ``changed``: it changed an answer (only
    then may a new attempt begin after a not-eligible ending)."""
    return _safely(session, m, case, now, step_id=step_id, may_begin_again=changed)


def end(
    session: Session,
    m: WebMeasure | None,
    case: Any,
    now: datetime,
    reason: str,
    changed: bool = False,
) -> int:
    """The current attempt ended with ``reason`` (once: a second end records nothing)."""
    return _safely(session, m, case, now, reason=reason, may_begin_again=changed)


def abandon(conn: Connection, m: WebMeasure, cases: list[Any], now: datetime) -> int:
    """The drafts purge: each purged web draft's open attempt ends ``abandoned_web`` (in the
    purge's transaction). Rows need ``id``, ``service_id``, ``origin_channel``,
    ``origin_office``, ``created_at``."""
    total = 0
    for case in cases:
        try:
            with conn.begin_nested():
                total += _record(conn, m, case, now, reason="abandoned_web")
        except Exception as exc:  # noqa: BLE001 - the purge goes on; the count is lost alone
            log.warning("abandoned web draft not measured: %s", type(exc).__name__)
    return total

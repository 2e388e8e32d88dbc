"""What central forgets, and when: rows whose purpose has passed are deleted.

Kept only as long as they serve someone (privacy: a citizen's codes and sessions do not outlive
their use; storage: a fleet of 10,000 kiosks sends 28.8 million heartbeats a day):

* Idempotency-Keys: once expired (at least 30 days, :data:`central.idempotency`).
* Handoffs and citizens' web sessions: a day after they expired (the day lets a kiosk's late poll
  still read "expired", not "unknown"). A handoff's web sessions go with it; the case's history
  keeps its ``handed_off`` events.
* Printed-slip resume codes: a week after they expired (the phone says "this slip has expired"
  rather than "not found" meanwhile). They hold the argon2 hash of the second factor.
* Staff sessions: a day after they expired or were revoked.
* Attempt counters (per client address and per staff username, :mod:`central.handoff.ratelimit`):
  a day after their window started, unless a lock still runs then. They hold only hashes of keys.
* Heartbeat history: ``heartbeat_days`` (14 by default). The latest status per kiosk
  (``device_status``) is kept; it is overwritten, not accumulated.
* Raw funnel events: ``funnel_event_days`` after they arrived (90 by default, at least 30:
  :mod:`central.measure.purge`). Their rollups, which every page and export reads, are kept.
* Comments of feedback given with no case (``feedback_events``, :mod:`central.feedback_api`):
  removed 90 days after they arrived; the score, ending and channel stay. (A comment about a case
  is part of the case's history, kept with it.)
* Remote commands' uploads: a screenshot 24 h after it arrived, a readiness report after 30 days
  (:mod:`central.fleet.commands`); overdue commands are marked expired. Commands and the fleet
  audit are kept.

Cases and their events are never purged here — closing and archiving a case is a records-management
decision of the office, not of this service — with one exception: a draft the citizen started on
the web and left (still ``open``, untouched for 30 days) goes with its events, codes and sessions
(:func:`central.web.drafts.purge`): nobody sent it, and its resume code has expired with it.

:func:`purge` runs at ``kiosk-central serve``'s start and as ``kiosk-central purge`` (a daily
systemd timer in ``deploy/``). Each table is its own short transaction, and heartbeats go in chunks
of :data:`CHUNK` rows, so a purge never holds a long lock against the live service. At ``serve``'s
start the heartbeats get a time budget (:data:`START_BUDGET_S`): a first purge of months of history
must not keep the service from starting; what is left waits for the timer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import Engine

from central import feedback_api
from central.db.models import Heartbeat, IdempotencyKey
from central.fleet import commands as fleet_commands
from central.handoff.models import Handoff, ResumeCode, WebSession
from central.handoff.ratelimit import purge_before
from central.measure import purge as funnel_purge
from central.staff.models import StaffSession
from central.web import drafts

log = logging.getLogger("central.retention")
CHUNK = 10_000
START_BUDGET_S = 5.0


@dataclass(frozen=True)
class Retention:
    heartbeat_days: int = 14
    session_grace_days: int = 1
    resume_code_grace_days: int = 7
    funnel_event_days: int = funnel_purge.DEFAULT_DAYS

    def __post_init__(self) -> None:
        if self.heartbeat_days < 1:
            raise ValueError("heartbeat_days must be at least 1")
        if self.funnel_event_days < funnel_purge.MIN_DAYS:
            raise ValueError(f"funnel_event_days must be at least {funnel_purge.MIN_DAYS}")


def purge(
    engine: Engine,
    now: datetime,
    retention: Retention | None = None,
    budget_s: float | None = None,
) -> dict[str, int]:
    """Delete what has served its purpose (see the module docstring); rows deleted per table.
    ``budget_s``: stop deleting heartbeats (between chunks) once that long has passed."""
    keep = retention or Retention()
    grace = now - timedelta(days=keep.session_grace_days)
    done = {
        "idempotency_keys": _delete(engine, delete(IdempotencyKey).where(
            IdempotencyKey.expires_at <= now)),
        "web_sessions": _delete(engine, delete(WebSession).where(or_(
            WebSession.expires_at < grace, WebSession.revoked_at < grace))),
        "handoffs": _delete(engine, delete(Handoff).where(Handoff.expires_at < grace)),
        "resume_codes": _delete(engine, delete(ResumeCode).where(
            ResumeCode.expires_at < now - timedelta(days=keep.resume_code_grace_days))),
        "staff_sessions": _delete(engine, delete(StaffSession).where(or_(
            StaffSession.expires_at < grace, StaffSession.revoked_at < grace))),
        "attempt_counters": _delete(engine, purge_before(grace)),
    }  # fmt: skip
    done["web_drafts"] = drafts.purge(engine, now)
    comments_before = now - timedelta(days=feedback_api.COMMENT_DAYS)
    done["feedback_comments"] = feedback_api.forget_comments(engine, comments_before)
    done.update(fleet_commands.sweep(engine, now))  # expired commands; screenshots after 24 h
    before = now - timedelta(days=keep.heartbeat_days)
    deadline = None if budget_s is None else time.monotonic() + budget_s
    done["heartbeats"] = _purge_heartbeats(engine, before, deadline)
    raw_before = now - timedelta(days=keep.funnel_event_days)
    done["funnel_events"] = funnel_purge.purge_events(engine, raw_before, deadline)
    return done


def _delete(engine: Engine, statement) -> int:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        return int(conn.execute(statement).rowcount or 0)


def _purge_heartbeats(engine: Engine, before: datetime, deadline: float | None) -> int:
    """Older heartbeats, :data:`CHUNK` at a time (each chunk its own transaction), until none is
    left or the ``deadline`` (monotonic) has passed."""
    total = 0
    oldest = (
        select(Heartbeat.id).where(Heartbeat.received_at < before).order_by(Heartbeat.received_at)
    )
    while True:
        chunk = _delete(engine, delete(Heartbeat).where(Heartbeat.id.in_(oldest.limit(CHUNK))))
        total += chunk
        if chunk < CHUNK:
            return total
        if deadline is not None and time.monotonic() >= deadline:
            log.info("heartbeat purge paused after %d rows: the rest at the next purge", total)
            return total

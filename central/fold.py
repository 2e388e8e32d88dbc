"""A case's state is the fold of its events, oldest first (by server ``seq``).

``apply(state, event)`` is pure: it returns the next state or raises :class:`FoldError` when the event
cannot happen in that state (e.g. anything but a note after ``closed``). The API applies each new
event to the stored projection before inserting it, so an illegal event is refused (409) and never
stored; ``fold(events)`` rebuilds a projection from scratch (tests check both agree).

Statuses::

    open ──submitted──▶ submitted
     │  ╲                  │
     │   handed_off(to=staff) / help_requested
     │          ▼          ▼
     │     waiting_for_staff ──assigned──▶ with_staff
     └──────────────┴────────closed────────┴──▶ closed (terminal; notes still allowed)

Event payloads:

* ``created``: ``{service_id, answers, reference, office, channel}``
* ``answers_changed``: ``{answers: {field: value | null}}`` — a JSON merge patch (null removes)
* ``submitted``: ``{}``
* ``handed_off``: ``{to: "staff" | "web" | "kiosk", handoff_id?}`` — ``staff`` queues the case
* ``help_requested``: ``{}`` — same as handing off to staff
* ``assigned``: ``{staff_id}``; ``unassigned``: ``{}`` (back to the queue)
* ``note_added``: ``{text}`` (staff only)
* ``feedback_given``: ``{score: 1–5, ending, comment?}`` — the one feedback question, any channel
  (:mod:`central.feedback`; an older kiosk's ``{score: 1–4, reason?}`` is mapped on arrival); history only
* ``closed``: ``{outcome?}``

Errors::

    ValueError
    └── FoldError   the event cannot apply to this state
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

EVENT_TYPES = (
    "created",
    "answers_changed",
    "submitted",
    "handed_off",
    "help_requested",
    "assigned",
    "unassigned",
    "note_added",
    "feedback_given",
    "closed",
)
CLIENT_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t != "created")
CHANNELS = ("kiosk", "web", "counter", "phone", "staff", "assisted")
"""Channels events are recorded on (DESIGN.md: kiosk, web, counter, phone, assisted); ``staff`` is
staff working a case that began elsewhere (picked up from the queue)."""
ACTOR_TYPES = ("citizen", "staff", "device", "system")
STATUSES = ("open", "submitted", "waiting_for_staff", "with_staff", "closed")
QUEUED = "waiting_for_staff"


class FoldError(ValueError):
    pass


@dataclass(frozen=True)
class Event:
    """What the fold needs of an event (the DB row carries more)."""

    type: str
    payload: Mapping[str, Any]
    received_at: datetime
    channel: str = "kiosk"


@dataclass(frozen=True)
class CaseState:
    status: str = "open"
    service_id: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    assigned_to: str | None = None
    queued_at: datetime | None = None
    notes: int = 0
    last_channel: str | None = None
    version: int = 0


def merge_answers(answers: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7396) one level deep: ``null`` removes an answer."""
    merged = dict(answers)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def apply(state: CaseState, event: Event) -> CaseState:
    t, p = event.type, event.payload
    if t not in EVENT_TYPES:
        raise FoldError(f"unknown event type {t!r}")
    if state.version == 0 and t != "created":
        raise FoldError("the first event of a case must be 'created'")
    if state.version > 0 and t == "created":
        raise FoldError("the case already exists")
    if state.status == "closed" and t not in ("note_added", "feedback_given"):
        raise FoldError(f"the case is closed; {t!r} is not allowed")
    nxt = replace(state, version=state.version + 1, last_channel=event.channel)
    if t == "created":
        return replace(
            nxt, status="open", service_id=str(p["service_id"]), answers=dict(p.get("answers", {}))
        )
    if t == "answers_changed":
        if state.status not in ("open", "waiting_for_staff", "with_staff"):
            raise FoldError(f"answers cannot change once the case is {state.status}")
        return replace(nxt, answers=merge_answers(state.answers, p.get("answers", {})))
    if t == "submitted":
        if state.status == "submitted":
            raise FoldError("the case is already submitted")
        return replace(nxt, status="submitted", assigned_to=None, queued_at=None)
    if t in ("handed_off", "help_requested"):
        if t == "help_requested" or p.get("to") == "staff":
            if state.status in (QUEUED, "with_staff"):
                return nxt  # already with staff: nothing changes but the history
            return replace(nxt, status=QUEUED, queued_at=event.received_at, assigned_to=None)
        return nxt
    if t == "assigned":
        return replace(nxt, status="with_staff", assigned_to=str(p["staff_id"]), queued_at=None)
    if t == "unassigned":
        if state.status != "with_staff":
            raise FoldError("the case is not with a member of staff")
        return replace(nxt, status=QUEUED, assigned_to=None, queued_at=event.received_at)
    if t == "note_added":
        return replace(nxt, notes=state.notes + 1)
    if t == "feedback_given":
        return nxt
    # closed
    return replace(nxt, status="closed", queued_at=None)


def fold(events: Iterable[Event], state: CaseState | None = None) -> CaseState:
    state = state or CaseState()
    for event in events:
        state = apply(state, event)
    return state

"""How the staff console says what happened to a case: human labels, names and local times.

A case's timeline is read by a person at a counter with the citizen in front of them, so it says
"Slip printed to carry on later" rather than ``handed_off to web slip_printed``, "Sam Jones"
rather than a staff id, and "2 December 2026, 14:05" in the office's time rather than UTC
(issue 17, "Staff console"). One home for these words: the case page, the queue and any later
page read them from here.

Failure model: an event type, stage or channel this module does not know (a newer kiosk, an old
row) is still shown — as its raw name, never dropped and never an error — so staff never miss
an event. Payloads are read only for the members named here; answers are never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.dates import MONTHS_EN
from central.staff.models import StaffUser

__all__ = [
    "EVENT_LABELS",
    "TimelineRow",
    "HANDOFF_LABELS",
    "actor_label",
    "case_language",
    "channel_label",
    "event_label",
    "language_label",
    "local_time",
    "staff_names",
    "timeline",
]

EVENT_LABELS: dict[str, str] = {
    "created": "Case started",
    "answers_changed": "Answers changed",
    "submitted": "Sent",
    "help_requested": "Asked for help",
    "assigned": "Picked up by staff",
    "unassigned": "Put back in the queue",
    "note_added": "Note added",
    "feedback_given": "Feedback given",
    "closed": "Closed",
}
"""Event type → what a member of staff reads in the timeline."""

HANDOFF_LABELS: dict[tuple[str, str], str] = {
    ("web", "offered"): "QR code shown to carry on by phone",
    ("web", "claimed"): "Opened on a phone",
    ("web", "confirmed"): "Carried on by phone",
    ("web", "declined"): "Phone turned away at the kiosk",
    ("web", "saved"): "Saved online to carry on later",
    ("web", "slip_printed"): "Slip printed to carry on later",
    ("web", "resumed"): "Picked up online",
    ("kiosk", "resumed"): "Picked up at a kiosk",
    ("staff", "offered"): "Passed to staff",
    ("staff", "taken"): "Taken by staff",
}
"""``handed_off`` events by (where to, stage)."""

CHANNEL_LABELS: dict[str, str] = {
    "kiosk": "Kiosk",
    "assisted": "Kiosk, with staff",
    "web": "Online",
    "staff": "Counter or phone",
    "counter": "Counter",
    "phone": "Phone",
}

ACTOR_LABELS: dict[str, str] = {
    "citizen": "Citizen",
    "device": "Kiosk",
    "system": "System",
    "staff": "Staff",
}

LANGUAGES: dict[str, str] = {"en": "English", "cy": "Welsh (Cymraeg)"}

FEEDBACK_WORDS: dict[int, str] = {
    5: "very satisfied",
    4: "satisfied",
    3: "neither satisfied nor dissatisfied",
    2: "dissatisfied",
    1: "very dissatisfied",
}


def _payload(event: Any) -> Mapping[str, Any]:
    payload = getattr(event, "payload", None)
    return payload if isinstance(payload, Mapping) else {}


def event_label(event: Any) -> str:
    """The timeline's words for one event (its type, and for handoffs where and how far)."""
    kind = str(event.type)
    if kind == "handed_off":
        payload = _payload(event)
        to, stage = str(payload.get("to", "")), str(payload.get("stage", ""))
        label = HANDOFF_LABELS.get((to, stage))
        if label is None:
            return f"Handed on ({' '.join(x for x in (to, stage) if x) or 'no details'})"
        via = payload.get("via")
        return f"{label} (with the slip's code)" if via == "slip" and stage == "resumed" else label
    return EVENT_LABELS.get(kind, kind.replace("_", " ").capitalize())


def feedback_words(score: object) -> str:
    return FEEDBACK_WORDS.get(score, "") if isinstance(score, int) else ""


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def language_label(lang: str | None) -> str:
    """ "English", "Welsh (Cymraeg)"; "Not known" when the channel did not say."""
    return LANGUAGES.get(lang or "", "Not known")


def case_language(events: Sequence[Any]) -> str | None:
    """The language the citizen used, as the channels recorded it on the case's events (the
    created event of the web and the desk, the kiosk's submitted or help event); the latest wins,
    so a case carried on in Welsh shows Welsh."""
    found = None
    for event in events:
        lang = _payload(event).get("language")
        if lang in LANGUAGES:
            found = str(lang)
    return found


def actor_label(event: Any, names: Mapping[str, str]) -> str:
    """ "Staff: sam.jones" for staff (their user name, not their id); "Citizen", "Kiosk" …"""
    kind = str(event.actor_type)
    label = ACTOR_LABELS.get(kind, kind)
    actor_id = getattr(event, "actor_id", None)
    if kind == "staff" and actor_id:
        return f"{label}: {names.get(actor_id, 'a former account')}"
    return label


def local_time(when: datetime, zone: ZoneInfo) -> str:
    """``2 December 2026, 14:05`` in the office's time zone (the clock on the office wall)."""
    local = when.astimezone(zone)
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}, {local:%H:%M}"


def staff_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """User names of the staff accounts among ``ids`` (one query; unknown ids are left out)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffUser.id, StaffUser.username).where(StaffUser.id.in_(wanted))
    ).all()
    return {row.id: row.username for row in rows}


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    when: str
    label: str
    channel: str
    channel_code: str
    actor: str
    details: str


def _details(event: Any, field_labels: Mapping[str, str]) -> str:
    payload, kind = _payload(event), str(event.type)
    if kind == "answers_changed":
        changed = payload.get("answers")
        keys = list(changed) if isinstance(changed, Mapping) else []
        return ", ".join(field_labels.get(k, k) for k in keys)
    if kind == "note_added":
        return str(payload.get("text", ""))
    if kind == "feedback_given":
        score = payload.get("score")
        ending = str(payload.get("ending", "")).replace("_", " ")
        said = f"{score} of 5, {feedback_words(score)}" if isinstance(score, int) else ""
        comment = payload.get("comment")
        return f"{said} ({ending})" + (f": {comment}" if comment else "") if said else ""
    if kind == "closed":
        return str(payload.get("outcome", "") or "")
    return ""


def timeline(
    events: Sequence[Any],
    names: Mapping[str, str],
    zone: ZoneInfo,
    field_labels: Mapping[str, str] | None = None,
) -> list[TimelineRow]:
    """The case page's timeline: one row per event, oldest first, every one in words."""
    return [
        TimelineRow(
            seq=e.seq,
            when=local_time(e.occurred_at, zone),
            label=event_label(e),
            channel=channel_label(str(e.channel)),
            channel_code=str(e.channel),
            actor=actor_label(e, names),
            details=_details(e, field_labels or {}),
        )
        for e in events
    ]

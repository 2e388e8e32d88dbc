"""The funnel vocabulary every channel measures with (DESIGN.md, data flow 5 "Measurement").

One list of names, read by the kiosk (which emits funnel events) and by central (which checks and
folds them), so a name can never mean one thing on one channel and another elsewhere. Nothing here
can carry personal data: every field of a funnel event is an id, a name from these lists, a time
or a number. A free-text field would be the first place an answer leaks into; there is none.

A *funnel session* is one person's attempt at one service on one channel: it starts when the
service is chosen (or a case is resumed), reaches steps, and ends once with a reason. Choosing
another service ends the first attempt (``changed_service``) and starts another.

Completion (GOV.UK's 2015 definition): ``submitted`` and ``not_eligible`` are *completed*;
``handed_off_*`` moved the attempt to another channel (counted apart, neither completed nor
failed here); every other reason is a *failure* (a drop-out or an error).
"""

from __future__ import annotations

from catalogue.model import Service

__all__ = [
    "CHANNELS",
    "CHECK_ANSWERS",
    "COMPLETED",
    "DIGITAL_CHANNELS",
    "DURATION_BUCKETS_S",
    "EVENT_TYPES",
    "FEATURES",
    "HANDED_OFF",
    "HANDOFF_ROUTES",
    "MAX_DURATION_S",
    "REASONS",
    "bucket_of",
    "step_index",
    "step_ids",
]

EVENT_TYPES = ("started", "step", "ended", "handoff")
CHANNELS = ("kiosk", "web", "counter", "phone", "assisted")
DIGITAL_CHANNELS = frozenset({"kiosk", "web", "assisted"})
"""Digital take-up counts assisted digital as digital (GOV.UK)."""

REASONS = (
    "submitted",
    "not_eligible",
    "handed_off_phone",
    "handed_off_staff",
    "back_to_start",
    "idle_wipe",
    "changed_service",
    "wiped",
    "abandoned_web",
    "error",
)
"""Why a funnel session ended. ``back_to_start``: the person pressed finish/start again before
submitting; ``idle_wipe``: the idle timeout wiped it; ``wiped``: wiped for another reason (a
technician, a confirmed handoff); ``abandoned_web``: a web session that expired unsubmitted."""
COMPLETED = frozenset({"submitted", "not_eligible"})
HANDED_OFF = frozenset({"handed_off_phone", "handed_off_staff"})
HANDOFF_ROUTES = ("phone", "staff")
"""A ``handoff`` event: after submitting, the person carried on by phone or with staff."""

FEATURES = (
    "large_text",
    "high_contrast",
    "reach_mode",
    "audio",
    "screen_reader",
    "keyboard",
    "easy_read",
)
"""Accessibility features a session had switched on (names only, never a setting's value)."""

CHECK_ANSWERS = "check_answers"
"""The step id of the check-answers page: reaching it is the last step before submitting."""

DURATION_BUCKETS_S = (
    15,
    30,
    60,
    90,
    120,
    180,
    240,
    300,
    420,
    600,
    900,
    1200,
    1800,
    2700,
    3600,
    7200,
)
"""Upper bounds (seconds) of the duration histogram; one more bucket holds everything longer.
Medians and p90s are read from it by linear interpolation inside a bucket: small, fixed storage
per rollup row, and an error bounded by the bucket's width."""
MAX_DURATION_S = 7 * 24 * 3600


def bucket_of(duration_s: float) -> int:
    """Index of the histogram bucket holding ``duration_s`` (upper bound inclusive)."""
    for i, upper in enumerate(DURATION_BUCKETS_S):
        if duration_s <= upper:
            return i
    return len(DURATION_BUCKETS_S)


def step_ids(service: Service) -> tuple[str, ...]:
    """The ids a ``step`` event may name for ``service``: its steps, then check answers."""
    return (*(s.id for s in service.steps), CHECK_ANSWERS)


def step_index(service: Service, step_id: str) -> int:
    """Position of ``step_id`` in :func:`step_ids` (ValueError when it is not one of them)."""
    return step_ids(service).index(step_id)

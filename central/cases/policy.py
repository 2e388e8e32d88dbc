"""Who may record which case event on which channel: one table of data, checked by the store.

Why: the rules used to live in three places (a staff-only set in the API's append, an actor check
in the API's schema helpers, and nothing at all for the web, staff desk and handoff writers). Now
:data:`TABLE` lists every (channel, actor type) pair that may act on a case and the event types it
may record; :func:`central.cases.store.insert_events` refuses any row outside it, whatever route
built it, so a new channel cannot forget the rules.

The rules, as they were before they moved here:

* assignments, notes and closing (:data:`STAFF_WORK`) are staff's, on the staff channels
  (``staff``: the console; ``counter``, ``phone``: the desk) — never a kiosk, never the web;
* a kiosk speaks for the citizen or for itself (``device``); it records ``staff`` only on the
  ``assisted`` channel (a member of staff who swiped a badge at it);
* the web is the citizen's; nobody records as ``system`` (the server's own actor) through a route.

Failure model: :func:`refusal` returns the problem (422 ``actor-not-allowed`` when the actor
never acts on that channel, 403 ``staff-only-event`` / ``event-not-allowed`` when it may act there
but not record that event); nothing is written for a refused event.
"""

from __future__ import annotations

from collections.abc import Mapping

from central.fold import CHANNELS, EVENT_TYPES
from central.problems import ProblemError

JOURNEY = frozenset(
    {"created", "answers_changed", "submitted", "handed_off", "help_requested", "feedback_given"}
)
"""Steps of the citizen's journey, recorded by whoever is with the citizen on that channel."""
STAFF_WORK = frozenset({"assigned", "unassigned", "note_added", "closed"})
"""Work on a case only staff do."""

TABLE: tuple[tuple[str, str, frozenset[str]], ...] = (
    # channel     actor type   event types it may record
    ("kiosk", "citizen", JOURNEY),
    ("kiosk", "device", JOURNEY),
    ("assisted", "citizen", JOURNEY),
    ("assisted", "device", JOURNEY),
    ("assisted", "staff", JOURNEY),
    ("web", "citizen", JOURNEY),
    ("staff", "staff", JOURNEY | STAFF_WORK),
    ("counter", "staff", JOURNEY | STAFF_WORK),
    ("phone", "staff", JOURNEY | STAFF_WORK),
)

ALLOWED: Mapping[tuple[str, str, str], bool] = {
    (event_type, channel, actor): True for channel, actor, types in TABLE for event_type in types
}
ACTORS_ON: Mapping[str, frozenset[str]] = {
    channel: frozenset(a for c, a, _ in TABLE if c == channel) for channel in CHANNELS
}
assert set(EVENT_TYPES) == JOURNEY | STAFF_WORK, "every event type has its row"


def allowed(event_type: str, channel: str, actor_type: str) -> bool:
    return ALLOWED.get((event_type, channel, actor_type), False)


def refusal(event_type: str, channel: str, actor_type: str) -> ProblemError | None:
    """The problem recording ``event_type`` as ``actor_type`` on ``channel`` is, or None."""
    if allowed(event_type, channel, actor_type):
        return None
    actor_problem = actor_refusal(channel, actor_type)
    if actor_problem is not None:
        return actor_problem
    if event_type in STAFF_WORK:
        return ProblemError(403, f"Only staff may record {event_type!r}.", slug="staff-only-event")
    return ProblemError(
        403,
        f"{event_type!r} may not be recorded on the {channel} channel.",
        slug="event-not-allowed",
    )


def actor_refusal(channel: str, actor_type: str) -> ProblemError | None:
    """422 ``actor-not-allowed`` when ``actor_type`` records nothing on ``channel``, else None."""
    if actor_type in ACTORS_ON.get(channel, frozenset()):
        return None
    message = f"{actor_type} may not act on the {channel} channel"
    return ProblemError(
        422,
        f"actor_type: {message}.",
        slug="actor-not-allowed",
        errors=[{"field": "actor_type", "message": message}],
    )


def check(event_type: str, channel: str, actor_type: str) -> None:
    """Raise :func:`refusal`'s problem, if any."""
    problem = refusal(event_type, channel, actor_type)
    if problem is not None:
        raise problem

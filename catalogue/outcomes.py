"""Endings a service's answers can lead to before anything is sent: "not eligible" and the like.

An outcome is not an error. Once the answers given so far meet an outcome's ``when`` (a condition
of the same shape as a ``show_if``), the journey ends there on every channel: the kiosk and the web
stop asking, show the outcome's title and body, and send nothing. The citizen can still go back
and change the deciding answer. Only answers the citizen can see count: an answer left behind on a
question that a later change hid never decides anything.

Every channel calls :func:`outcome_for` with the answers it holds (normalised, as stored), so the
same answers give the same ending, in the same words, everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Outcome, Service, Step
from .validation import visible_fields, visible_steps

__all__ = ["deciding_step", "outcome_for", "shown_answers"]


def shown_answers(service: Service, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers to questions the citizen can see with these answers (walked in order)."""
    known: dict[str, object] = {}
    for step in service.steps:
        if step.show_if is not None and not step.show_if.holds(known):
            continue
        for f in step.fields:
            if f.show_if is not None and not f.show_if.holds(known):
                continue
            if f.id in answers and answers[f.id] is not None:
                known[f.id] = answers[f.id]
    return known


def outcome_for(service: Service, answers: Mapping[str, object]) -> Outcome | None:
    """The first of the service's outcomes whose ``when`` holds on the visible answers, or None
    (carry on). ``answers`` are normalised answers (``true``/``false`` for yes/no questions)."""
    if not service.outcomes:
        return None
    shown = shown_answers(service, answers)
    return next((o for o in service.outcomes if o.when.holds(shown)), None)


def deciding_step(service: Service, outcome: Outcome, answers: Mapping[str, object]) -> Step | None:
    """The visible step holding the question that decided ``outcome`` (where "Back" returns to)."""
    for step in visible_steps(service, dict(answers)):
        if any(f.id == outcome.when.field for f in visible_fields(step, dict(answers))):
            return step
    return None

"""Moving through a service's steps, skipping the ones whose ``show_if`` the answers do not meet.

Which steps and fields are visible is decided by :mod:`catalogue.validation` (the same rules the
web and staff channels use); this module only orders them around the current step.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalogue import validation
from catalogue.model import Service, Step
from kiosk.session.errors import UnknownStep

__all__ = [
    "first_step",
    "first_step_with_errors",
    "hidden_field_ids",
    "last_step",
    "next_step",
    "previous_step",
    "step_by_id",
]


def _visible_ids(service: Service, answers: Mapping[str, object]) -> set[str]:
    return {s.id for s in validation.visible_steps(service, dict(answers))}


def step_by_id(service: Service, step_id: str) -> Step:
    for step in service.steps:
        if step.id == step_id:
            return step
    raise UnknownStep(f"service {service.id!r} has no step {step_id!r}")


def _index(service: Service, step_id: str) -> int:
    return [s.id for s in service.steps].index(step_by_id(service, step_id).id)


def first_step(service: Service, answers: Mapping[str, object]) -> Step | None:
    visible = _visible_ids(service, answers)
    return next((s for s in service.steps if s.id in visible), None)


def last_step(service: Service, answers: Mapping[str, object]) -> Step | None:
    visible = _visible_ids(service, answers)
    return next((s for s in reversed(service.steps) if s.id in visible), None)


def next_step(service: Service, current: str, answers: Mapping[str, object]) -> Step | None:
    """The first visible step after ``current`` in the service's order, or None at the end."""
    visible = _visible_ids(service, answers)
    later = service.steps[_index(service, current) + 1 :]
    return next((s for s in later if s.id in visible), None)


def previous_step(service: Service, current: str, answers: Mapping[str, object]) -> Step | None:
    visible = _visible_ids(service, answers)
    earlier = service.steps[: _index(service, current)]
    return next((s for s in reversed(earlier) if s.id in visible), None)


def hidden_field_ids(service: Service, answers: Mapping[str, object]) -> set[str]:
    """Fields the person cannot see with these answers: their answers must not be submitted."""
    shown: set[str] = set()
    for step in validation.visible_steps(service, dict(answers)):
        shown.update(f.id for f in validation.visible_fields(step, dict(answers)))
    return {f.id for f in service.all_fields()} - shown


def first_step_with_errors(
    service: Service, errors: Mapping[str, object], answers: Mapping[str, object]
) -> Step | None:
    """The earliest visible step holding a field named in ``errors``."""
    for step in validation.visible_steps(service, dict(answers)):
        if any(f.id in errors for f in step.fields):
            return step
    return None

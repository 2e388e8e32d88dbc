"""Answers for any catalogue service, made from its fields alone, and each channel's form of them.

The channel-consistency contract (issue 12 item 7) answers every service in ``config/services`` on
every channel; a service added later must be covered without touching the test, so nothing here
names a service or a field. For each visible field, in order, a value its own check accepts on
``today``; a choice or yes/no takes the first option that does not end the journey in one of the
service's outcomes ("not eligible"), so the journey reaches "check your answers".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from catalogue.hints import example_date
from catalogue.model import Field, FieldType, Service, Step
from catalogue.outcomes import outcome_for
from catalogue.validation import AnswerError, normalise, visible_fields, visible_steps

TYPED: dict[FieldType, str] = {
    FieldType.PHONE: "07700 900982",
    FieldType.EMAIL: "ann@example.com",
    FieldType.POSTCODE: "CF10 1AA",
    FieldType.NI_NUMBER: "JG 10 37 59 A",
}
BAD: dict[FieldType, str] = {
    FieldType.PHONE: "12",
    FieldType.EMAIL: "ann at example",
    FieldType.POSTCODE: "NOT A POSTCODE",
    FieldType.NI_NUMBER: "12345",
    FieldType.NUMBER: "many",
}
"""A wrong answer for each typed field, for comparing the channels' error messages."""


def _text(f: Field) -> str:
    text = "Ann Example"
    low = int(f.min or 0)
    if len(text) < low:
        text = (text + " ") * (low // len(text) + 1)
        text = text.strip()
    if f.max is not None:
        text = text[: int(f.max)].strip()
    return text


def _matching(f: Field, today: date) -> str:
    """The smallest string the field's pattern takes and its check accepts (Hypothesis's
    ``find`` shrinks to it, so it is the same on every run)."""
    assert f.pattern is not None

    def accepted(text: str) -> bool:
        try:
            normalise(f, text, today)
        except AnswerError:
            return False
        return True

    quiet = settings(database=None, max_examples=2000, phases=[Phase.generate, Phase.shrink])
    return find(st.from_regex(f.pattern, fullmatch=True), accepted, settings=quiet)


def _candidates(f: Field, today: date) -> list[object]:
    """Raw answers to try, in the form a person gives them (strings; a date as its three parts)."""
    kind = f.type
    if kind is FieldType.DATE:
        d = example_date(f, today)
        return [{"day": str(d.day), "month": str(d.month), "year": str(d.year)}]
    if kind is FieldType.YES_NO:
        return ["yes", "no"]
    if kind is FieldType.CHOICE:
        return [o.value for o in f.options]
    if kind is FieldType.NUMBER:
        low = f.min if f.min is not None else 1
        return [f"{low:g}"]
    if kind in TYPED:
        return [TYPED[kind]]
    return [_matching(f, today) if f.pattern else _text(f)]


@dataclass
class Journey:
    """One service answered: the raw answers per step in order, and the normalised answers."""

    service: Service
    steps: list[tuple[Step, dict[str, object]]] = field(default_factory=list)
    answers: dict[str, object] = field(default_factory=dict)


def answer_service(service: Service, today: date) -> Journey:
    """Answers that reach "check your answers" (no outcome on the way); AssertionError if the
    service cannot be answered so — the test names the field."""
    journey = Journey(service)
    done: set[str] = set()
    while True:
        pending = [s for s in visible_steps(service, journey.answers) if s.id not in done]
        if not pending:
            return journey
        step = pending[0]
        raw: dict[str, object] = {}
        for f in step.fields:
            if f not in visible_fields(step, journey.answers):
                continue
            for candidate in _candidates(f, today):
                try:
                    value = normalise(f, candidate, today)
                except AnswerError as exc:
                    raise AssertionError(f"{service.id}.{f.id}: {candidate!r}: {exc}") from None
                trial = {**journey.answers, f.id: value}
                if outcome_for(service, trial) is None:
                    raw[f.id], journey.answers[f.id] = candidate, value
                    break
            else:
                raise AssertionError(f"{service.id}.{f.id}: every option ends in an outcome")
        journey.steps.append((step, raw))
        done.add(step.id)


def form_of(step_raw: dict[str, object], service: Service) -> dict[str, str]:
    """The web form (and the staff desk's) for one step's raw answers."""
    form: dict[str, str] = {}
    for field_id, raw in step_raw.items():
        if isinstance(raw, dict):
            for part in ("day", "month", "year"):
                form[f"{field_id}-{part}"] = str(raw[part])
        else:
            form[field_id] = str(raw)
    return form


def bad_answers(step: Step) -> dict[str, Any]:
    """A wrong answer for every typed field of ``step`` (others left empty: "required")."""
    return {f.id: BAD[f.type] for f in step.fields if f.type in BAD}

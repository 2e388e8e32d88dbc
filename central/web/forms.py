"""From catalogue steps to HTML forms and back: which steps remain, reading posted fields, errors.

Rules of the answers belong to the catalogue (:mod:`catalogue.validation`, shared with the kiosk:
the same normalisation, the same bilingual messages); this module only shapes form posts for it (a
date comes as three inputs) and decides which step is next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from catalogue.model import Field, FieldType, Service, Step, Text
from catalogue.validation import validate_answers, validate_step


@dataclass(frozen=True)
class FieldError:
    field_id: str
    message: Text

    @property
    def anchor(self) -> str:
        """The id of the input the error summary links to (the day input for a date)."""
        return f"f-{self.field_id}"


def visible_steps(service: Service, answers: dict[str, Any]) -> list[Step]:
    return [s for s in service.steps if s.show_if is None or s.show_if.holds(answers)]


def visible_fields(step: Step, answers: dict[str, Any]) -> list[Field]:
    return [f for f in step.fields if f.show_if is None or f.show_if.holds(answers)]


def step_done(step: Step, answers: dict[str, Any]) -> bool:
    """A step is done when every visible required field has an answer (optional ones may be empty,
    so a step with only optional fields counts as done once any answer of it was given)."""
    fields = visible_fields(step, answers)
    required = [f for f in fields if f.required]
    if required:
        return all(f.id in answers for f in required)
    return any(f.id in answers for f in fields)


def next_step(service: Service, answers: dict[str, Any]) -> Step | None:
    for step in visible_steps(service, answers):
        if not step_done(step, answers):
            return step
    return None


def find_step(service: Service, step_id: str, answers: dict[str, Any]) -> Step | None:
    for step in visible_steps(service, answers):
        if step.id == step_id:
            return step
    return None


def _raw_of(step: Step, form: dict[str, str]) -> dict[str, Any]:
    """Posted values as the catalogue reads them: a date as ``{day, month, year}``."""
    raw: dict[str, Any] = {}
    for f in step.fields:
        if f.type is FieldType.DATE:
            raw[f.id] = {p: form.get(f"{f.id}-{p}", "") for p in ("day", "month", "year")}
        else:
            raw[f.id] = form.get(f.id, "")
    return raw


def read_step(
    service: Service, step: Step, form: dict[str, str], answers: dict[str, Any], today: date
) -> tuple[dict[str, Any], list[FieldError]]:
    """(merge patch of normalised answers, errors) for a posted step, by the catalogue's own rules
    (:func:`catalogue.validation.validate_step`). An emptied optional field becomes null in the
    patch, so the answer is removed."""
    values, errors = validate_step(service, step.id, _raw_of(step, form), today, earlier=answers)
    order = [f.id for f in step.fields]
    problems = [FieldError(fid, errors[fid].message) for fid in order if fid in errors]
    return values, problems


def shown_again(
    step: Step,
    form: dict[str, str],
    answers: dict[str, Any],
    patch: dict[str, Any],
    errors: list[FieldError],
) -> dict[str, Any]:
    """The values a step's page shows again after errors: the answers with the step's valid ones,
    what was typed into the fields in error, and each date's three inputs as typed
    (``<id>__raw``)."""
    typed = {e.field_id: form.get(e.field_id, "") for e in errors}
    raw = {
        f"{f.id}__raw": {p: form.get(f"{f.id}-{p}", "") for p in ("day", "month", "year")}
        for f in step.fields
        if f.type is FieldType.DATE
    }
    return answers | patch | typed | raw


def fields_context(step: Step, values: dict[str, Any], errors: list[Any]) -> dict[str, Any]:
    """What the fields partial (``web/fields.html``: the web's steps and the staff desk's) needs
    besides the page's words: the step's visible fields, their values and errors."""
    return {
        "step": step,
        "fields": visible_fields(step, values),
        "values": values,
        "errors": errors,
        "date_parts": date_parts,
        "FieldType": FieldType,
    }


def check_complete(service: Service, answers: dict[str, Any], today: date) -> list[FieldError]:
    """The whole answer set as submission needs it (every visible required answer, all valid)."""
    errors = validate_answers(service, answers, today, complete=True)
    return [FieldError(fid, exc.message) for fid, exc in errors.items()]


def display_value(f: Field, value: Any, lang: str) -> str:
    if value is None:
        return ""
    if f.type is FieldType.YES_NO:
        return f.yes_no_word(bool(value), lang)
    if f.type is FieldType.CHOICE:
        for option in f.options:
            if option.value == str(value):
                return option.label.get(lang)
    if f.type is FieldType.DATE:
        try:
            d = date.fromisoformat(str(value))
            return f"{d.day}/{d.month}/{d.year}"
        except ValueError:
            return str(value)
    return str(value)


def check_rows(
    service: Service, answers: dict[str, Any], lang: str
) -> list[tuple[Step, list[tuple[Field, str]]]]:
    """The check-answers page's rows: each visible step with its visible fields and their answers
    as a person reads them (the ``answers_summary`` macro's ``rows``)."""
    return [
        (
            step,
            [(f, display_value(f, answers.get(f.id), lang)) for f in visible_fields(step, answers)],
        )
        for step in visible_steps(service, answers)
    ]


def date_parts(value: Any) -> dict[str, str]:
    try:
        d = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return {"day": "", "month": "", "year": ""}
    return {"day": str(d.day), "month": str(d.month), "year": str(d.year)}

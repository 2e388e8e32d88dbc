"""Checking citizens' answers against a service definition — the one set of rules every channel uses.

The kiosk validates each step as it is answered, the web channel does the same, and central checks
the whole answer set a kiosk or web page sends (it never trusts a client). Answers are normalised
(``"sw1a1aa"`` → ``"SW1A 1AA"``), so every channel stores the same value for the same answer.

Errors::

    ValueError
    └── AnswerError   one answer is not acceptable; ``.field_id``, ``.code`` and a bilingual
                      ``.message`` telling the citizen what to do
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from .dates import DateLimitError, in_words, resolve_limit
from .messages import message_for
from .model import Field, FieldType, Service, Step, Text
from .rules import clean_email, clean_ni_number, clean_phone, clean_postcode

_YES_NO = {"yes": True, "ie": True, "true": True, "no": False, "na": False, "false": False}
_DMY = re.compile(r"^\s*(\d{1,2})\s*[/ .-]\s*(\d{1,2})\s*[/ .-]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class AnswerError(ValueError):
    """One answer that cannot be accepted, with a message for the citizen in each language."""

    def __init__(self, field_id: str, code: str, message: Text) -> None:
        super().__init__(f"{field_id}: {code}")
        self.field_id = field_id
        self.code = code
        self.message = message


def _fail(field: Field, code: str, **values: Any) -> AnswerError:
    return AnswerError(field.id, code, message_for(field, code, **values))


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, dict):
        return all(_is_empty(v) for v in raw.values())
    return False


def _number(field: Field, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise _fail(field, "not_a_number")
    if isinstance(raw, int | float):
        value: int | float = raw
    elif isinstance(raw, str) and _NUMBER.match(text := raw.strip().replace(",", "")):
        value = float(text) if "." in text else int(text)
    else:
        raise _fail(field, "not_a_number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(field, "not_a_number")
    if field.min is not None and value < field.min:
        raise _fail(field, "too_small", min=f"{field.min:g}")
    if field.max is not None and value > field.max:
        raise _fail(field, "too_large", max=f"{field.max:g}")
    return value


def _parse_date(field: Field, raw: object) -> date:
    if isinstance(raw, date):
        return raw
    parts: tuple[Any, Any, Any] | None = None
    if isinstance(raw, dict):
        parts = (raw.get("year"), raw.get("month"), raw.get("day"))
    elif isinstance(raw, str) and (m := _ISO.match(raw)):
        parts = (m.group(1), m.group(2), m.group(3))
    elif isinstance(raw, str) and (m := _DMY.match(raw)):
        parts = (m.group(3), m.group(2), m.group(1))
    try:
        if parts is None:
            raise ValueError(raw)
        year, month, day = (int(str(p).strip()) for p in parts)
        return date(year, month, day)
    except (TypeError, ValueError, OverflowError):
        raise _fail(field, "not_a_date") from None


def _date(field: Field, raw: object, today: date) -> str:
    value = _parse_date(field, raw)
    for limit, code, too_far in (
        (field.min_date, "too_early", lambda d, lim: d < lim),
        (field.max_date, "too_late", lambda d, lim: d > lim),
    ):
        if limit is None:
            continue
        try:
            bound = resolve_limit(limit, today)
        except DateLimitError:  # the loader reports these; an unchecked service skips the limit
            continue
        if too_far(value, bound):
            raise _fail(field, code, date=(in_words(bound, "en"), in_words(bound, "cy")))
    return value.isoformat()


def _text(field: Field, raw: object) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise _fail(field, "pattern")
    text = " ".join(str(raw).split())
    if field.min is not None and len(text) < field.min:
        raise _fail(field, "too_short", min=f"{field.min:g}")
    if field.max is not None and len(text) > field.max:
        raise _fail(field, "too_long", max=f"{field.max:g}")
    return text


def _cleaned(field: Field, raw: object, clean: Any, code: str) -> str:
    if not isinstance(raw, str):
        raise _fail(field, code)
    value = clean(raw)
    if value is None:
        raise _fail(field, code)
    return value


def _check_pattern(field: Field, value: str) -> None:
    if field.pattern is None:
        return
    try:
        matched = re.fullmatch(field.pattern, value) is not None
    except re.error:  # the loader reports bad patterns; an unchecked service skips them
        return
    if not matched:
        raise _fail(field, "pattern")


_CLEANERS = {
    FieldType.POSTCODE: (clean_postcode, "invalid_postcode"),
    FieldType.NI_NUMBER: (clean_ni_number, "invalid_ni_number"),
    FieldType.PHONE: (clean_phone, "invalid_phone"),
    FieldType.EMAIL: (clean_email, "invalid_email"),
}


def normalise(field: Field, raw: object, today: date) -> object:
    """The answer in its stored form, or AnswerError; None for an empty optional answer."""
    if _is_empty(raw):
        if field.required:
            raise _fail(field, "required")
        return None
    kind = field.type
    if kind is FieldType.NUMBER:
        return _number(field, raw)
    if kind is FieldType.DATE:
        return _date(field, raw, today)
    if kind is FieldType.YES_NO:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            said = raw.strip().lower()
            if said in _YES_NO:
                return _YES_NO[said]
            yes, no = field.answer_words()  # the question's own words: "oes", "nac oes"…
            for value, words in ((True, yes), (False, no)):
                if said in (words.en.lower(), words.cy.lower()):
                    return value
        raise _fail(field, "not_an_option")
    if kind is FieldType.CHOICE:
        value = str(raw).strip() if isinstance(raw, str) else None
        if value not in {o.value for o in field.options}:
            raise _fail(field, "not_an_option")
        return value
    if kind in _CLEANERS:
        clean, code = _CLEANERS[kind]
        value = _cleaned(field, raw, clean, code)
    else:
        value = _text(field, raw)
    _check_pattern(field, value)
    return value


def visible_steps(service: Service, answers: dict[str, Any]) -> list[Step]:
    """The steps this citizen sees, given the (normalised) answers so far."""
    return [s for s in service.steps if s.show_if is None or s.show_if.holds(answers)]


def visible_fields(step: Step, answers: dict[str, Any]) -> list[Field]:
    """The fields of ``step`` this citizen sees, given the (normalised) answers so far."""
    return [f for f in step.fields if f.show_if is None or f.show_if.holds(answers)]


def validate_step(
    service: Service,
    step_id: str,
    raw: dict[str, Any],
    today: date,
    earlier: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """Normalised answers to the visible fields of one step, and errors by field id.

    ``earlier`` holds the normalised answers of earlier steps (show_if may read them); a field's
    show_if may also read an answer given earlier on the same step. Raises KeyError for an
    unknown step id (a programming error, not a citizen's).
    """
    step = next((s for s in service.steps if s.id == step_id), None)
    if step is None:
        raise KeyError(step_id)
    known = dict(earlier or {})
    answers: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for f in step.fields:
        if f.show_if is not None and not f.show_if.holds(known):
            continue
        try:
            value = normalise(f, raw.get(f.id), today)
        except AnswerError as exc:
            errors[f.id] = exc
            continue
        answers[f.id] = value
        if value is not None:
            known[f.id] = value
    return answers, errors


def validate_answers(
    service: Service, answers: dict[str, Any], today: date, complete: bool = True
) -> dict[str, AnswerError]:
    """Errors by field id in a whole answer set (empty: acceptable).

    Walks the service in order, so each show_if sees the normalised earlier answers. Answers to
    unknown fields are ``unknown``; answers to hidden fields ``not_visible``. With ``complete``
    every visible required field must be answered; without it, missing answers are fine (a case
    still being filled in) but every given answer must be valid.
    """
    known: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    seen: set[str] = set()
    for step in service.steps:
        step_shown = step.show_if is None or step.show_if.holds(known)
        for f in step.fields:
            seen.add(f.id)
            shown = step_shown and (f.show_if is None or f.show_if.holds(known))
            given = f.id in answers and not _is_empty(answers[f.id])
            if not shown:
                if given:
                    errors[f.id] = _fail(f, "not_visible")
                continue
            if not given and not complete:
                continue
            try:
                value = normalise(f, answers.get(f.id), today)
            except AnswerError as exc:
                errors[f.id] = exc
                continue
            if value is not None:
                known[f.id] = value
    for field_id in answers:
        if field_id not in seen:
            errors[str(field_id)] = AnswerError(
                str(field_id), "unknown", message_for(None, "unknown")
            )
    return errors

"""Hints whose examples pass their own field's validation, today and every later day.

A hint such as "For example, 27 3 2026. It must be in the last 3 months." is right on the day it is
written and wrong three months later: a citizen who copies the example's shape (or, at a kiosk, the
example itself) is then told the date is too early. So a date field whose limits are relative
(``-3m``, ``+28d``, ``today``) writes ``{example}`` where the example goes, and every channel shows
a date computed from the limits on the day the hint is shown (:func:`hint_text`): the middle of the
allowed window, in the "day month year" digits the date boxes take.

:func:`hint_problems` is the catalogue check behind it (reported as ``file:line: key: message``
like every other catalogue problem):

* a date field with relative limits whose hint holds a fixed date that its own check refuses
  today or within a year → use ``{example}`` (a birth-date example decades inside its window may
  stay);
* ``{example}`` on a field that is not a date → nothing to compute it from;
* an example written in quotes after "For example" (‘QQ 12 34 56 C’) that the field itself refuses
  → the citizen would be refused for doing what the hint shows.

Failure model: a limit that does not parse is the loader's problem (reported there); here the
example then falls back to today, never raising while a screen is being drawn.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .collect import Collector, Path
from .dates import DateLimitError, resolve_limit
from .model import Field, FieldType, Service
from .validation import AnswerError, normalise

__all__ = ["EXAMPLE", "example_date", "hint_problems", "hint_text"]

EXAMPLE = "{example}"
"""Where a date field's hint puts the example computed from its limits."""

_LITERAL_DATE = re.compile(r"\b\d{1,2} \d{1,2} \d{4}\b")
_QUOTED_EXAMPLE = re.compile(r"(?:For example|Er enghraifft),?\s*[‘'\"“]([^’'\"”]+)[’'\"”]")
_ANY_DAY = date(2000, 1, 1)
"""``today`` for checking a quoted example of a field that is not a date (it is not read)."""
_RELATIVE = re.compile(r"^(today|[+-]\d{1,4}[dwmy])$")


def _bound(limit: str | None, today: date) -> date | None:
    if limit is None:
        return None
    try:
        return resolve_limit(limit, today)
    except DateLimitError:
        return None


def example_date(field: Field, today: date) -> date:
    """A date inside the field's window on ``today``: the middle of it, or near the open end."""
    low, high = _bound(field.min_date, today), _bound(field.max_date, today)
    if low is not None and high is not None and low <= high:
        return low + timedelta(days=(high - low).days // 2)
    if high is not None:
        return high - timedelta(days=30)
    if low is not None:
        return low + timedelta(days=30)
    return today


def hint_text(field: Field, lang: str, today: date) -> str | None:
    """The hint as the citizen reads it on ``today``, its ``{example}`` filled in."""
    if field.hint is None:
        return None
    text = field.hint.get(lang)
    if EXAMPLE in text and field.type is FieldType.DATE:
        day = example_date(field, today)
        text = text.replace(EXAMPLE, f"{day.day} {day.month} {day.year}")
    return text


def _relative(field: Field) -> bool:
    return any(
        limit is not None and _RELATIVE.match(limit.strip().lower())
        for limit in (field.min_date, field.max_date)
    )


def _fails_within_a_year(field: Field, literal: str, today: date) -> date | None:
    """The first of today and a year on when ``literal`` is refused by ``field``, or None."""
    for day in (today, today + timedelta(days=365)):
        try:
            normalise(field, literal, day)
        except AnswerError:
            return day
    return None


def _field_problems(field: Field, today: date) -> list[str]:
    if field.hint is None:
        return []
    problems = []
    for lang in ("en", "cy"):
        text = field.hint.get(lang)
        if EXAMPLE in text and field.type is not FieldType.DATE:
            problems.append(f"{EXAMPLE} is only for date fields (hint.{lang})")
        if field.type is FieldType.DATE and _relative(field):
            for literal in _LITERAL_DATE.findall(text):
                stale = _fails_within_a_year(field, literal, today)
                if stale is not None:
                    problems.append(
                        f"hint.{lang}: the example {literal!r} fails this field's own check on "
                        f"{stale.isoformat()}; write {EXAMPLE} and every channel shows a date "
                        "that passes on the day"
                    )
        if field.type is FieldType.DATE:
            continue  # dates: the rule above (a quoted date would be judged on one day only)
        for example in _QUOTED_EXAMPLE.findall(text):
            try:
                normalise(field, example, _ANY_DAY)
            except AnswerError:
                problems.append(
                    f"hint.{lang}: the example {example!r} fails this field's own check"
                )
    return problems


def hint_problems(c: Collector, service: Service, today: date | None = None) -> None:
    """Report every hint whose example a citizen would be refused for following.

    A fixed example date is judged on ``today`` (the day the catalogue is checked) and a year
    later, so a hint is reported well before it goes stale rather than on the day it does.
    """
    today = today or date.today()
    for i, step in enumerate(service.steps):
        for j, field in enumerate(step.fields):
            path: Path = ("steps", i, "fields", j, "hint")
            for problem in dict.fromkeys(_field_problems(field, today)):
                c.add(path, problem)

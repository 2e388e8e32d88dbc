"""Dates in the catalogue: limits written as ISO dates or as offsets from today, and dates in words.

Office staff write ``min_date = "-3m"`` ("three months ago") rather than a fixed date that goes stale.
Accepted: ``today``, ``YYYY-MM-DD``, or a sign, a whole number and a unit — ``d`` days, ``w`` weeks,
``m`` months, ``y`` years (``-18y``, ``+28d``). Month and year steps keep the day of the month,
clamped to the month's last day (31 March minus one month is 28 or 29 February).

Errors::

    ValueError
    └── DateLimitError   a limit that is neither an ISO date nor an offset
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_OFFSET = re.compile(r"^([+-])(\d{1,4})([dwmy])$")

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTHS_CY = [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
]


class DateLimitError(ValueError):
    pass


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise DateLimitError("offset takes the date outside the calendar")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def resolve_limit(limit: str, today: date) -> date:
    """The date a ``min_date``/``max_date`` means on ``today``; raises DateLimitError."""
    text = limit.strip().lower()
    if text == "today":
        return today
    m = _OFFSET.match(text)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        amount = sign * int(m.group(2))
        unit = m.group(3)
        try:
            if unit == "d":
                return today + timedelta(days=amount)
            if unit == "w":
                return today + timedelta(weeks=amount)
        except OverflowError as exc:
            raise DateLimitError("offset takes the date outside the calendar") from exc
        return _add_months(today, amount if unit == "m" else amount * 12)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise DateLimitError(f"{limit!r} is not a real date") from exc
    raise DateLimitError(
        f"{limit!r} is not a date limit (use YYYY-MM-DD, 'today', or an offset like -3m, +28d, -18y)"
    )


def in_words(day: date, lang: str) -> str:
    """``27 March 2026`` / ``27 Mawrth 2026`` — the GOV.UK way of writing a date."""
    months = MONTHS_CY if lang == "cy" else MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year}"

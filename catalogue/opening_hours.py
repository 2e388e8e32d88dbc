"""An office's opening hours: when its kiosks' displays stay lit and when central sends fleet alerts.

It lives in ``catalogue`` because both halves read the same format — the kiosk (``[office] hours``
in kiosk.toml: the display never blanks while open and sleeps outside) and central
(``config/offices.toml``: alerts are held outside opening hours, availability counts "closed by
schedule") — and neither may import the other.

The format is a table of weekdays, each ``"HH:MM-HH:MM"`` (several spans with commas) or ``""``
(closed all day)::

    hours = { mon = "08:30-17:00", tue = "08:30-17:00", sat = "09:00-12:30", sun = "" }

A weekday left out is closed. No ``hours`` at all means :data:`ALWAYS` (open round the clock): an
office that never said when it opens gets its alerts at once and a display that never sleeps —
the safe side of both. Times are wall-clock times in the office's time zone, so a DST change moves
them with the clocks.

Errors::

    ValueError
    └── HoursError   a weekday or a span that is not in the format above (the message says which)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ALWAYS", "DAYS", "HoursError", "OpeningHours", "parse_hours"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    pass


@dataclass(frozen=True)
class OpeningHours:
    spans: tuple[tuple[tuple[time, time], ...], ...] | None
    """Per weekday (Monday first) the open spans; None: always open."""
    tz: ZoneInfo = ZoneInfo("UTC")

    def is_open(self, at: datetime) -> bool:
        if self.spans is None:
            return True
        local = at.astimezone(self.tz)
        now = local.time().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.spans[local.weekday()])

    def open_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of ``[start, end)`` that fall in opening hours (to the minute's precision)."""
        if end <= start:
            return 0.0
        if self.spans is None:
            return (end - start).total_seconds()
        total = 0.0
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date()
        while day <= last:
            for a, b in self.spans[day.weekday()]:
                lo = datetime.combine(day, a, self.tz)
                hi = datetime.combine(day, b, self.tz)
                lo, hi = max(lo, start), min(hi, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


ALWAYS = OpeningHours(None)


def _span(text: str, where: str) -> tuple[time, time]:
    match = _SPAN.match(text)
    if not match:
        raise HoursError(f"{where}: {text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise HoursError(f"{where}: {text!r} is not a time of day")
    end = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
    if end <= time(h1, m1):
        raise HoursError(f"{where}: {text!r} ends before it starts")
    return time(h1, m1), end


def parse_hours(value: object, tz: str | ZoneInfo = "UTC", where: str = "hours") -> OpeningHours:
    """Opening hours from the TOML value (None: :data:`ALWAYS`); raises :class:`HoursError`."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    if value is None:
        return OpeningHours(None, zone)
    if not isinstance(value, Mapping):
        raise HoursError(f'{where}: expected a table of weekdays (mon = "08:30-17:00", ...)')
    unknown = sorted(set(value) - set(DAYS))
    if unknown:
        raise HoursError(f"{where}: unknown weekday {unknown[0]!r}; use {', '.join(DAYS)}")
    days: list[tuple[tuple[time, time], ...]] = []
    for day in DAYS:
        text = value.get(day, "")
        if not isinstance(text, str):
            raise HoursError(f'{where}.{day}: expected a string such as "08:30-17:00"')
        parts = [p for p in text.split(",") if p.strip()]
        days.append(tuple(sorted(_span(p, f"{where}.{day}") for p in parts)))
    return OpeningHours(tuple(days), zone)

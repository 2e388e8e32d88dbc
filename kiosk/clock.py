"""Where the kiosk gets its time from.

Everything that waits (idle warning, wipe, goodbye screen) asks an injected :class:`Clock`, never
``time`` directly, so tests move time forward with :meth:`FakeClock.advance` and never sleep.

Two readings, for two jobs: ``now()`` is wall-clock UTC for timestamps that leave the kiosk (answer
records, case events); ``monotonic()`` is for measuring durations, because a wall clock can jump
(NTP, daylight saving) and a jump must never wipe a citizen's answers early or keep them late.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to: ``advance(seconds)`` moves both readings together."""

    def __init__(self, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._mono = float(monotonic_start)

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards; advance() takes seconds >= 0")
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now.isoformat()}, monotonic={self._mono})"

"""The tests' hand-moved clocks, one for each shape of clock the code takes.

* :class:`FakeClock` for code that takes a :class:`kiosk.clock.Clock` (the session, its idle
  timers, the funnel): ``now()`` and ``monotonic()`` move together;
* :class:`StepClock` for code that takes a ``Callable[[], float]`` (the outbox, the relay, the
  watchdog, remote commands, the phone handoff, badge PIN lockouts).

Why here: they were in the shipped ``kiosk.clock`` and copied into six test modules (issue 18.5).
Failure model: none — they only move when a test moves them, and never backwards.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["FakeClock", "StepClock"]


class StepClock:
    """``clock()`` is ``clock.now`` seconds; a test sets ``now`` or calls :meth:`advance`."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards; advance() takes seconds >= 0")
        self.now += seconds


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

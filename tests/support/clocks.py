"""The one hand-moved seconds clock of the tests (``kiosk.clock.FakeClock`` is the one for code
that takes a :class:`kiosk.clock.Clock`; this is for code that takes a ``Callable[[], float]``:
the outbox, the relay, the watchdog, remote commands, the phone handoff, badge PIN lockouts).

Failure model: none — it only moves when a test moves it, and never backwards.
"""

from __future__ import annotations

__all__ = ["StepClock"]


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

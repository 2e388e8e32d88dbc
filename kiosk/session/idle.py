"""The idle timer: no touch for ``warning_after_s`` → warn; no answer for ``respond_s`` → wipe.

The wipe is counted from when the warning was *raised*, not from the last touch: if the app's
timer ticks late (a busy main loop, a suspended machine), the person still gets the full
``respond_s`` to ask for more time, as WCAG 2.2.1 requires (at least 20 s).
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.clock import Clock

__all__ = ["IdleSignal", "IdleTimer"]


class IdleSignal(StrEnum):
    WARN = "warn"
    WIPE = "wipe"


class IdleTimer:
    def __init__(self, clock: Clock, warning_after_s: float, respond_s: float) -> None:
        if respond_s < 20:
            raise ValueError("respond_s must be at least 20 s (WCAG 2.2.1)")
        if warning_after_s <= 0:
            raise ValueError("warning_after_s must be positive")
        self._clock = clock
        self.warning_after_s = warning_after_s
        self.respond_s = respond_s
        self._running = False
        self._last_activity = 0.0
        self._warned_at: float | None = None

    @property
    def running(self) -> bool:
        return self._running

    @property
    def warning(self) -> bool:
        return self._warned_at is not None

    def restart(self) -> None:
        """Activity: start counting again from now and drop any warning."""
        self._running = True
        self._last_activity = self._clock.monotonic()
        self._warned_at = None

    def stop(self) -> None:
        self._running = False
        self._warned_at = None

    def seconds_left(self) -> float | None:
        """Seconds before the wipe while the warning shows (for a countdown), else None."""
        if self._warned_at is None:
            return None
        return max(0.0, self._warned_at + self.respond_s - self._clock.monotonic())

    def poll(self) -> IdleSignal | None:
        """What is due now: a warning, a wipe, or nothing. A warning is signalled once."""
        if not self._running:
            return None
        now = self._clock.monotonic()
        if self._warned_at is None:
            if now - self._last_activity >= self.warning_after_s:
                self._warned_at = now
                return IdleSignal.WARN
            return None
        if now - self._warned_at >= self.respond_s:
            return IdleSignal.WIPE
        return None

"""Where the kiosk gets its time from.

Everything that waits (idle warning, wipe, goodbye screen) asks an injected :class:`Clock`, never
``time`` directly, so tests move time forward (``tests/support/clocks.py``: ``FakeClock``) and
never sleep.

Two readings, for two jobs: ``now()`` is wall-clock UTC for timestamps that leave the kiosk (answer
records, case events); ``monotonic()`` is for measuring durations, because a wall clock can jump
(NTP, daylight saving) and a jump must never wipe a citizen's answers early or keep them late.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock"]


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

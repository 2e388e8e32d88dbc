"""The display by the office's opening hours (issue 14 item 4): never blanks while the office is open,
sleeps outside.

Why: a kiosk whose screen saver blanked at 10:30 looks broken to the citizen in front of it, and a
panel lit all night wears out and wastes power. The schedule is the office's ``hours`` in kiosk.toml
(:mod:`catalogue.opening_hours`, the same format central reads).

The mechanism sits behind :class:`Display` (``awake()`` / ``asleep()``), so tests use a fake and
another display server needs only another class. :class:`XsetDisplay` drives X with ``xset``:
open → ``s off``, ``-dpms`` (no saver, no power saving) and ``dpms force on``; closed → ``+dpms``
and ``dpms force off``. A touch wakes an X display by itself (a technician at night); with DPMS on,
X blanks it again after its own timeouts, and :meth:`DisplaySchedule.touched` makes the next tick
force it off. A failing command (no ``xset``, no ``$DISPLAY``) is logged
once per state and never raised: the kiosk works with a display it cannot put to sleep.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from catalogue.opening_hours import OpeningHours

__all__ = ["Display", "DisplaySchedule", "XsetDisplay"]

log = logging.getLogger(__name__)


class Display(Protocol):
    def awake(self) -> None: ...

    def asleep(self) -> None: ...


class XsetDisplay:
    """An X display through ``xset`` (``run`` is injected for tests of the command lines)."""

    AWAKE = (("s", "off"), ("-dpms",), ("dpms", "force", "on"))
    ASLEEP = (("+dpms",), ("dpms", "force", "off"))

    def __init__(self, run: Callable[[Sequence[str]], None] | None = None) -> None:
        self._run = run or self._xset

    @staticmethod
    def _xset(args: Sequence[str]) -> None:
        subprocess.run(["xset", *args], check=True, capture_output=True, timeout=5)

    def _all(self, commands: tuple[tuple[str, ...], ...]) -> None:
        for args in commands:
            self._run(args)

    def awake(self) -> None:
        self._all(self.AWAKE)

    def asleep(self) -> None:
        self._all(self.ASLEEP)


class DisplaySchedule:
    """Call :meth:`tick` every few seconds (a Kivy ``Clock`` interval): the display follows ``hours``.

    Awake is re-asserted at every tick while open (a screen saver or a technician's ``xset`` must not
    win); asleep only when the state changes or a touch woke it (:meth:`touched`)."""

    def __init__(
        self, hours: OpeningHours, display: Display, clock: Callable[[], datetime]
    ) -> None:
        self.hours = hours
        self.display = display
        self.clock = clock
        self.state: str | None = None
        self._failed: str | None = None

    def touched(self) -> None:
        if self.state == "asleep":
            self.state = "woken"

    def tick(self, *_: object) -> str:
        want = "awake" if self.hours.is_open(self.clock()) else "asleep"
        if want == "asleep" and self.state == "asleep":
            return want
        try:
            self.display.awake() if want == "awake" else self.display.asleep()
        except (OSError, subprocess.SubprocessError) as exc:
            if self._failed != want:
                log.warning("display not set %s: %s", want, exc)
                self._failed = want
        else:
            self._failed = None
        self.state = want
        return want

"""The last lines of the kiosk's log, kept in memory for the technician's diagnostics screen.

A :class:`LogTail` is an ordinary :class:`logging.Handler`: attach it to the root logger at start-up
and the diagnostics screen shows what the kiosk has been saying, with no log file to open. It holds
at most ``capacity`` lines (a traceback counts one line per line), so it cannot grow without bound.

The screen polls :meth:`LogTail.since` from a Kivy clock with the version it last saw and gets only
the new lines; no logging thread ever touches a widget. Log lines carry no PII by house rule; as a
safety net for a screen anyone near the kiosk can see, runs of 12 or more digits (a card number
that slipped into a message) are hidden before a line is kept.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque

__all__ = ["DEFAULT_FORMAT", "HIDDEN", "LogTail"]

DEFAULT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_LINE = 300
"""Characters kept of one line: the screen shows a tail, not a log viewer."""
_LONG_NUMBER = re.compile(r"\d(?:[ -]?\d){11,}")
HIDDEN = "[number hidden]"


class LogTail(logging.Handler):
    """Keeps the last ``capacity`` formatted lines; thread-safe; never raises into the logger."""

    def __init__(
        self,
        capacity: int = 200,
        level: int = logging.INFO,
        fmt: str = DEFAULT_FORMAT,
        datefmt: str = "%H:%M:%S",
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        super().__init__(level)
        self.setFormatter(logging.Formatter(fmt, datefmt))
        self._lines: deque[str] = deque(maxlen=capacity)
        self._version = 0
        self._guard = threading.Lock()  # Handler.lock serialises emit; this also guards readers
        self._attached: list[logging.Logger] = []

    @property
    def capacity(self) -> int:
        return self._lines.maxlen or 0

    @property
    def version(self) -> int:
        """Lines added since creation (keeps counting after old lines drop off)."""
        with self._guard:
            return self._version

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a bad %-format in someone's log call must not break logging
            self.handleError(record)
            return
        text = _LONG_NUMBER.sub(HIDDEN, text)
        parts = [p[:MAX_LINE] for p in text.splitlines()] or [""]
        with self._guard:
            self._lines.extend(parts)
            self._version += len(parts)

    def lines(self, last: int | None = None) -> list[str]:
        """The kept lines, oldest first (only the ``last`` ones when given)."""
        with self._guard:
            kept = list(self._lines)
        return kept if last is None else kept[-last:] if last > 0 else []

    def since(self, version: int) -> tuple[int, list[str]]:
        """(current version, lines added after ``version``); lines that dropped off are lost."""
        with self._guard:
            new = self._version - version
            if new <= 0:
                return self._version, []
            kept = list(self._lines)
            return self._version, kept[-new:] if new < len(kept) else kept

    def text(self, last: int | None = None) -> str:
        return "\n".join(self.lines(last))

    def clear(self) -> None:
        with self._guard:
            self._lines.clear()

    def attach(self, logger: logging.Logger | str | None = None) -> LogTail:
        """Add this handler to ``logger`` (default: the root logger); returns self."""
        target = logger if isinstance(logger, logging.Logger) else logging.getLogger(logger)
        target.addHandler(self)
        self._attached.append(target)
        return self

    def detach(self) -> None:
        """Remove this handler from every logger it was attached to."""
        while self._attached:
            self._attached.pop().removeHandler(self)

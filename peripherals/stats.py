"""Per-device statistics (UPOS-style counters) persisted as JSON, one file per device.

Why persisted: "how many cuts since the cutter was replaced" and "how often does this reader fail"
must survive restarts and reboots. Each change is written atomically (temporary file, fsync, rename)
so a power cut leaves either the old or the new file, never half of one. A file that cannot be read
(corrupt, wrong shape) is set aside with a logged warning and counting starts again from zero: a
statistics problem must never stop the kiosk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import time
from pathlib import Path

__all__ = ["COUNTERS", "DeviceStats"]

log = logging.getLogger(__name__)

#: Counters every device reports (0 when they do not apply); drivers may add others.
COUNTERS = ("lines", "cuts", "swipes", "scans", "read_errors", "reconnects", "faults")

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class DeviceStats:
    """Counters of one device. Thread-safe; every increment() is saved at once.

    `data_dir=None` keeps the counters in memory only (tests, one-off CLI runs).
    """

    def __init__(self, device: str, data_dir: Path | str | None) -> None:
        self.device = device
        self._lock = threading.Lock()
        self._counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self.path: Path | None = None
        if data_dir is not None:
            directory = Path(data_dir)
            directory.mkdir(parents=True, exist_ok=True)
            self.path = directory / f"{_SAFE.sub('_', device) or 'device'}.stats.json"
            self._load()

    def increment(self, counter: str, by: int = 1) -> int:
        """Add `by` to `counter` (created at 0 if new), save, and return the new value."""
        if by < 0:
            raise ValueError("statistics only count up")
        with self._lock:
            value = self._counters.get(counter, 0) + by
            self._counters[counter] = value
            self._save_locked()
            return value

    def get(self, counter: str) -> int:
        with self._lock:
            return self._counters.get(counter, 0)

    def snapshot(self) -> dict[str, int]:
        """A copy of every counter."""
        with self._lock:
            return dict(self._counters)

    def _load(self) -> None:
        assert self.path is not None
        if not self.path.exists():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            counters = raw["counters"]
            if not isinstance(counters, dict):
                raise ValueError("counters is not an object")
            for key, value in counters.items():
                if not isinstance(key, str) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"bad counter {key!r}")
                self._counters[key] = value
        except (OSError, ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_suffix(f".corrupt-{int(time.time())}")
            log.warning(
                "statistics file %s unreadable (%s); starting from zero, old file kept as %s",
                self.path,
                exc,
                aside.name,
            )
            self._counters = dict.fromkeys(COUNTERS, 0)
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)

    def _save_locked(self) -> None:
        if self.path is None:
            return
        payload = {
            "device": self.device,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "counters": self._counters,
        }
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:  # a full disk must not stop a print job
            log.warning("could not save statistics for %s: %s", self.device, exc)
            with contextlib.suppress(OSError):
                tmp.unlink()

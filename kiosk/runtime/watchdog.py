"""Self-healing (issue 14 item 4): systemd's watchdog fed from the UI loop, a crash-loop guard, and a
restart between sessions when resident memory passes its budget.

Why each piece, and how it fails:

* :class:`Notifier` speaks systemd's notify protocol itself (one datagram of ``KEY=value`` lines to
  ``$NOTIFY_SOCKET``; a leading ``@`` is Linux's abstract namespace) — a few lines, no libsystemd.
  The unit is ``Type=notify`` with ``WatchdogSec``: :meth:`Watchdog.tick` runs in a Kivy ``Clock``
  callback, so when the UI loop freezes the pings stop and systemd kills and restarts the app.
  Without ``$NOTIFY_SOCKET`` (a developer's terminal, the tests' headless runs) nothing is sent. A
  send that fails is logged once and never raised: the watchdog then restarts us, which is right.
* :class:`CrashLoopGuard` writes the time of every start to a small file in the state directory.
  After ``max_starts`` starts within ``window_s`` the kiosk stops flapping: it starts, tells systemd
  it is ready, keeps feeding the watchdog, shows the calm out-of-service screen in both languages,
  and says ``crash_loop`` in its heartbeat (central alerts on it). An admin's "in service" command
  clears the record. A planned restart (memory budget) is not counted. An unreadable file counts as
  no history: at worst one more restart.
* :class:`MemoryBudget` reads resident pages from ``/proc/self/statm``. Over budget, the watchdog
  restarts the app — but only at the attract screen with no session open, so no citizen loses a
  form. The outbox and badge lockouts are on disk (SQLite, committed before any answer), so they
  survive this restart as they survive a kill.

Clocks, the socket and ``/proc`` are injected; the tests use an AF_UNIX datagram socket of their own.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.ui.i18n import N_

if TYPE_CHECKING:
    from kiosk.runtime.commands import Activity, ServiceState

__all__ = [
    "CrashLoopGuard",
    "MemoryBudget",
    "Notifier",
    "Watchdog",
    "WatchdogSettings",
    "for_runtime",
    "resident_bytes",
]

log = logging.getLogger(__name__)

STARTS_FILE = "watchdog-starts.json"


@dataclass(frozen=True)
class WatchdogSettings:
    """``[watchdog]`` in kiosk.toml."""

    memory_budget_mb: int = 600
    """Resident memory past which the app restarts between sessions."""
    crash_restarts: int = 5
    """Starts within ``crash_window_min`` that make a crash loop."""
    crash_window_min: float = 10.0

    def __post_init__(self) -> None:
        if self.memory_budget_mb < 64:
            raise ValueError("memory_budget_mb must be at least 64")
        if self.crash_restarts < 2:
            raise ValueError("crash_restarts must be at least 2")
        if self.crash_window_min <= 0:
            raise ValueError("crash_window_min must be positive")


class Notifier:
    """systemd's notify protocol: ``READY=1``, ``WATCHDOG=1``, ``STOPPING=1``, ``STATUS=…``."""

    def __init__(self, address: str | None, watchdog_usec: int | None = None) -> None:
        self.address = address or None
        self.watchdog_usec = watchdog_usec
        self._warned = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        env = os.environ if environ is None else environ
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        mine = not pid or pid == str(os.getpid())
        return cls(env.get("NOTIFY_SOCKET"), int(usec) if usec.isdigit() and mine else None)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def ping_every_s(self) -> float | None:
        """Half the watchdog timeout, as sd_watchdog_enabled(3) advises; None: no watchdog."""
        return self.watchdog_usec / 2e6 if self.watchdog_usec else None

    def send(self, *fields: str) -> bool:
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(fields).encode(), target)
        except OSError as exc:
            if not self._warned:
                log.warning("systemd notify failed (%s); the watchdog may restart the app", exc)
                self._warned = True
            return False
        return True


class CrashLoopGuard:
    """Starts within a window, counted in ``<state_dir>/watchdog-starts.json``."""

    def __init__(
        self,
        state_dir: Path,
        max_starts: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(state_dir) / STARTS_FILE
        self.max_starts = max_starts
        self.window_s = window_s
        self.clock = clock

    def _read(self) -> list[float]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return []
        starts = data.get("starts") if isinstance(data, dict) else None
        return (
            [float(s) for s in starts if isinstance(s, int | float)]
            if isinstance(starts, list)
            else []
        )

    def _write(self, starts: list[float]) -> None:
        tmp = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"starts": starts}), "utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("crash-loop record not written: %s", exc.strerror or exc)

    def recent(self) -> list[float]:
        now = self.clock()
        return [s for s in self._read() if now - self.window_s < s <= now]

    def record_start(self) -> bool:
        """Count this start; True when it makes a crash loop (too many starts in the window)."""
        starts = self.recent() + [self.clock()]
        self._write(starts)
        return len(starts) >= self.max_starts

    @property
    def tripped(self) -> bool:
        return len(self.recent()) >= self.max_starts

    def forget_last(self) -> None:
        """A planned restart: the start it causes is not a crash (remove this run's start)."""
        starts = self.recent()
        self._write(starts[:-1])

    def clear(self) -> None:
        self._write([])


def resident_bytes(statm: Path = Path("/proc/self/statm")) -> int | None:
    """Resident set size from ``statm`` (its second field, in pages); None when unreadable."""
    try:
        fields = statm.read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class MemoryBudget:
    budget_bytes: int
    read: Callable[[], int | None] = resident_bytes

    def exceeded(self) -> int | None:
        """The resident size when it is over budget, else None."""
        rss = self.read()
        return rss if rss is not None and rss > self.budget_bytes else None


class Watchdog:
    """What the UI loop calls: :meth:`started` once the first frame is up, :meth:`tick` from a
    Kivy ``Clock`` interval (every :attr:`interval_s`)."""

    def __init__(
        self,
        notifier: Notifier,
        guard: CrashLoopGuard,
        memory: MemoryBudget,
        *,
        between_sessions: Callable[[], bool],
        restart: Callable[[], None],
        on_crash_loop: Callable[[], None] = lambda: None,
    ) -> None:
        self.notifier = notifier
        self.guard = guard
        self.memory = memory
        self.between_sessions = between_sessions
        """True at the attract (or out-of-service) screen with no session open."""
        self.restart = restart
        """Ends the app so systemd starts it again (``Restart=always``)."""
        self.on_crash_loop = on_crash_loop
        """Shows the out-of-service screen (both languages)."""
        self.crash_loop = False
        self.restarting = False
        self.restart_reason: str | None = None
        """A restart asked for (a new configuration bundle applied): done between sessions."""

    @property
    def interval_s(self) -> float:
        every = self.notifier.ping_every_s
        return min(every, 5.0) if every else 5.0

    def started(self) -> None:
        self.crash_loop = self.guard.record_start()
        if self.crash_loop:
            starts = len(self.guard.recent())
            log.warning("crash loop: %d starts in %.0f min; out of service", starts,
                        self.guard.window_s / 60)  # fmt: skip
            self.on_crash_loop()
            self.notifier.send("READY=1", "STATUS=out of service: crash loop")
        else:
            self.notifier.send("READY=1", "STATUS=in service")

    def back_in_service(self) -> None:
        """An admin put the kiosk back in service: the crash-loop record starts again."""
        if self.crash_loop:
            self.guard.clear()
            self.crash_loop = False

    def restart_between_sessions(self, reason: str) -> None:
        """Restart at the next moment no session is open (never under a citizen's fingers)."""
        self.restart_reason = reason

    def tick(self, *_: Any) -> None:
        if self.restarting:
            return
        self.notifier.send("WATCHDOG=1")
        rss = self.memory.exceeded()
        if rss is not None and self.between_sessions():
            log.warning("resident memory %d MB over budget %d MB: restarting between sessions",
                        rss // 2**20, self.memory.budget_bytes // 2**20)  # fmt: skip
            self._restart("memory over budget")
        elif self.restart_reason is not None and self.between_sessions():
            log.warning("restarting between sessions: %s", self.restart_reason)
            self._restart(self.restart_reason)

    def _restart(self, why: str) -> None:
        self.restarting = True
        self.guard.forget_last()  # a planned restart is not a crash
        self.notifier.send("STOPPING=1", f"STATUS=restarting: {why}")
        self.restart()

    def states(self) -> dict[str, dict[str, Any]]:
        """An entry for the heartbeat's ``device_states`` while in a crash loop (central alerts)."""
        if not self.crash_loop:
            return {}
        starts = len(self.guard.recent())
        minutes = round(self.guard.window_s / 60)
        return {
            "watchdog": {
                "kind": "watchdog",
                "state": "crash_loop",
                "faults": [{"code": "crash_loop", "message": f"{starts} starts in {minutes} min"}],
            }
        }


CRASH_LOOP_MESSAGE = N_(
    "This kiosk is out of service just now. Please ask a member of staff for help, or use our website."
)
BETWEEN_SESSIONS_SCREENS = ("attract", "out_of_service")


def for_runtime(
    settings: WatchdogSettings,
    state_dir: Path,
    service: ServiceState,
    activity: Activity,
    languages: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
) -> Watchdog:
    """The runtime's watchdog: its crash loop shows :data:`CRASH_LOOP_MESSAGE` (every language,
    from the kiosk's catalogues) through the out-of-service state the remote command uses, and an
    admin's "in service" ends it. ``restart`` is set by the touchscreen app (it stops the app)."""
    from kiosk.ui.i18n import load_translator

    def out_of_service() -> None:
        translator = load_translator()
        service.set({lang: translator.gettext(lang, CRASH_LOOP_MESSAGE) for lang in languages})

    def between_sessions() -> bool:
        seen = activity.snapshot(service)
        return not seen["session_active"] and seen["screen"] in BETWEEN_SESSIONS_SCREENS

    watchdog = Watchdog(
        Notifier.from_env(environ),
        CrashLoopGuard(state_dir, settings.crash_restarts, settings.crash_window_min * 60),
        MemoryBudget(settings.memory_budget_mb * 2**20),
        between_sessions=between_sessions,
        restart=lambda: log.warning("restart requested but no app to stop"),
        on_crash_loop=out_of_service,
    )
    service.subscribe(lambda message: watchdog.back_in_service() if message is None else None)
    return watchdog

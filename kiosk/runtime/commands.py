"""Remote commands on the kiosk (issue 14 item 2): pulled with the heartbeat (and by a long poll, so
one arrives within seconds), run through a table of handlers whose effects are injected, answered.

Why a table with injected effects: what a command *does* (exit so systemd restarts the app, ask
systemd to reboot, print a slip, take a screenshot) is the runtime's or the screens' business; the
rules — when it may run, what is refused, what is reported — are here, tested with fakes.

Rules kept here, whatever the effects:

* each command id runs once (a retried delivery is answered again, not run again);
* ``restart``, ``reboot`` and ``out_of_service`` wait until no session is open: they are held and
  run on the first tick after the session ends (restart and reboot are reported ``done`` just
  before the effect);
* a ``screenshot`` is refused while a session is open, within :data:`QUIET_S` of a touch, or when
  the screen is not the attract or out-of-service screen; central refuses to queue one by the
  same rules from the latest heartbeat, so this is the second lock on the door;
* ``out_of_service`` sets :class:`ServiceState` (a bilingual message the screens show) and
  ``in_service`` clears it;
* every outcome goes back to central as ``done`` or ``failed`` with a small result; a failed report
  (central away) is kept and sent again on the next tick.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.link.client import CentralClient
from kiosk.link.errors import CentralError

__all__ = [
    "Activity",
    "CommandChannel",
    "CommandClient",
    "CommandRunner",
    "Effects",
    "ServiceState",
]

log = logging.getLogger(__name__)

QUIET_S = 60.0
SCREENSHOT_SCREENS = ("attract", "out_of_service")
BETWEEN_SESSIONS = ("restart", "reboot", "out_of_service")
"""Held while a session is open: nobody's session is cut off or covered up."""
LONG_POLL_S = 25


class ServiceState:
    """In service, or out of service with a message in each language (what the screens show).
    Thread-safe; listeners are called with the message (None: back in service) on each change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._message: dict[str, str] | None = None
        self._listeners: list[Callable[[dict[str, str] | None], None]] = []

    @property
    def message(self) -> dict[str, str] | None:
        with self._lock:
            return dict(self._message) if self._message is not None else None

    @property
    def in_service(self) -> bool:
        return self.message is None

    def text(self, language: str) -> str | None:
        message = self.message
        if message is None:
            return None
        return message.get(language) or message.get("en") or next(iter(message.values()), "")

    def subscribe(self, listener: Callable[[dict[str, str] | None], None]) -> None:
        self._listeners.append(listener)

    def set(self, message: dict[str, str] | None) -> None:
        with self._lock:
            self._message = dict(message) if message is not None else None
        for listener in list(self._listeners):
            try:
                listener(self.message)
            except Exception:  # noqa: BLE001 - a screen's listener must not stop the runtime
                log.exception("out-of-service listener failed")


class Activity:
    """What the kiosk is doing, for the heartbeat and the command rules: is a citizen session open,
    seconds since the last touch, which screen shows. Fed by :meth:`watch` (a
    :class:`kiosk.session.Session`) or by :meth:`touched` / :meth:`showing` / :meth:`session`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last_touch: float | None = None
        self._screen = "attract"
        self._session_active = False
        self._source: Any = None

    def watch(self, session: Any) -> None:
        """Read the session state machine itself: its state is the screen, anything but attract is
        a session (a citizen's, an assisted one or a technician's), its idle timer has the last
        touch."""
        self._source = session

    def touched(self) -> None:
        with self._lock:
            self._last_touch = self._clock()

    def showing(self, screen: str) -> None:
        with self._lock:
            self._screen = screen

    def session(self, active: bool) -> None:
        with self._lock:
            self._session_active = active

    def snapshot(self, service: ServiceState | None = None) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            screen, active, last = self._screen, self._session_active, self._last_touch
        idles = [] if last is None else [now - last]
        source = self._source
        if source is not None:
            try:
                state = str(getattr(source.state, "value", source.state))
                screen, active = state, state != "attract"  # a technician's session too
                touch = getattr(getattr(source, "_timer", None), "_last_activity", None)
                clock = getattr(source, "_clock", None)  # the session's own clock
                if isinstance(touch, int | float) and touch > 0 and clock is not None:
                    idles.append(float(clock.monotonic()) - float(touch))
            except Exception:  # noqa: BLE001 - never stop a heartbeat for this
                log.debug("session state unreadable", exc_info=True)
        if service is not None and not service.in_service and screen == "attract":
            screen = "out_of_service"
        idle = max(0, int(min(idles))) if idles else None
        return {"session_active": active, "idle_s": idle, "screen": screen}

    def screenshot_refusal(self, service: ServiceState | None = None) -> str | None:
        seen = self.snapshot(service)
        if seen["session_active"]:
            return "a citizen session is open"
        if seen["idle_s"] is not None and seen["idle_s"] < QUIET_S:
            return f"the screen was touched less than {int(QUIET_S)} seconds ago"
        if seen["screen"] not in SCREENSHOT_SCREENS:
            return f"the {seen['screen']} screen is showing (only attract or out of service)"
        return None


@dataclass
class Effects:
    """What the commands do, injected. Each returns a small dict for the result (or raises)."""

    restart: Callable[[], None]
    reboot: Callable[[], None]
    test_slip: Callable[[], dict[str, Any]]
    diagnostics: Callable[[], tuple[dict[str, Any], bytes | None]]
    """The summary and the readiness report PDF (None when it could not be made)."""
    fetch_config: Callable[[], dict[str, Any]]
    screenshot: Callable[[], bytes] | None = None
    """A PNG of the screen now; None without a display (the screens set it)."""


class CommandChannel(Protocol):
    def poll_commands(self, wait_s: int) -> list[dict[str, Any]]: ...

    def report_result(self, command_id: str, status: str, result: dict[str, Any]) -> None: ...

    def upload(self, command_id: str, content_type: str, data: bytes) -> None: ...


class CommandClient(CentralClient):
    """The command calls of the central client, with a timeout long enough for the long poll."""

    def poll_commands(self, wait_s: int) -> list[dict[str, Any]]:
        saved = self.timeout_s
        self.timeout_s = max(saved, wait_s + 10.0)
        try:
            answer = self._json("GET", f"/devices/commands?wait={int(wait_s)}", retry=False)
        finally:
            self.timeout_s = saved
        found = answer.get("commands", [])
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    def report_result(self, command_id: str, status: str, result: dict[str, Any]) -> None:
        body = {"status": status, "result": result}
        self._json("POST", f"/devices/commands/{command_id}/result", body)  # same answer: safe

    def upload(self, command_id: str, content_type: str, data: bytes) -> None:
        url = f"{self.base_url}/api/v1/devices/commands/{command_id}/upload"
        headers = {
            "Authorization": f"Bearer {self._token}",
            "User-Agent": self.user_agent,
            "Content-Type": content_type,
        }
        self._once("PUT", url, headers, data)


@dataclass
class Outcome:
    status: str
    result: dict[str, Any] = field(default_factory=dict)


class CommandRunner:
    """Runs commands as they arrive (:meth:`handle`), holds those that must wait for the session
    to end, and reports every outcome. :meth:`tick` runs what waited and re-sends failed reports;
    :meth:`start` runs the long poll and the ticks in a daemon thread."""

    def __init__(
        self,
        channel: CommandChannel,
        effects: Effects,
        activity: Activity,
        service: ServiceState | None = None,
        *,
        long_poll_s: int = LONG_POLL_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.channel = channel
        self.effects = effects
        self.activity = activity
        self.service = service or ServiceState()
        self.long_poll_s = long_poll_s
        self.sleep = sleep
        self.handlers: dict[str, Callable[[dict[str, Any]], Outcome]] = {
            "restart": self._restart,
            "reboot": self._reboot,
            "diagnostics": self._diagnostics,
            "test_slip": self._test_slip,
            "out_of_service": self._out_of_service,
            "in_service": self._in_service,
            "fetch_config": self._fetch_config,
            "screenshot": self._screenshot,
        }
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self.waiting: list[dict[str, Any]] = []
        """Commands held until no session is open (restart, reboot)."""
        self.unreported: list[tuple[str, Outcome]] = []
        self.outcomes: dict[str, Outcome] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ intake
    def handle(self, commands: list[dict[str, Any]]) -> None:
        """Commands from a heartbeat reply or the long poll: each id runs once."""
        for command in commands:
            command_id = command.get("id")
            if not isinstance(command_id, str):
                continue
            with self._lock:
                if command_id in self._seen:
                    continue
                self._seen.add(command_id)
            if command.get("kind") in BETWEEN_SESSIONS and self._session_open():
                log.info(
                    "command %s (%s) waits for the session to end", command_id, command["kind"]
                )
                with self._lock:
                    self.waiting.append(command)
                continue
            self._run(command)

    def tick(self) -> None:
        """Run what waited for the session to end; send reports that failed before."""
        with self._lock:
            unreported, self.unreported = self.unreported, []
        for command_id, outcome in unreported:
            self._report(command_id, outcome)
        if self.waiting and not self._session_open():
            with self._lock:
                due, self.waiting = self.waiting, []
            for command in due:
                self._run(command)

    def _session_open(self) -> bool:
        return bool(self.activity.snapshot(self.service)["session_active"])

    # ------------------------------------------------------------------ running
    def _run(self, command: dict[str, Any]) -> Outcome:
        command_id, kind = str(command["id"]), str(command.get("kind", ""))
        handler = self.handlers.get(kind)
        if handler is None:
            outcome = Outcome("failed", {"error": f"this kiosk does not know the command {kind!r}"})
        else:
            try:
                outcome = handler(command)
            except Exception as exc:  # noqa: BLE001 - a failed effect is a failed command
                log.warning("command %s (%s) failed: %s", command_id, kind, type(exc).__name__)
                outcome = Outcome("failed", {"error": f"{type(exc).__name__}: {exc}"[:300]})
        if outcome.status != "reported":
            self._report(command_id, outcome)
        return outcome

    def _report(self, command_id: str, outcome: Outcome) -> None:
        self.outcomes[command_id] = outcome
        try:
            self.channel.report_result(command_id, outcome.status, outcome.result)
        except CentralError as exc:
            log.info("command %s: result not delivered (%s); retried", command_id, exc.detail)
            with self._lock:
                self.unreported.append((command_id, outcome))

    # ------------------------------------------------------------------ the handlers
    def _report_then(self, command: dict[str, Any], effect: Callable[[], None]) -> Outcome:
        """Restart and reboot end this process: say ``done`` first, then do it."""
        outcome = Outcome("done", {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        self._report(str(command["id"]), outcome)
        effect()
        return Outcome("reported", outcome.result)

    def _restart(self, command: dict[str, Any]) -> Outcome:
        return self._report_then(command, self.effects.restart)

    def _reboot(self, command: dict[str, Any]) -> Outcome:
        return self._report_then(command, self.effects.reboot)

    def _test_slip(self, command: dict[str, Any]) -> Outcome:
        return Outcome("done", dict(self.effects.test_slip()))

    def _diagnostics(self, command: dict[str, Any]) -> Outcome:
        summary, pdf = self.effects.diagnostics()
        result = dict(summary)
        if pdf:
            try:
                self.channel.upload(str(command["id"]), "application/pdf", pdf)
                result["report"] = "uploaded"
            except CentralError as exc:
                result["report"] = f"not uploaded: {exc.detail}"[:200]
        healthy = bool(summary.get("healthy", True))
        return Outcome("done" if healthy else "failed", result)

    def _out_of_service(self, command: dict[str, Any]) -> Outcome:
        message = (command.get("args") or {}).get("message")
        if not isinstance(message, dict) or not all(
            isinstance(message.get(lang), str) and message[lang].strip() for lang in ("en", "cy")
        ):
            return Outcome("failed", {"error": "out of service needs a message in en and cy"})
        self.service.set({lang: message[lang].strip() for lang in ("en", "cy")})
        return Outcome("done", {"out_of_service": True})

    def _in_service(self, command: dict[str, Any]) -> Outcome:
        self.service.set(None)
        return Outcome("done", {"out_of_service": False})

    def _fetch_config(self, command: dict[str, Any]) -> Outcome:
        return Outcome("done", dict(self.effects.fetch_config()))

    def _screenshot(self, command: dict[str, Any]) -> Outcome:
        why = self.activity.screenshot_refusal(self.service)
        if why is not None:
            return Outcome("failed", {"refused": why})
        if self.effects.screenshot is None:
            return Outcome("failed", {"error": "this kiosk has no display to take a screenshot of"})
        png = self.effects.screenshot()
        why = self.activity.screenshot_refusal(self.service)  # touched while it was taken?
        if why is not None:
            return Outcome("failed", {"refused": why})
        self.channel.upload(str(command["id"]), "image/png", png)
        return Outcome("done", {"bytes": len(png)})

    # ------------------------------------------------------------------ the long poll
    def poll_once(self) -> int:
        """One long poll (≤ ``long_poll_s``); the number of commands it brought."""
        found = self.channel.poll_commands(self.long_poll_s)
        self.handle(found)
        return len(found)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="fleet-commands", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 0.2) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)  # a long poll in flight ends by itself (daemon thread)
            self._thread = None

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self.tick()
            try:
                self.poll_once()
                failures = 0
            except CentralError as exc:
                failures += 1
                log.info("command poll: %s", exc.detail)
                self._stop.wait(min(60.0, 2.0 * failures))
            except Exception:  # noqa: BLE001 - the poll must go on
                log.exception("command poll failed")
                self._stop.wait(5.0)

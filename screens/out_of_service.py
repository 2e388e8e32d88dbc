"""The watchdog and the display schedule on the UI loop (issue 14 item 4).

Why here: systemd's watchdog must be fed by the loop that draws the screen, so a frozen UI stops the
pings and is restarted; a worker thread would keep pinging over a dead screen. Both ticks are Kivy
``Clock`` intervals. The crash loop's calm out-of-service screen is the one the remote command
shows (``runtime.service``, the overlay of :mod:`screens.remote`), in both languages.

A restart for the memory budget stops the app (``App.stop``); ``kiosk run`` then returns and
systemd starts it again (``Restart=always``). Failure model: see :mod:`kiosk.runtime.watchdog`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kivy.app import App
from kivy.clock import Clock

from kiosk.runtime.display_schedule import DisplaySchedule, XsetDisplay

__all__ = ["wire_watchdog"]

DISPLAY_TICK_S = 30.0


def _stop_app() -> None:
    app = App.get_running_app()
    if app is not None:
        app.stop()


def wire_watchdog(runtime: Any, config: Any) -> list[Any]:
    """Start feeding the watchdog from the UI loop and let the display follow the office's hours.
    Returns the Clock events (cancel them to stop)."""
    watchdog = runtime.watchdog
    watchdog.restart = _stop_app
    schedule = DisplaySchedule(config.office.hours, XsetDisplay(), lambda: datetime.now(UTC))
    Clock.schedule_once(lambda _dt: watchdog.started(), 0)
    return [
        Clock.schedule_interval(watchdog.tick, watchdog.interval_s),
        Clock.schedule_interval(schedule.tick, DISPLAY_TICK_S),
    ]

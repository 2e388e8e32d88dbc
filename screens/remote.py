"""What remote commands need from the window (issue 14 item 2), wired by ``screens.main``:

* the runtime's activity reads the session state machine (session open, last touch, screen);
* out of service: a modal overlay over everything with the admin's message in English and Welsh
  (no buttons: nothing can be started), removed when the kiosk is back in service;
* screenshot: the window as a PNG, taken on Kivy's main thread (the command runs on its own
  thread and waits for it). The refusal rules are the runner's (:mod:`kiosk.runtime.commands`).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from screens.overlays import Overlay
from screens.widgets import KLabel

if TYPE_CHECKING:
    from kiosk.runtime.app import KioskRuntime

__all__ = ["OutOfServiceOverlay", "wire_remote"]

SHOT_TIMEOUT_S = 10.0


class OutOfServiceOverlay(Overlay):
    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx, "out-of-service")

    def build(self, message: dict[str, str]) -> None:
        lines = [
            KLabel(
                self.ctx,
                message.get(lang, ""),
                size=self.ctx.heading,
                bold=lang == "en",
                kid=f"out-of-service-{lang}",
            )  # fmt: skip
            for lang in ("en", "cy")
            if message.get(lang)
        ]
        self.fill(lines)


def take_screenshot(window: Any = None) -> bytes:
    """The window now, as PNG bytes; called from any thread, taken on the main loop."""
    done = threading.Event()
    box: dict[str, Any] = {}

    def shoot(_dt: float) -> None:
        try:
            from kivy.core.window import Window

            target = window or Window
            folder = Path(tempfile.mkdtemp(prefix="kiosk-shot-"))
            path = Path(target.screenshot(name=str(folder / "shot.png")))
            box["png"] = path.read_bytes()
            path.unlink(missing_ok=True)
            folder.rmdir()
        except Exception as exc:  # noqa: BLE001 - reported as the command's failure
            box["error"] = exc
        finally:
            done.set()

    Clock.schedule_once(shoot, 0)
    if not done.wait(SHOT_TIMEOUT_S):
        raise TimeoutError("the window did not take the screenshot in time")
    if "error" in box:
        raise box["error"]
    return bytes(box["png"])


def wire_remote(controller: Any, runtime: KioskRuntime) -> OutOfServiceOverlay:
    runtime.activity.watch(controller.session)
    overlay = OutOfServiceOverlay(controller.ctx)

    def show(message: dict[str, str] | None) -> None:
        if message is None:
            controller.shell.hide_overlay(overlay)
            overlay.clear_widgets()
        else:
            overlay.build(message)
            controller.shell.show_overlay(overlay)

    runtime.service.subscribe(lambda message: Clock.schedule_once(lambda _dt: show(message), 0))
    runtime.commands.effects.screenshot = take_screenshot
    if runtime.service.message is not None:
        show(runtime.service.message)
    return overlay

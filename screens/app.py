"""The touchscreen app: a Kivy App around the :class:`screens.controller.Controller`.

:func:`build_ui` makes the controller (and its root widget) for a session and a backend; the App
adds a Clock interval that calls ``session.tick()`` once a second (idle warning, wipe, goodbye).
Tests use :func:`build_ui` directly on a shared window and drive frames themselves
(:mod:`screens.driver`), because Kivy allows one window per process and ``App.run()`` blocks.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.config import KioskConfig
from kiosk.session import Session
from kiosk.ui.i18n import Translator, load_translator
from kiosk.ui.sizing import ScreenGeometry
from screens.backend import Backend
from screens.context import UiContext
from screens.controller import Controller

__all__ = ["KioskApp", "build_ui"]

TICK_S = 1.0


def build_ui(
    session: Session,
    backend: Backend,
    config: KioskConfig,
    *,
    translator: Translator | None = None,
    speaker: Any = None,
    poll_s: float = 1.0,
) -> Controller:
    """The controller and its widgets, sized for the window as it is now."""
    geometry = ScreenGeometry.from_config(config.screen, tuple(Window.size))
    ctx = UiContext(
        translator or load_translator(), geometry, speaker=speaker,
        lang=config.default_language, default_lang=config.default_language,
    )  # fmt: skip
    controller = Controller(session, backend, ctx, languages=config.languages, poll_s=poll_s)
    from screens import resume, resume_factor  # screens that are not session states

    resume.attach(controller)
    resume_factor.attach(controller)
    controller.guide.configure(config.peripherals)  # headphone jack, audio key, speech keys
    from screens.focus import FocusRing  # keypad and PC keyboard navigation (issue 19)

    controller.focus = FocusRing(controller).attach()
    freeze_startup_objects()
    return controller


def freeze_startup_objects() -> None:
    """Keep what start-up made (Kivy, fonts, catalogue, every screen) out of the garbage collector.

    About 100,000 objects live from start-up on; every full collection walked all of them (170 to
    280 ms measured on the shared test machine), several times a journey, each time inside
    whatever touch was being handled. Frozen, a collection walks only what was made since (under
    1 ms right after start). Objects frozen here that die later are freed as
    usual unless they are in a reference cycle; those stay (once, at start-up's size, not per
    person). Called again (a test builds a new UI), the old ones are unfrozen and collected first.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class KioskApp(App):
    title = "Kiosk"

    def __init__(
        self, session: Session, backend: Backend, config: KioskConfig, *,
        speaker: Any = None, on_built: Callable[[Controller], Any] | None = None, **kw: Any,
    ) -> None:  # fmt: skip
        super().__init__(**kw)
        self.session = session
        self.backend = backend
        self.config_ = config
        self.speaker = speaker
        self.on_built = on_built
        self.controller: Controller | None = None
        self.ticker: Any = None
        self.unwire_keypad: Callable[[], None] | None = None

    def build(self) -> Any:
        """The root widget; also starts the once-a-second ``session.tick()``."""
        self.controller = build_ui(self.session, self.backend, self.config_, speaker=self.speaker)
        if self.on_built is not None:
            self.on_built(self.controller)  # e.g. badges, PINs and diagnostics (device_flows)
        devices = getattr(self.backend, "devices", None)  # the runtime's DeviceHub, if any
        if devices is not None and self.controller.focus is not None:
            from screens.focus import wire_keypad

            self.unwire_keypad = wire_keypad(self.controller.focus, devices)
        self.ticker = Clock.schedule_interval(self.controller.tick, TICK_S)
        return self.controller.shell

    def on_stop(self) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
        if self.unwire_keypad is not None:
            self.unwire_keypad()
        if self.controller is not None:
            self.controller.close()

"""The attract screen: an invitation in both languages, drifting slowly so no pixel burns in.

It shows nothing of anybody: it is rebuilt from fixed text only. A touch anywhere starts a session.

The drift is a small step every few seconds, not an animation: a kiosk waits on this screen most
of the day, and a 60-frames-a-second animation kept most of a core busy drawing in software (no
GPU) for text that moves a few pixels a minute. One step redraws once; between steps nothing is
drawn (measured in ``bench/bench_ui.py``: the idle cost, goal ≤ 5% of one core).
"""

from __future__ import annotations

import math
from typing import Any

from kivy.clock import Clock
from kivy.uix.floatlayout import FloatLayout

from screens.base import KioskScreen
from screens.speech_sign import audio_sign
from screens.widgets import Column, KButton, KLabel

__all__ = ["AttractScreen"]

STEP_S = 4.0
"""Seconds between two steps of the drift (one redraw each)."""
DRIFT_STEPS = 60
"""Steps around the drift's ellipse: once round in four minutes."""
DRIFT_RX, DRIFT_RY = 0.05, 0.06
"""The ellipse's half-width and half-height, as fractions of the screen (a few pixels a step)."""


class AttractScreen(KioskScreen):
    state_name = "attract"

    def rebuild(self) -> None:
        ctx = self.ctx
        tr = ctx.translator
        self.clear()
        self.remove_widget(self.scroll)
        self.clear_widgets()
        stage = FloatLayout()
        card = Column(ctx, size_hint=(0.8, None))
        for lang in ("en", "cy"):
            card.add_widget(KLabel(ctx, tr.gettext(lang, "Welcome"), size=ctx.heading * 2,
                                   bold=True, halign="center"))  # fmt: skip
            card.add_widget(KLabel(ctx, tr.gettext(lang, "Touch the screen to start"),
                                   size=ctx.heading, halign="center", kid=f"invite:{lang}"))  # fmt: skip
        card.add_widget(audio_sign(ctx))  # the headphone symbol, both languages (issue 19)
        card.pos_hint = {"center_x": 0.5, "center_y": 0.5 + DRIFT_RY}
        stage.add_widget(card)
        code = KButton(ctx, " · ".join(tr.gettext(lang, "I have a code") for lang in ("en", "cy")),
                       self._open_resume, primary=False, kid="attract:code")  # fmt: skip
        code.size_hint = (0.5, None)
        code.pos_hint = {"center_x": 0.5, "y": 0.06}
        stage.add_widget(code)
        self._code_button = code
        self.add_widget(stage)
        self.spoken = tr.gettext("en", "Touch the screen to start")
        self._card = card
        self._drift()

    def _drift(self) -> None:
        """Move the text around the middle of the screen, a step at a time and for ever."""
        self._stop_drift()
        self._step = 0
        self._drift_event = Clock.schedule_interval(self._drift_step, STEP_S)

    def _drift_step(self, _dt: float = 0.0) -> None:
        self._step = (self._step + 1) % DRIFT_STEPS
        angle = 2 * math.pi * self._step / DRIFT_STEPS
        self._card.pos_hint = {"center_x": 0.5 + DRIFT_RX * math.sin(angle),
                               "center_y": 0.5 + DRIFT_RY * math.cos(angle)}  # fmt: skip

    def _stop_drift(self) -> None:
        event = getattr(self, "_drift_event", None)
        if event is not None:
            event.cancel()
            self._drift_event = None

    def clear(self) -> None:
        self._stop_drift()
        super().clear()

    def _open_resume(self) -> None:
        from screens.resume import attach

        attach(self.controller).open()

    def on_touch_down(self, touch: Any) -> bool:
        code = getattr(self, "_code_button", None)
        if code is not None and code.collide_point(*touch.pos):
            return bool(super().on_touch_down(touch))
        if self.collide_point(*touch.pos):
            touch.grab(self)  # starts on release, where it went down (WCAG 2.5.2)
            return True
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return bool(super().on_touch_up(touch))
        touch.ungrab(self)
        if self.collide_point(*touch.pos):
            self.controller.start()
        return True

    def build(self) -> list[Any]:
        return []

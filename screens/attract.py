"""The attract screen: an invitation in both languages, drifting slowly so no pixel burns in.

It shows nothing of anybody: it is rebuilt from fixed text only. A touch anywhere starts a session.
"""

from __future__ import annotations

from typing import Any

from kivy.animation import Animation
from kivy.uix.floatlayout import FloatLayout

from screens.base import KioskScreen
from screens.widgets import Column, KButton, KLabel

__all__ = ["AttractScreen"]

DRIFT_S = 20.0


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
        card.pos_hint = {"center_x": 0.5, "center_y": 0.55}
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
        """Move the text around the middle of the screen, slowly and for ever."""
        Animation.cancel_all(self._card)
        path = [(0.45, 0.6), (0.55, 0.5), (0.5, 0.45), (0.5, 0.55)]
        anim = Animation(duration=0)
        for cx, cy in path:
            anim += Animation(pos_hint={"center_x": cx, "center_y": cy}, duration=DRIFT_S / 4,
                              t="in_out_sine")  # fmt: skip
        anim.repeat = True
        anim.start(self._card)

    def clear(self) -> None:
        card = getattr(self, "_card", None)
        if card is not None:
            Animation.cancel_all(card)
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

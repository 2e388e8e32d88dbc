"""Sending: a spinner-free progress message while the case is written and sent (worker thread)."""

from __future__ import annotations

from typing import Any

from kivy.animation import Animation

from screens.base import KioskScreen
from screens.widgets import KLabel

__all__ = ["SubmittingScreen"]


class SubmittingScreen(KioskScreen):
    state_name = "submitting"

    def build(self) -> list[Any]:
        _ = self.ctx.t
        progress = KLabel(self.ctx, _("Please wait"), colour="muted_text", kid="please-wait")
        pulse = Animation(opacity=0.4, duration=0.8) + Animation(opacity=1.0, duration=0.8)
        pulse.repeat = True
        pulse.start(progress)
        self._pulse = progress
        return [self.title(_("Sending…")), progress]

    def clear(self) -> None:
        label = getattr(self, "_pulse", None)
        if label is not None:
            Animation.cancel_all(label)
        super().clear()

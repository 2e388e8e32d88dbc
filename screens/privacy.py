"""The privacy screen: a black, opaque layer over everything while the citizen listens.

Why: a blind citizen using audio guidance cannot see who is reading their answers over their
shoulder (EN 301 549 5.1.3.x, Section 508 402.2 private listening covers the sound, this the
picture). In audio mode the screen can be blanked and brought back (keypad, the audio key, the
accessibility panel); speech and keypad actions go on underneath, because they do not come through
touches. A touch on the black layer does nothing but counts as activity (the shell counts every
touch before any widget sees it), so the idle timer does not clear a listening citizen's answers.

Failure model: none of its own; it is only shown and hidden by :mod:`screens.speech_guide`, which
hides it when the headphones come out and at the end of every session.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

__all__ = ["PrivacyScreen"]


class PrivacyScreen(Widget):
    def __init__(self) -> None:
        super().__init__()
        self.kid = "privacy-screen"
        with self.canvas:
            Color(0, 0, 0, 1)
            self._black = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._place, size=self._place)

    def _place(self, *_: Any) -> None:
        self._black.pos, self._black.size = self.pos, self.size

    def on_touch_down(self, touch: Any) -> bool:
        return True  # nothing underneath is touched

    def on_touch_move(self, touch: Any) -> bool:
        return True

    def on_touch_up(self, touch: Any) -> bool:
        return True

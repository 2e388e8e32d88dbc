"""The welcome screen's sign that audio guidance exists: a headphone symbol and one line per language.

Why: a citizen who needs speech has to learn it is there before touching anything (EN 301 549
5.1.3, 8.5; the tactile sign at the socket is described in deploy/README.md). The symbol is drawn
with lines, not a font glyph: the kiosk's fonts have no headphone character and a missing glyph
shows as an empty box. Its words come from the catalogues, in English and Welsh on every welcome.

Failure model: none; fixed text and a drawing, rebuilt with the welcome screen.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, RoundedRectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.context import UiContext
from screens.widgets import Column, KLabel

__all__ = ["HeadphonesSymbol", "audio_sign"]


class HeadphonesSymbol(Widget):
    """A headband and two ear cups, in the theme's text colour."""

    def __init__(self, ctx: UiContext, size_px: int) -> None:
        super().__init__(size_hint=(None, None), size=(size_px, size_px))
        self.kid = "headphones-symbol"
        width = max(2.0, size_px / 12)
        with self.canvas:
            Color(*ctx.colour("text"))
            self._band = Line(width=width)
            self._left = RoundedRectangle()
            self._right = RoundedRectangle()
        self.bind(pos=self._draw, size=self._draw)
        self._draw()

    def _draw(self, *_: Any) -> None:
        x, y, s = self.x, self.y, self.width
        self._band.ellipse = (x + s * 0.12, y + s * 0.2, s * 0.76, s * 0.76, -90, 90)
        cup = (s * 0.22, s * 0.38)
        self._left.pos, self._left.size, self._left.radius = (x + s * 0.04, y + s * 0.1), cup, [4]
        self._right.pos, self._right.size = (x + s * 0.74, y + s * 0.1), cup
        self._right.radius = [4]


def audio_sign(ctx: UiContext) -> BoxLayout:
    """The symbol beside "Audio guidance: plug headphones …" in English and in Welsh."""
    tr = ctx.translator
    row = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=ctx.gap)
    row.kid = "audio-sign"
    symbol = HeadphonesSymbol(ctx, round(ctx.heading * 2))
    words = Column(ctx)
    for lang in ("en", "cy"):
        text = tr.gettext(lang, "Audio guidance: plug headphones into the socket below the screen")
        words.add_widget(KLabel(ctx, text, halign="left", kid=f"audio-sign:{lang}"))
    row.add_widget(symbol)
    row.add_widget(words)

    def fit(*_: Any) -> None:
        row.height = max(symbol.height, words.height)

    words.bind(height=fit)
    fit()
    return row

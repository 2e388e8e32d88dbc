"""The two full-screen tests of diagnostics mode: the touch grid and the solid colours.

Both cover the whole window (the shell places overlays over everything) so the panel is tested
edge to edge, bar and all.

* :class:`TouchGridTest` draws a :class:`kiosk.diagnostics.TouchGrid`: every touch (or drag) turns
  its cell green; when every cell is green, or the technician presses "Finish" in the middle, it
  hands the grid back. Touches on the Finish button do not count as hits.
* :class:`ColourTest` fills the window with one solid colour after another (red, green, blue,
  white, black, grey) — stuck or dead pixels and uneven backlight show up on these; a touch moves on,
  and after the last colour it hands back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, InstructionGroup, Line, Rectangle
from kivy.uix.widget import Widget

from kiosk.diagnostics import TouchGrid
from screens.context import UiContext
from screens.widgets import KButton

__all__ = ["COLOURS", "ColourTest", "TouchGridTest"]

COLOURS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("red", (1.0, 0.0, 0.0, 1.0)),
    ("green", (0.0, 1.0, 0.0, 1.0)),
    ("blue", (0.0, 0.0, 1.0, 1.0)),
    ("white", (1.0, 1.0, 1.0, 1.0)),
    ("black", (0.0, 0.0, 0.0, 1.0)),
    ("grey", (0.5, 0.5, 0.5, 1.0)),
)
HIT = (0.0, 0.6, 0.2, 1.0)
TODO = (0.15, 0.15, 0.15, 1.0)
EDGE = (1.0, 1.0, 1.0, 1.0)


class TouchGridTest(Widget):
    def __init__(self, ctx: UiContext, done: Callable[[TouchGrid], None], cols: int = 8,
                 rows: int = 6) -> None:  # fmt: skip
        super().__init__()
        self.ctx = ctx
        self.kid = "touch-grid"
        self.done = done
        self.cols, self.rows = cols, rows
        self.grid = TouchGrid(cols, rows, (100, 100))
        self._cells = InstructionGroup()
        self.canvas.add(self._cells)
        self.finish = KButton(ctx, ctx.t("Finish"), self._finish, kid="touch-finish",
                              size_hint=(None, None))  # fmt: skip
        self.finish.width = max(ctx.target * 4, 200)
        self.add_widget(self.finish)
        self.bind(pos=self._layout, size=self._layout)

    def start(self) -> None:
        """A fresh grid for the window as it is now."""
        self.grid = TouchGrid(self.cols, self.rows, (max(1, self.width), max(1, self.height)))
        self._layout()

    def _layout(self, *_: Any) -> None:
        if self.width > 0 and self.height > 0:
            self.grid.resize((self.width, self.height))
        self.finish.center = self.center
        self.draw()

    def draw(self) -> None:
        self._cells.clear()
        for cell in self.grid.cells:
            x, y, w, h = self.grid.cell_rect(cell)
            self._cells.add(Color(*(HIT if self.grid.is_hit(cell) else TODO)))
            self._cells.add(Rectangle(pos=(self.x + x, self.y + y), size=(w, h)))
            self._cells.add(Color(*EDGE))
            self._cells.add(Line(rectangle=(self.x + x, self.y + y, w, h), width=1))

    def _record(self, touch: Any) -> None:
        if self.finish.collide_point(*touch.pos):
            return
        self.grid.hit(touch.x - self.x, touch.y - self.y)
        self.draw()
        if self.grid.complete:
            self._finish()

    def on_touch_down(self, touch: Any) -> bool:
        if self.finish.collide_point(*touch.pos):
            return bool(self.finish.on_touch_down(touch))
        self._record(touch)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        self._record(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True

    def _finish(self) -> None:
        self.done(self.grid)


class ColourTest(Widget):
    def __init__(self, done: Callable[[], None]) -> None:
        super().__init__()
        self.kid = "colour-test"
        self.done = done
        self.index = 0
        with self.canvas:
            self._colour = Color(*COLOURS[0][1])
            self._fill = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._follow, size=self._follow)

    @property
    def colour_name(self) -> str:
        return COLOURS[self.index][0]

    def start(self) -> None:
        self.index = 0
        self._colour.rgba = COLOURS[0][1]

    def _follow(self, *_: Any) -> None:
        self._fill.pos, self._fill.size = self.pos, self.size

    def on_touch_down(self, touch: Any) -> bool:
        return True

    def on_touch_up(self, touch: Any) -> bool:
        self.index += 1
        if self.index >= len(COLOURS):
            self.index = 0
            self.done()
        else:
            self._colour.rgba = COLOURS[self.index][1]
        return True

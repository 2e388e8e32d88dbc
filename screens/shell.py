"""The window's one root widget: the bar, the current screen, the keyboard and the overlays.

Layout (recomputed on every change, never by pos_hint guesswork):

* normally the bar is at the top and the screen fills the rest; the keyboard, when shown, takes
  the bottom and the screen shrinks to the space above it, scrolled to the active field;
* in reach mode every control moves into the lower part of the screen (below ``REACH_TOP`` of the
  height): bar at the bottom (above the keyboard), the screen between the bar and ``REACH_TOP``;
* overlays (idle warning, accessibility panel) cover everything and catch every touch.

Any touch anywhere counts as activity for the idle timer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from screens.bar import Bar
from screens.context import REACH_TOP, UiContext
from screens.keyboard import OnScreenKeyboard

__all__ = ["Shell"]


class Shell(Widget):
    def __init__(self, ctx: UiContext, bar: Bar, keyboard: OnScreenKeyboard,
                 on_touch: Callable[[], None]) -> None:  # fmt: skip
        super().__init__()
        self.ctx = ctx
        self.kid = "shell"
        self.bar = bar
        self.keyboard = keyboard
        self.manager = ScreenManager(transition=NoTransition())
        self.overlays: list[Widget] = []
        self._on_touch = on_touch
        with self.canvas.before:
            self._bg_colour = Color(*ctx.colour("background"))
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.add_widget(self.manager)
        self.add_widget(self.bar)
        self.bind(pos=self.relayout, size=self.relayout)
        self.bar.bind(height=self.relayout)
        self.keyboard.bind(height=self.relayout)

    # ---- pieces coming and going ---------------------------------------------------------------
    @property
    def keyboard_shown(self) -> bool:
        return self.keyboard.parent is self

    def show_keyboard(self) -> None:
        if not self.keyboard_shown:
            self.add_widget(self.keyboard, index=len(self.overlays))
        self.relayout()

    def hide_keyboard(self) -> None:
        if self.keyboard_shown:
            self.remove_widget(self.keyboard)
        self.relayout()

    def show_overlay(self, overlay: Widget) -> None:
        if overlay.parent is None:
            self.add_widget(overlay)  # on top of everything
            self.overlays.append(overlay)
        self.relayout()

    def hide_overlay(self, overlay: Widget) -> None:
        if overlay.parent is self:
            self.remove_widget(overlay)
        if overlay in self.overlays:
            self.overlays.remove(overlay)

    def restyle(self) -> None:
        self._bg_colour.rgba = self.ctx.colour("background")
        self.relayout()

    # ---- layout --------------------------------------------------------------------------------
    def relayout(self, *_: Any) -> None:
        x, y = self.pos
        w, h = self.size
        self._bg.pos, self._bg.size = self.pos, self.size
        kb = 0.0
        if self.keyboard_shown:
            self.keyboard.width = w
            self.keyboard.pos = (x, y)
            kb = self.keyboard.height
        bar_h = self.bar.height
        self.bar.width = w
        if self.ctx.settings.reach_mode:
            self.bar.pos = (x, y + kb)
            bottom = y + kb + bar_h
            top = max(y + h * REACH_TOP, bottom + 2 * self.ctx.target)
        else:
            self.bar.pos = (x, y + h - bar_h)
            bottom = y + kb
            top = y + h - bar_h
        self.manager.pos = (x, bottom)
        self.manager.size = (w, max(0.0, top - bottom))
        for overlay in self.overlays:
            overlay.pos, overlay.size = self.pos, self.size

    # ---- touches -------------------------------------------------------------------------------
    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            self._on_touch()
        return bool(super().on_touch_down(touch))

"""Driving the app by hand: frames, synthetic touches, lookups by ``kid``, screenshots.

Used by the tests and by :func:`screens.script.play_journey`. Touches are real Kivy motion events
(``kivy.tests.common.UnitTestTouch``) dispatched through the window, so they travel the same
path as a finger: the shell's activity hook, overlays, scroll views, buttons.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.controller import Controller
from screens.widgets import walk

__all__ = ["Driver"]

SCROLL_CLICK_S = 0.25
"""A ScrollView that can scroll delivers a tap's touch-up 0.2 s later (Kivy's gesture timing)."""


class Driver:
    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.shell = controller.shell

    # ---- attaching to the one window -----------------------------------------------------------
    def attach(self) -> Driver:
        for child in list(Window.children):
            Window.remove_widget(child)
        Window.add_widget(self.shell)
        self.shell.size = Window.size
        self.pump(3)
        return self

    def detach(self) -> None:
        self.controller.close()
        if self.shell.parent is not None:
            Window.remove_widget(self.shell)
        self.pump(1)

    # ---- frames --------------------------------------------------------------------------------
    def pump(self, frames: int = 2) -> None:
        for _ in range(frames):
            EventLoop.idle()

    def wait_until(self, check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
        """Pump frames until ``check()`` holds (worker threads report through the Clock)."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or check}")
            EventLoop.idle()
        self.pump(2)

    # ---- finding -------------------------------------------------------------------------------
    def widgets(self) -> Iterator[Widget]:
        """Every widget of the app, including screens not shown now and hidden overlays."""
        seen: set[int] = set()
        roots = [self.shell, self.controller.keyboard, self.controller.idle, self.controller.panel]
        roots += list(self.controller.screens.values())
        for root in roots:
            for w in walk(root):
                if id(w) not in seen:
                    seen.add(id(w))
                    yield w

    def visible(self) -> Iterator[Widget]:
        yield from walk(self.shell)

    def find(self, kid: str) -> Any:
        found = [w for w in self.visible() if getattr(w, "kid", None) == kid]
        if not found:
            shown = sorted({getattr(w, "kid", "") for w in self.visible()} - {""})
            raise LookupError(f"no widget {kid!r} on screen; there are: {shown}")
        return found[0]

    def has(self, kid: str) -> bool:
        return any(getattr(w, "kid", None) == kid for w in self.visible())

    def texts(self, everywhere: bool = True) -> list[str]:
        """The ``text`` of every widget (of the whole app, or only what is on screen)."""
        source = self.widgets() if everywhere else self.visible()
        return [t for w in source if isinstance(t := getattr(w, "text", None), str) and t]

    @property
    def screen(self) -> str:
        return str(self.shell.manager.current)

    # ---- touching ------------------------------------------------------------------------------
    def _scroll_of(self, widget: Widget) -> ScrollView | None:
        parent = widget.parent
        while parent is not None and parent is not self.shell:
            if isinstance(parent, ScrollView):
                return parent
            parent = parent.parent
        return None

    def tap(self, target: str | Widget, settle: bool = True) -> None:
        if settle:
            self.pump(2)  # let a fresh layout settle before aiming
        widget = self.find(target) if isinstance(target, str) else target
        scroll = self._scroll_of(widget)
        if scroll is not None and scroll.do_scroll_y:
            scroll.scroll_to(widget, padding=10, animate=False)
            self.pump(2)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()  # dispatched at once, through the window
        if settle:
            self.pump(1)
        touch.touch_up()
        self.pump(1)
        if scroll is not None and scroll.do_scroll_y:
            end = time.monotonic() + SCROLL_CLICK_S
            while time.monotonic() < end:
                EventLoop.idle()
        self.pump(1)

    def tap_at(self, x: float, y: float) -> None:
        """A finger down and up at one point of the window, aimed by the caller (nothing is
        scrolled into view first, as :meth:`tap` does): what lies there now is what is pressed."""
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.wait(SCROLL_CLICK_S)

    def drag(self, x: float, y: float, to_y: float, steps: int = 12) -> None:
        """A finger put down at (x, y), slid to (x, to_y) over some frames, held still, lifted:
        a person scrolling (moving up shows what is further down)."""
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        for i in range(1, steps + 1):
            touch.touch_move(x, y + (to_y - y) * i / steps)
            self.pump(1)
        self.wait(0.3)  # held still: no fling left when it lifts
        touch.touch_up()
        self.wait(0.3)

    def wait(self, seconds: float) -> None:
        """Frames for ``seconds`` of (real) time: Kivy's clock, its timeouts and triggers run."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            EventLoop.idle()

    def type_into(self, kid: str, text: str) -> None:
        """Touch the field, then type ``text`` on the on-screen keyboard, key by key."""
        self.tap(kid)
        keyboard = self.controller.keyboard
        for char in text:
            shifted = char.isupper() and keyboard.layout == "text"
            if shifted:
                self.tap("key:shift", settle=False)
            key = keyboard.find_key(char)
            if key is None:
                raise LookupError(f"the on-screen keyboard has no key for {char!r}")
            self.tap(key, settle=shifted)  # a shift redraws the keys: let them settle

    # ---- pictures ------------------------------------------------------------------------------
    def screenshot(self, path: Path) -> Path:
        """The window as the person sees it, as PNG at exactly ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pump(2)
        written = Window.screenshot(name=str(path))
        os.replace(written, path)
        return path

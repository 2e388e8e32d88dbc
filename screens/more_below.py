"""A visible "More below" cue whenever a screen's content goes on below what the person can see.

A first-time citizen does not know that a kiosk screen scrolls: a step whose Continue button is
below the fold (a long step, the largest text size, the keyboard taking the lower half) looks like
a dead end. So while there is more content below the view, a button sits in a band of its own under the
view (the view gives it the room: it never covers a control) saying so, in the session's language, with an arrow; a tap on it scrolls down most of a view
(it never moves the screen by itself). Once the end is in view it goes away and stops catching
touches, so it never hides a control the person could reach (issue 17 item 7).

Failure model: it reads only the scroll's geometry; a screen without scrollable content, or one
half laid out, simply shows no cue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from screens.containers import Scroll
from screens.context import UiContext
from screens.widgets import KButton

__all__ = ["PAGE", "MoreBelow"]

PAGE = 0.8
"""A tap on the cue scrolls down this fraction of the view (some of what was seen stays seen)."""


class MoreBelow(KButton):
    """The cue under ``scroll``; ``on_change()`` is called when its band comes or goes, so the
    screen gives it room below the view (it never covers content)."""

    def __init__(self, ctx: UiContext, scroll: Scroll, on_change: Callable[[], None]) -> None:
        super().__init__(ctx, "", self.page_down, primary=False, kid="more-below", size=ctx.small)
        self.scroll = scroll
        self.size_hint = (None, None)
        self.shown = False
        """The words are showing: there is more below the view."""
        self.banded = False
        """The screen keeps a band for the cue: the content is taller than the whole screen. The
        band stays while the person scrolls (at the end it is empty), so the view's edge does not
        move under a finger as the words come and go."""
        self._on_change = on_change
        content = scroll.children[0] if scroll.children else None
        scroll.bind(scroll_y=self.update, height=self.update, pos=self.update, width=self.update)
        if content is not None:
            content.bind(height=self.update)
        self.update()

    def update(self, *_: Any) -> None:
        """Keep the band while the content is taller than the whole screen; show the words in it
        exactly while the content goes on below the view."""
        s = self.scroll
        content = s.children[0] if s.children else None
        if content is None or s.parent is None:
            return
        # The content itself, without the room the scroll holds below it to keep its place (that
        # room is empty: it is not "more below").
        real = float(getattr(content, "minimum_height", content.height))
        real -= float(getattr(content, "laid_slack", 0.0))
        banded = real > s.parent.height + 1
        below = real - (s.offset + s.height)
        shown = bool(banded and s.do_scroll_y and below > 1)
        self.text = f"{self.ctx.t('More below')}  ↓"
        self.width = min(s.width * 0.6, max(self.texture_size[0] + self.ctx.pad * 4, s.width * 0.3))
        self.opacity = 1.0 if shown else 0.0
        self.disabled = not shown
        self.shown = shown
        if banded != self.banded:
            self.banded = banded
            self._on_change()

    def page_down(self) -> None:
        s = self.scroll
        room = s._room()  # noqa: SLF001
        s._place = min(room, s.offset + s.height * PAGE)  # noqa: SLF001 - the person asked
        s._go(s._place)  # noqa: SLF001

    def on_touch_down(self, touch: Any) -> bool:
        return bool(self.shown and super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        return bool(self.shown and super().on_touch_up(touch))

    def on_touch_move(self, touch: Any) -> bool:
        return bool(self.shown and super().on_touch_move(touch))

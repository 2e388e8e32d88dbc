"""The base of every screen: a scrolling column rebuilt from the session whenever anything changes.

A screen never keeps its own copy of the person's data: :meth:`KioskScreen.rebuild` reads the
session (and the controller's current case) and draws; :meth:`KioskScreen.clear` drops every
widget, so after a wipe no text of the previous person is left in any widget.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.screenmanager import Screen

from screens.context import UiContext
from screens.host import ScreenHost
from screens.more_below import MoreBelow
from screens.widgets import Column, KLabel, Scroll

__all__ = ["KioskScreen"]


class KioskScreen(Screen):
    state_name = ""
    """The session state this screen shows (the Screen's name)."""

    def __init__(self, ctx: UiContext, controller: ScreenHost, **kw: Any) -> None:
        super().__init__(name=self.state_name, **kw)
        self.ctx = ctx
        self.controller = controller
        self.column = Column(ctx)
        self.scroll = Scroll(ctx, self.column, size_hint=(1, None))
        self.add_widget(self.scroll)
        self.more = MoreBelow(ctx, self.scroll, self._lay_out)
        self.add_widget(self.more)
        self.bind(size=self._lay_out)
        self.spoken = ""
        self._scroll_place: object = None
        self._scroll_shown = False

    def _lay_out(self, *_: Any) -> None:
        """The view fills the screen, less a band at the bottom for "More below" while the content
        is taller than the screen."""
        more, pad = self.more, self.ctx.pad
        band = more.height + pad if more.banded else 0.0
        # y before height: a new height can bring the band or take it away (the cue's update
        # calls this again, nested); that inner call's place must be the one that stays.
        self.scroll.y = band
        self.scroll.height = max(0.0, self.height - band)
        more.x = (self.width - more.width) / 2
        more.y = pad / 2

    @property
    def session(self) -> Any:
        return self.controller.session

    # ---- drawing -------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Draw the screen afresh from the session (language, settings and state included).

        A redraw of what is already shown (a choice, a language, a text size, an error) keeps the
        view where the person scrolled it, in content pixels from the top: a screen never moves
        under a finger. Another :meth:`place` (a new step, another view) starts at the top."""
        place = self.place()
        same = self._scroll_shown and place == self._scroll_place
        self._scroll_place, self._scroll_shown = place, True
        self.column.clear_widgets()
        self.column.repad(self.ctx.pad * 2)
        self.column.spacing = self.ctx.gap
        for widget in self.build():
            self.column.add_widget(widget)
        if not same:
            self.scroll.to_top()
        if self.manager is not None and self.manager.current == self.name:
            self.controller.bar.build()  # Back may have changed meaning

    def build(self) -> list[Any]:
        raise NotImplementedError

    def place(self) -> object:
        """What this screen shows now, as far as scrolling goes: a redraw of the same place keeps
        the scroll position, another one starts at the top (screens with views or steps say
        which one)."""
        return None

    def on_leave(self, *_: Any) -> None:
        """Another screen is shown: coming back here later starts at the top."""
        self._scroll_shown = False

    def clear(self) -> None:
        """Forget everything shown (the wipe)."""
        self.column.clear_widgets()
        self.spoken = ""
        self._scroll_shown = False

    def title(self, text: str) -> KLabel:
        """The screen's heading; also what audio guidance reads first."""
        self.spoken = text
        return KLabel(self.ctx, text, size=self.ctx.heading, bold=True, kid="title")

    # ---- navigation ----------------------------------------------------------------------------
    def can_go_back(self) -> bool:
        return False

    def go_back(self) -> None:
        """The bar's Back button on this screen."""

"""The containers every screen is laid out in: :class:`Column`, :class:`Row` and :class:`Scroll`.

Why a module of their own: the controls (:mod:`screens.widgets`) are what a finger touches; these
are what holds them, and the one rule they keep together is that nothing moves under a finger. A
:class:`Scroll` holds its place in content pixels and, when its content (a :class:`Column`) gets
shorter than that place needs, leaves slack below it instead of letting it slide down.

Failure model: pure Kivy layout, no I/O; a content that is not a :class:`Column` simply gets no
slack (it may slide, never crash). :mod:`screens.widgets` re-exports all three, so existing
imports keep working.
"""

from __future__ import annotations

from typing import Any

from kivy.effects.scroll import ScrollEffect
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.context import UiContext

__all__ = ["Column", "Row", "Scroll"]


class Column(BoxLayout):
    """Children stacked top to bottom; its height is theirs (to sit in a :class:`Scroll`), plus
    any ``slack``: empty room below them that a :class:`Scroll` leaves to hold its place."""

    def __init__(self, ctx: UiContext, *, gap: int | None = None, **kw: Any) -> None:
        kw.setdefault("padding", ctx.pad * 2)
        super().__init__(orientation="vertical", spacing=gap or ctx.gap, size_hint_y=None, **kw)
        self.slack = 0.0
        self.laid_slack = 0.0
        """The slack in ``minimum_height`` as last laid out."""
        self.bind(minimum_height=self.setter("height"))

    def repad(self, padding: Any) -> None:
        """Set the padding (as Kivy takes it), keeping the slack below the children."""
        self.padding = padding
        left, top, right, bottom = self.padding
        self.padding = [left, top, right, bottom + self.slack]

    def hold(self, slack: float) -> None:
        left, top, right, bottom = self.padding
        self.padding = [left, top, right, bottom - self.slack + slack]
        self.slack = slack

    def do_layout(self, *args: Any) -> None:
        self.laid_slack = self.slack
        super().do_layout(*args)


class Row(BoxLayout):
    """Children side by side, equal widths unless told; as tall as its tallest child."""

    def __init__(self, ctx: UiContext, *children: Widget, **kw: Any) -> None:
        super().__init__(orientation="horizontal", spacing=ctx.gap, size_hint_y=None, **kw)
        self.bind(minimum_height=self.setter("height"))
        for child in children:
            self.add_widget(child)

    def add_widget(self, widget: Widget, *args: Any, **kw: Any) -> None:
        super().add_widget(widget, *args, **kw)
        if hasattr(widget, "natural_height"):
            widget.bind(texture_size=self._trigger_layout)  # text rewrapped: even up again

    def do_layout(self, *args: Any) -> None:
        """Side by side means equal weight: every control as tall as the tallest."""
        sized = [c for c in self.children if hasattr(c, "natural_height")]
        tallest = max((c.natural_height() for c in sized), default=0)
        for child in sized:
            child.min_side = tallest  # recomputed from natural sizes each time: never sticky
            child.height = tallest
        super().do_layout(*args)


class Scroll(ScrollView):
    """Vertical scrolling only when the content is taller than the view (else taps are instant).

    The view holds its place in content pixels from the top, not as Kivy's ratio: when the content
    grows or shrinks (a redraw, an error message, a field shown by a choice) or the view does (the
    keyboard), what is at the top of the view stays there, so nothing moves under a finger. While
    the content is shorter than the place (a redraw half laid out) the view shows what it can and
    goes back to the place once the content is tall enough; the place is what the person sees
    again as soon as a finger goes down. Only the person's finger, :meth:`to_top` and
    :meth:`scroll_to` (revealing the field being typed) move it."""

    def __init__(self, ctx: UiContext, content: Widget, **kw: Any) -> None:
        super().__init__(
            do_scroll_x=False, bar_width=max(6, ctx.geometry.mm_to_px(3)),
            scroll_type=["bars", "content"], effect_cls=ScrollEffect, **kw,
        )  # fmt: skip
        self.bar_color = ctx.colour("muted_text")
        self.add_widget(content)
        self._place = 0.0  # content px above the top of the view that the view keeps
        self._placing = False
        self._sizes = (content.height, self.height)  # as last placed
        content.bind(height=self._content_resized)
        self.bind(height=self._content_resized, scroll_y=self._moved)
        self.refresh_scrolling()

    def refresh_scrolling(self, *_: Any) -> None:
        content = self.children[0] if self.children else None
        self.do_scroll_y = bool(content is not None and content.height > self.height + 1)

    # ---- the place ---------------------------------------------------------------------------
    def _room(self) -> float:
        content = self.children[0] if self.children else None
        return max(0.0, content.height - self.height) if content is not None else 0.0

    @property
    def offset(self) -> float:
        """Content px above the top of the view, as shown now (0 at the top)."""
        return (1.0 - min(1.0, max(0.0, self.scroll_y))) * self._room()

    def _sizes_now(self) -> tuple[float, float]:
        content = self.children[0] if self.children else None
        return (content.height if content is not None else 0.0, self.height)

    def _moved(self, *_: Any) -> None:
        # A finger or scroll_to: that is the new place. Not Kivy's own answer to a resize (its
        # effect clamps the ratio before _content_resized runs): the place is put back then.
        if not self._placing and self._sizes_now() == self._sizes:
            self._place = self.offset

    def _content_resized(self, *_: Any) -> None:
        self._hold()
        self._sizes = self._sizes_now()
        self.refresh_scrolling()
        self._go(self._place)

    def _hold(self) -> None:
        """Content now shorter than its place needs (the keys went away under a view scrolled to
        the end, a choice hid the fields below): room is left below it, rather than the content
        sliding down under the finger. Given back as the person scrolls up."""
        content = self.children[0] if self.children else None
        if not isinstance(content, Column):
            return
        base = content.minimum_height - content.laid_slack
        need = max(0.0, self._place + self.height - base) if self._place > 0 else 0.0
        if abs(need - content.slack) >= 1:
            content.hold(need)
            content.height = base + need  # now, not at the next layout

    def _go(self, place: float) -> None:
        room = self._room()
        self._placing = True
        try:
            self.scroll_y = 1.0 - min(place, room) / room if room > 0 else 1.0
        finally:
            self._placing = False

    def to_top(self) -> None:
        """Show the top of the content (a new screen or step)."""
        self._place = 0.0
        self._hold()
        self._go(0.0)

    def on_touch_down(self, touch: Any) -> bool:
        self._place = self.offset  # what the person sees is the place from now on
        self._hold()
        return bool(super().on_touch_down(touch))

    def on_scroll_stop(self, touch: Any, check_children: bool = True) -> Any:
        """A tap on scrollable content: Kivy hands the press to the widget under the point where
        the finger *lifted*, so a finger that slid (less than a scroll) from one button onto
        another pressed the second. Press where the finger went down instead: the button there
        then sees the lift outside itself and cancels (WCAG 2.5.2)."""
        ud = touch.ud.get(self._get_uid())
        if (
            self._touch is touch and isinstance(ud, dict) and ud.get("mode") == "unknown"
            and not ud.get("user_stopped")
        ):  # fmt: skip
            ud["user_stopped"] = True  # Kivy's own (lift-point) press is skipped
            touch.push()
            touch.x, touch.y = touch.pos = (touch.ox, touch.oy)
            self.simulate_touch_down(touch)
            touch.pop()
        return super().on_scroll_stop(touch, check_children)

    def update_from_scroll(self, *largs: Any) -> None:
        # Kivy (2.3) binds bar_color → _change_bar_color on every call and unbinds once, 0.5 s
        # later: calls closer together than that pile up bindings for ever (memory grew ~40 KB a
        # person). Unbind first, so there is never more than one.
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)

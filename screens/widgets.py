"""The few widgets every screen is built from, sized and coloured from the :class:`UiContext`.

* every control is at least ``ctx.target`` px on each side (≥ 9 mm, taller for larger text);
* every text wraps to its widget's width and the widget grows to the text's height, so no text is
  ever clipped, whatever the text size (the tests check each label's texture against its box);
* widgets carry a ``kid`` (kiosk id) so tests and the journey script find them without guessing.

The containers (:class:`Column`, :class:`Row`, :class:`Scroll`) live in :mod:`screens.containers`
and are re-exported here, so ``from screens.widgets import Column`` keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.uix.behaviors import ToggleButtonBehavior
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.togglebutton import ToggleButton
from kivy.uix.widget import Widget

from kiosk.ui.speech import describe_control
from screens.containers import Column, Row, Scroll
from screens.context import UiContext

__all__ = [
    "Column",
    "KButton",
    "KInput",
    "KLabel",
    "KToggle",
    "Row",
    "Scroll",
    "paint",
    "walk",
]


def paint(
    widget: Widget, rgba: tuple[float, ...], *, border: tuple[float, ...] | None = None
) -> None:
    """Fill ``widget``'s box with ``rgba`` (and a 2 px border), following its moves."""
    with widget.canvas.before:
        Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
        if border is not None:
            Color(*border)
            line = Line(rectangle=(*widget.pos, *widget.size), width=2)
        else:
            line = None

    def follow(*_: Any) -> None:
        rect.pos, rect.size = widget.pos, widget.size
        if line is not None:
            line.rectangle = (*widget.pos, *widget.size)

    # A widget painted again (the bar and the keyboard are, on every screen) drops the binding of
    # its old paint: else each one keeps its rectangle alive and memory grows with every person.
    previous = getattr(widget, "_paint_follow", None)
    if previous is not None:
        widget.unbind(pos=previous, size=previous)
    widget._paint_follow = follow  # type: ignore[attr-defined]
    widget.bind(pos=follow, size=follow)


def walk(root: Widget) -> list[Widget]:
    """Every widget under ``root`` (``root`` included), depth first."""
    found = [root]
    for child in root.children:
        found.extend(walk(child))
    return found


class KLabel(Label):
    """Wrapped text whose height follows the text."""

    def __init__(
        self, ctx: UiContext, text: str = "", *, size: int | None = None, colour: str = "text",
        bold: bool = False, halign: str = "left", kid: str = "", **kw: Any,
    ) -> None:  # fmt: skip
        super().__init__(
            text=text, font_size=size or ctx.font, color=ctx.colour(colour), bold=bold,
            halign=halign, valign="middle", size_hint_y=None, **kw,
        )  # fmt: skip
        self.kid = kid
        self.bind(width=self._wrap, texture_size=self._grow)
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        self.text_size = (max(1, self.width - 2 * self.padding[0]), None)

    def _grow(self, *_: Any) -> None:
        self.height = self.texture_size[1] + 2 * self.padding[1]


class _Grows:
    """A control whose text wraps to its width and whose height grows with the text, never below
    ``min_side`` (the touch target; ``base_side`` is the size it was made for)."""

    width: float
    height: float
    padding: Any
    texture_size: Any
    text_size: Any
    base_side: float
    min_side: float

    def _wrap(self, *_: Any) -> None:
        self.text_size = (max(1, self.width - self.padding[0] - self.padding[2]), None)

    def natural_height(self) -> float:
        return max(self.base_side, self.texture_size[1] + self.padding[1] + self.padding[3])

    def _grow(self, *_: Any) -> None:
        self.height = max(self.min_side, self.natural_height())


class KButton(_Grows, Button):
    """A wide, tall button with wrapped text; ``primary`` buttons are filled, others outlined.

    A disabled button does not look like a button at all: no fill, no outline, dimmed words (and
    "unavailable" in what is read out, :attr:`spoken`), never only a paler colour.

    It acts on release, and only when the finger is still on it (WCAG 2.5.2, pointer
    cancellation): a finger that goes down on it and slides off before lifting does nothing."""

    def __init__(
        self, ctx: UiContext, text: str, on_press: Callable[[], Any] | None = None, *,
        primary: bool = True, kid: str = "", size: int | None = None, **kw: Any,
    ) -> None:  # fmt: skip
        super().__init__(
            text=text, background_normal="", background_down="", background_disabled_normal="",
            background_disabled_down="", halign="center", valign="middle", size_hint_y=None, **kw,
        )  # fmt: skip
        self.ctx = ctx
        self.primary = primary
        self.text_px = size
        self.kid = kid
        self.outlined = False
        """Drawn with an outline now (an enabled secondary button)."""
        self.restyle()
        self.bind(width=self._wrap, texture_size=self._grow)
        self.bind(disabled=lambda *_: self.restyle())
        self._wrap()
        if on_press is not None:
            self.bind(on_release=lambda *_: on_press())

    @property
    def spoken(self) -> str:
        """What audio guidance reads for this button: "Back, button, unavailable."."""
        return describe_control(self.text, "button", disabled=self.disabled, translate=self.ctx.t)

    def restyle(self) -> None:
        """Sizes and colours from the context as it is now (a widget kept across redraws)."""
        ctx = self.ctx
        bg, fg = ("primary", "on_primary") if self.primary else ("surface", "text")
        self.font_size = self.text_px or ctx.font
        self.color = ctx.colour(fg)
        self.disabled_color = ctx.colour("muted_text")
        self.padding = (ctx.pad, ctx.pad)
        self.base_side = self.min_side = ctx.target
        self._grow()
        self.canvas.before.clear()
        self.outlined = not self.primary and not self.disabled
        if self.disabled:
            self.background_color = (0, 0, 0, 0)  # words on whatever is behind: not a button
        else:
            self.background_color = ctx.colour(bg)
            if not self.primary:
                paint(self, ctx.colour("surface"), border=ctx.colour("text"))


class KToggle(_Grows, ToggleButton):
    """One of a group of choices. Which one is chosen never shows by colour alone (WCAG 1.4.1):

    * ``mark="left"`` (options in a column) or ``"top"`` (side by side in a row): a radio mark, a
      ring that is filled when chosen, and a thick border round the chosen one; the chosen one is
      outlined, never filled like the primary button (Continue);
    * ``mark="tab"``: a tab; the chosen tab is open at the bottom onto the page with a thick
      outline, the others are closed by a line and their words underlined.

    :attr:`spoken` says "selected" or "not selected"."""

    def __init__(
        self, ctx: UiContext, text: str, group: str, *, kid: str = "", mark: str = "left", **kw: Any
    ) -> None:
        if mark not in ("left", "top", "tab"):
            raise ValueError(f"mark must be left, top or tab, not {mark!r}")
        pad = ctx.pad
        radius = round(ctx.font * 0.45) if mark != "tab" else 0
        left = pad * 2 + (2 * radius + pad if mark == "left" else 0)
        top = pad + (2 * radius + pad if mark == "top" else 0)
        super().__init__(
            text=text, group=group, font_size=ctx.font, background_normal="", background_down="",
            halign="center" if mark == "top" else "left", valign="middle", size_hint_y=None,
            height=ctx.target, padding=(left, top, pad * 2, pad), allow_no_selection=False, **kw,
        )  # fmt: skip
        self.ctx = ctx
        self.kid = kid
        self.mark = mark
        self.radius = radius
        self.thin = 1.0
        self.thick = float(max(3, ctx.geometry.mm_to_px(0.6)))
        self.base_side = self.min_side = ctx.target + (top - pad)
        with self.canvas.after:
            self._mark_ink = Color(*ctx.colour("text"))
            self._border = Line(points=[], width=self.thin, joint="miter")
            self._ring = Line(points=[], width=max(1.0, self.thick / 2))
            self._dot = Ellipse(pos=(0, 0), size=(0, 0))
        self.bind(width=self._wrap, texture_size=self._grow, state=self._colour)
        self.bind(pos=self._draw_state, size=self._draw_state, padding=self._draw_state)
        self._wrap()
        self._colour()

    # Chosen on release, not on press (WCAG 2.5.2): a finger that goes down on a choice and
    # slides off before lifting changes nothing; Kivy's ToggleButton changes state on press.
    def _do_press(self) -> None:
        return None

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self and self.collide_point(*touch.pos):
            ToggleButtonBehavior._do_press(self)
        return bool(super().on_touch_up(touch))

    @property
    def chosen(self) -> bool:
        return bool(self.state == "down")

    @property
    def border_width(self) -> float:
        """The outline's width now: thick round (or over) the chosen one, thin elsewhere."""
        return float(self._border.width)

    @property
    def mark_filled(self) -> bool:
        """The radio mark's dot is drawn (the chosen option); tabs have no radio mark."""
        return self._dot.size[0] > 0

    @property
    def spoken(self) -> str:
        return describe_control(self.text, "option", selected=self.chosen, translate=self.ctx.t)

    def _colour(self, *_: Any) -> None:
        ctx, down = self.ctx, self.chosen
        fill = "background" if self.mark == "tab" and down else "surface"
        self.background_color = ctx.colour(fill)
        self.color = ctx.colour("text")
        self._mark_ink.rgba = ctx.colour("text")
        if self.mark == "tab":
            self.underline = not down  # the others read as links to their view
        self._draw_state()

    def mark_centre(self) -> tuple[float, float]:
        """Where the radio mark is drawn: left of the words, or above them."""
        r = self.mark_radius()
        if self.mark == "left":
            return self.x + self.ctx.pad * 2 + r, self.center_y
        return self.center_x, self.top - self.ctx.pad - r

    def mark_radius(self) -> float:
        return float(self.radius)

    def _draw_state(self, *_: Any) -> None:
        down = self.chosen
        width = self.thick if down else self.thin
        self._border.width = width
        x0, y0 = self.x + width, self.y + width
        x1, y1 = self.right - width, self.top - width
        if self.mark == "tab":
            self._border.points = (
                [x0, self.y, x0, y1, x1, y1, x1, self.y] if down
                else [self.x, self.y + width, self.right, self.y + width]
            )  # fmt: skip
            return
        self._border.points = [x0, y0, x0, y1, x1, y1, x1, y0, x0, y0]
        r = self.mark_radius()
        cx, cy = self.mark_centre()
        self._ring.circle = (cx, cy, r)
        dot = r * 0.55 if down else 0
        self._dot.pos = (cx - dot, cy - dot)
        self._dot.size = (2 * dot, 2 * dot)


class KInput(TextInput):
    """A one-line field typed on the on-screen keyboard (``layout``: "text" or "numeric")."""

    def __init__(self, ctx: UiContext, text: str = "", *, kid: str = "", layout: str = "text",
                 **kw: Any) -> None:  # fmt: skip
        pad = ctx.pad
        super().__init__(
            text=text, multiline=False, write_tab=False, font_size=ctx.font,
            background_normal="", background_active="", background_color=ctx.colour("surface"),
            foreground_color=ctx.colour("text"), cursor_color=ctx.colour("text"),
            size_hint_y=None, height=max(ctx.target, ctx.font + 4 * pad), padding=(pad, pad),
            unfocus_on_touch=False, **kw,
        )  # fmt: skip
        self.kid = kid
        self.layout = layout
        self.spoken = ""
        """What audio guidance says when the field is touched (its label)."""
        self.on_activate: Callable[[KInput], None] | None = None
        with self.canvas.after:
            self._ring_colour = Color(*ctx.colour("muted_text"))
            self._ring = Line(rectangle=(*self.pos, *self.size), width=2)
        self._focus_rgba = ctx.colour("focus")
        self._idle_rgba = ctx.colour("muted_text")
        self.bind(pos=self._move_ring, size=self._move_ring, focus=self._show_focus)

    def _move_ring(self, *_: Any) -> None:
        self._ring.rectangle = (*self.pos, *self.size)

    def _show_focus(self, *_: Any) -> None:
        self._ring_colour.rgba = self._focus_rgba if self.focus else self._idle_rgba
        self._ring.width = 3 if self.focus else 2

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos) and self.on_activate is not None:
            self.on_activate(self)
        return bool(super().on_touch_down(touch))

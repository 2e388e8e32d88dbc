"""Things shown over the current screen: the idle warning and the accessibility panel.

Both are modal: a dimmed layer over the whole window catches every touch, and a card holds the
controls — centred normally, at the bottom of the screen in reach mode.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.floatlayout import FloatLayout

from kiosk.ui.accessibility import RATES, TEXT_SIZE_NAMES, THEMES
from screens.context import REACH_TOP, UiContext
from screens.host import ScreenHost
from screens.widgets import Column, KButton, KLabel, KToggle, Row, Scroll, paint

__all__ = ["AccessibilityPanel", "IdleOverlay", "Overlay"]


class Overlay(FloatLayout):
    """A dimmed full-window layer with one card of controls."""

    def __init__(self, ctx: UiContext, kid: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.kid = kid
        with self.canvas.before:
            self._dim_ink = Color(0, 0, 0, 0.6)
            self._dim = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._place, size=self._place)
        self.card = Column(ctx, size_hint=(None, None))
        self.scroll: Scroll | None = None

    def fill(self, widgets: list[Any]) -> None:
        """Put ``widgets`` on the card. Filled again while shown (a setting changed), the card
        stays where the person scrolled it: nothing moves under the finger that changed it."""
        shown = self.parent is not None and self.scroll is not None
        if self.scroll is None:
            self.card = Column(self.ctx)
            self.scroll = Scroll(self.ctx, self.card, size_hint=(None, None))
            self.card.bind(height=self._place)
        if self.scroll.parent is not self:
            self.clear_widgets()
            self.add_widget(self.scroll)
        self.card.clear_widgets()
        self.card.repad(self.ctx.pad * 2)
        self.card.spacing = self.ctx.gap
        self.card.canvas.before.clear()
        paint(self.card, self.ctx.colour("background"), border=self.ctx.colour("focus"))
        self.scroll.bar_color = self.ctx.colour("muted_text")
        for w in widgets:
            self.card.add_widget(w)
        if not shown:
            self.scroll.to_top()
        self._place()

    def clear_widgets(self, *args: Any, **kw: Any) -> None:
        """Off the window, and the card emptied too (it is kept for the next fill)."""
        super().clear_widgets(*args, **kw)
        self.card.clear_widgets()

    def _place(self, *_: Any) -> None:
        self._dim.pos, self._dim.size = self.pos, self.size
        if self.scroll is None:
            return
        width = min(self.width - 2 * self.ctx.pad, max(self.width * 0.7, 600))
        reach = self.ctx.settings.reach_mode
        room = self.height * (REACH_TOP if reach else 0.94)
        height = min(self.card.height, room)
        self.scroll.size = (width, height)
        self.card.width = width
        x = self.x + (self.width - width) / 2
        y = self.y + self.ctx.pad if reach else self.y + (self.height - height) / 2
        self.scroll.pos = (x, y)

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True  # modal: nothing underneath is touched

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


class IdleOverlay(Overlay):
    """ "Do you need more time?" with a countdown and a big "More time" button."""

    def __init__(self, ctx: UiContext, controller: ScreenHost) -> None:
        super().__init__(ctx, "idle-warning")
        self.controller = controller
        self.countdown = KLabel(ctx, "", kid="countdown")

    def build(self, seconds: float) -> None:
        # Opaque, not dimmed: nobody walking up sees the person's answers behind the warning.
        self._dim_ink.rgba = (*self.ctx.colour("background")[:3], 1.0)
        _ = self.ctx.t
        title = KLabel(self.ctx, _("Do you need more time?"), size=self.ctx.heading, bold=True)
        self.countdown = KLabel(self.ctx, "", kid="countdown")
        more = KButton(self.ctx, _("More time"), self.controller.more_time, kid="more-time")
        self.fill([title, self.countdown, more])
        self.update(seconds)

    def update(self, seconds: float) -> None:
        self.countdown.text = self.ctx.t(
            "Your details will be cleared in {seconds} seconds", seconds=max(0, round(seconds))
        )


class AccessibilityPanel(Overlay):
    """Text size, colours, reach mode, audio guidance and volume: for this person only."""

    def __init__(self, ctx: UiContext, controller: ScreenHost) -> None:
        super().__init__(ctx, "accessibility-panel")
        self.controller = controller

    def build(self) -> None:
        ctx, c = self.ctx, self.controller
        s = ctx.settings
        _ = ctx.t
        parts: list[Any] = [
            KLabel(ctx, _("Accessibility"), size=ctx.heading, bold=True),
            KButton(ctx, _("Close"), c.close_accessibility, kid="close-accessibility"),
        ]
        parts.append(KLabel(ctx, _("Text size"), bold=True))
        sizes = Row(ctx)
        for i, name in enumerate(TEXT_SIZE_NAMES):
            toggle = KToggle(ctx, _(name), "text-size", kid=f"text-size:{i}", mark="top",
                             state="down" if s.text_size == i else "normal")  # fmt: skip
            toggle.bind(on_release=lambda *_a, i=i: c.change_setting("set_text_size", i))
            sizes.add_widget(toggle)
        parts += [sizes, KLabel(ctx, _("Theme"), bold=True)]
        themes = Row(ctx)
        for name, theme in THEMES.items():
            toggle = KToggle(ctx, _(theme.label), "theme", kid=f"theme:{name}", mark="top",
                             state="down" if s.theme == name else "normal")  # fmt: skip
            toggle.bind(on_release=lambda *_a, n=name: c.change_setting("set_theme", n))
            themes.add_widget(toggle)
        parts.append(themes)
        parts.append(KLabel(ctx, _("Reach mode") + ": " + _("Moves the buttons lower on the screen"),
                            bold=True))  # fmt: skip
        parts.append(self._on_off("reach", s.reach_mode))
        parts.append(KLabel(ctx, _("Audio guidance") + ". " + _(
            "Plug headphones into the socket below the screen"), bold=True))  # fmt: skip
        parts.append(self._on_off("audio", s.audio))
        volume = KLabel(ctx, f"{_('Volume')}: {s.volume}%", kid="volume")
        parts += [volume, Row(
            ctx,
            KButton(ctx, _("Quieter"), lambda: c.change_setting("quieter"), primary=False,
                    kid="quieter"),
            KButton(ctx, _("Louder"), lambda: c.change_setting("louder"), primary=False,
                    kid="louder"),
        )]  # fmt: skip
        parts += self._speech(ctx, c)
        self.fill(parts)

    def _speech(self, ctx: UiContext, c: ScreenHost) -> list[Any]:
        """Speech speed, and the privacy screen while someone listens (issue 19)."""
        _, s = ctx.t, ctx.settings
        speed = _("Speech speed {n} of {total}", n=RATES.index(s.rate) + 1, total=len(RATES))
        parts: list[Any] = [KLabel(ctx, speed, kid="rate"), Row(
            ctx,
            KButton(ctx, _("Slower"), lambda: c.change_setting("slower"), primary=False,
                    kid="slower"),
            KButton(ctx, _("Faster"), lambda: c.change_setting("faster"), primary=False,
                    kid="faster"),
        )]  # fmt: skip
        if s.audio:
            parts.append(KButton(ctx, _("Hide the screen"), lambda: c.guide.set_privacy(True),
                                 primary=False, kid="privacy:on"))  # fmt: skip
        return parts

    def _on_off(self, name: str, value: bool) -> Row:
        ctx, _ = self.ctx, self.ctx.t
        row = Row(ctx)
        for on, label in ((True, _("On")), (False, _("Off"))):
            toggle = KToggle(ctx, label, name, kid=f"{name}:{'on' if on else 'off'}",
                             mark="top", state="down" if value == on else "normal")  # fmt: skip
            toggle.bind(on_release=lambda *_a, v=on: self.controller.change_setting(name, v))
            row.add_widget(toggle)
        return row

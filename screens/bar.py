"""The bar on every screen: Back, the language switch and the accessibility button.

The language button always names the *other* language in that language ("Cymraeg" on an English
screen, "English" on a Welsh one), so a person who cannot read the current one still finds it.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from screens.context import UiContext
from screens.host import ScreenHost
from screens.widgets import KButton, paint

__all__ = ["Bar"]

NAMES = {"en": "English", "cy": "Cymraeg"}


class Bar(BoxLayout):
    def __init__(self, ctx: UiContext, controller: ScreenHost) -> None:
        super().__init__(orientation="horizontal", size_hint=(1, None), padding=ctx.pad,
                         spacing=ctx.gap)  # fmt: skip
        self.ctx = ctx
        self.controller = controller
        self.kid = "bar"
        c = controller
        # Made once and repainted on every screen: the bar is on every screen, and three new
        # buttons per screen change were a third of the time a touch took to show the next one.
        self.back = KButton(ctx, "", c.go_back, primary=False, kid="back")
        self.lang = KButton(ctx, "", lambda: c.switch_language(self.other), primary=False,
                            kid="language-switch")  # fmt: skip
        self.access = KButton(ctx, "", c.open_accessibility, primary=False, kid="accessibility")
        self.other = ""
        for button in (self.back, self.lang, self.access):
            self.add_widget(button)
            button.bind(height=self._fit)
        self.build()

    def build(self) -> None:
        """Words, sizes, colours and what is enabled, for the screen and settings now."""
        ctx, c = self.ctx, self.controller
        _ = ctx.t
        self.canvas.before.clear()
        paint(self, ctx.colour("surface"))
        self.other = c.other_language()
        for button, text in ((self.back, _("Back")), (self.lang, NAMES.get(self.other, self.other)),
                             (self.access, _("Accessibility"))):  # fmt: skip
            button.restyle()
            button.text = text
        self.back.disabled = not c.can_go_back()
        self.lang.disabled = not c.can_switch_language()
        self.padding, self.spacing = ctx.pad, ctx.gap
        self._fit()

    def _fit(self, *_: object) -> None:
        self.height = max(b.height for b in self.children) + 2 * self.ctx.pad

"""The bar on every screen: Back, the language switch and the accessibility button.

The language button always names the *other* language in that language ("Cymraeg" on an English
screen, "English" on a Welsh one), so a person who cannot read the current one still finds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout

from screens.context import UiContext
from screens.widgets import KButton, paint

if TYPE_CHECKING:
    from screens.controller import Controller

__all__ = ["Bar"]

NAMES = {"en": "English", "cy": "Cymraeg"}


class Bar(BoxLayout):
    def __init__(self, ctx: UiContext, controller: Controller) -> None:
        super().__init__(orientation="horizontal", size_hint=(1, None), padding=ctx.pad,
                         spacing=ctx.gap)  # fmt: skip
        self.ctx = ctx
        self.controller = controller
        self.kid = "bar"
        self.build()

    def build(self) -> None:
        ctx, c = self.ctx, self.controller
        _ = ctx.t
        self.clear_widgets()
        self.canvas.before.clear()
        paint(self, ctx.colour("surface"))
        back = KButton(ctx, _("Back"), c.go_back, primary=False, kid="back")
        back.disabled = not c.can_go_back()
        other = c.other_language()
        lang = KButton(ctx, NAMES.get(other, other), lambda: c.switch_language(other),
                       primary=False, kid="language-switch")  # fmt: skip
        lang.disabled = not c.can_switch_language()
        access = KButton(ctx, _("Accessibility"), c.open_accessibility, primary=False,
                         kid="accessibility")  # fmt: skip
        for button in (back, lang, access):
            self.add_widget(button)
        self.height = max(b.height for b in self.children) + 2 * ctx.pad
        for button in self.children:
            button.bind(height=self._fit)

    def _fit(self, *_: object) -> None:
        self.height = max(b.height for b in self.children) + 2 * self.ctx.pad

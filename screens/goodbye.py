"""Goodbye: thanks, and the promise kept — the person's details are already cleared."""

from __future__ import annotations

from typing import Any

from screens.base import KioskScreen
from screens.widgets import KButton, KLabel

__all__ = ["GoodbyeScreen"]


class GoodbyeScreen(KioskScreen):
    state_name = "goodbye"

    def build(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        return [
            self.title(_("Thank you")),
            KLabel(ctx, _("Your details have been cleared"), kid="cleared"),
            KButton(ctx, _("Finish"), self.controller.finish, kid="finish"),
        ]

"""Not eligible: the catalogue outcome the answers led to (``[[outcomes]]``), in the catalogue's own
words — the same title and body the web shows — with Back to the deciding question and Finish.
Nothing was sent, so there is nothing to print or carry on elsewhere."""

from __future__ import annotations

from typing import Any

from screens.base import KioskScreen
from screens.widgets import KButton, KLabel

__all__ = ["NotEligibleScreen"]


class NotEligibleScreen(KioskScreen):
    state_name = "not_eligible"

    def build(self) -> list[Any]:
        ctx, ending = self.ctx, self.session.ending
        _ = ctx.t
        if ending is None:
            return []
        body = [
            KLabel(ctx, line.strip(), kid=f"body-{i}")
            for i, line in enumerate(ending.body.get(ctx.lang).splitlines())
            if line.strip()
        ]
        return [
            self.title(ending.title.get(ctx.lang)),
            *body,
            KButton(ctx, _("Change"), self.go_back, primary=False, kid="change-answer"),
            KButton(ctx, _("Finish"), self.session.end, kid="finish"),
        ]

    def can_go_back(self) -> bool:
        return True

    def go_back(self, *_: Any) -> None:
        self.session.back()

"""Choose a language: each button names its language in that language."""

from __future__ import annotations

from typing import Any

from screens.base import KioskScreen
from screens.widgets import KButton, KLabel

__all__ = ["LanguageScreen"]

NAMES = {"en": "English", "cy": "Cymraeg"}


class LanguageScreen(KioskScreen):
    state_name = "language"

    def build(self) -> list[Any]:
        tr, ctx = self.ctx.translator, self.ctx
        heading = " / ".join(tr.gettext(lang, "Choose a language") for lang in ("en", "cy"))
        parts: list[Any] = [self.title(heading)]
        for lang in self.controller.languages:
            parts.append(KButton(ctx, NAMES.get(lang, lang),
                                 lambda lang=lang: self.controller.choose_language(lang),
                                 kid=f"language:{lang}"))  # fmt: skip
        parts.append(KLabel(ctx, ""))
        return parts

    def can_go_back(self) -> bool:
        return True

    def go_back(self) -> None:
        self.controller.session.wipe("requested")

"""What every widget needs to draw itself for the person at the kiosk right now.

One :class:`UiContext` per app: the translator, the person's accessibility settings, the screen's
physical geometry and the speaker, plus the language the screens are shown in. Widgets read sizes
and colours from here when they are built; a change of language or setting rebuilds the screen
(:meth:`screens.controller.Controller.refresh`), so nothing has to observe anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.ui.accessibility import AccessibilitySettings, Colour, Theme
from kiosk.ui.i18n import Translator
from kiosk.ui.sizing import ScreenGeometry

__all__ = ["UiContext"]

REACH_TOP = 0.62
"""In reach mode no control sits above this fraction of the screen height (ADA reach range for a
floor-standing kiosk whose panel top is at about 1.5 m)."""


@dataclass
class UiContext:
    translator: Translator
    geometry: ScreenGeometry
    settings: AccessibilitySettings = field(default_factory=AccessibilitySettings)
    speaker: object | None = None
    lang: str = "en"
    default_lang: str = "en"

    # ---- words --------------------------------------------------------------------------------
    def t(self, msgid: str, **values: object) -> str:
        """``msgid`` in the current language, with ``{name}`` placeholders filled in."""
        text = self.translator.gettext(self.lang, msgid)
        return text.format(**values) if values else text

    # ---- sizes --------------------------------------------------------------------------------
    @property
    def font(self) -> int:
        """Body text in px: at least 4.8 mm capitals, times the person's text size."""
        return self.geometry.font_px(self.settings.font_scale)

    @property
    def heading(self) -> int:
        return round(self.font * 1.4)

    @property
    def small(self) -> int:
        """Secondary text: never below the minimum character height."""
        return self.geometry.font_px(1.0)

    @property
    def target(self) -> int:
        """Smallest side of any control: ≥ 9 mm and tall enough for its text."""
        return self.geometry.target_px(self.settings.font_scale)

    @property
    def pad(self) -> int:
        return max(6, self.geometry.mm_to_px(2.5))

    @property
    def gap(self) -> int:
        """Space between two controls, so a finger does not hit the neighbour."""
        return max(6, self.geometry.mm_to_px(3))

    # ---- colours ------------------------------------------------------------------------------
    @property
    def theme(self) -> Theme:
        return self.settings.colours

    def colour(self, name: str) -> Colour:
        return getattr(self.theme, name)

    # ---- one person leaves -------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the defaults for the next person: settings, language, speech."""
        self.settings.reset()
        self.lang = self.default_lang
        if self.speaker is not None:
            reset = getattr(self.speaker, "reset", None)
            if callable(reset):
                reset()

    def say(self, text: str) -> None:
        """Speak ``text`` when the person turned audio guidance on."""
        if self.speaker is None or not self.settings.audio or not text:
            return
        say = getattr(self.speaker, "say", None)
        if callable(say):
            say(text, self.lang)

    def hush(self) -> None:
        if self.speaker is not None:
            stop = getattr(self.speaker, "stop", None)
            if callable(stop):
                stop()

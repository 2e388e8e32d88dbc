"""What a citizen can change about the screen: text size, colours, reach mode, speech, volume, rate.

Everything here is plain data so the Kivy screens, the tests and the session wipe share it.
Settings belong to one person: :meth:`AccessibilitySettings.reset` puts every one of them back,
and the session calls it on wipe (Revised 508 402.3.1: volume resets after each user).

Colours are RGBA tuples of floats 0..1 (Kivy's convention). :func:`contrast_ratio` is the WCAG 2.x
formula, used by the tests to hold every theme to its promise: standard text ≥ 4.5:1 (AA),
high-contrast text ≥ 7:1 (AAA), the focus indicator ≥ 3:1 against the background (non-text).

Volume is a percentage that :mod:`kiosk.ui.speech` gives espeak-ng as its amplitude, stepped through
:data:`VOLUME_LEVELS`: the lowest (10) and the next one up (40) are 14 dB apart, the lowest and the
highest (100) 22 dB (measured on rendered WAV files by the tests), so the kiosk meets EN 301 549
8.2.1 (a range of at least 18 dB, one step at least 12 dB above the lowest). 100 is the top because
espeak-ng clips its samples above amplitude 100 and clipped speech is harder to follow.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

__all__ = [
    "DEFAULT_THEME",
    "DEFAULT_VOLUME",
    "MAX_VOLUME",
    "MIN_VOLUME",
    "RATES",
    "DEFAULT_RATE",
    "VOLUME_LEVELS",
    "TEXT_SIZES",
    "TEXT_SIZE_NAMES",
    "THEMES",
    "VOLUME_STEP",
    "AccessibilitySettings",
    "Colour",
    "Theme",
    "contrast_ratio",
    "hex_colour",
    "relative_luminance",
]

Colour = tuple[float, float, float, float]

TEXT_SIZES: tuple[float, ...] = (1.0, 1.25, 1.5, 2.0)
"""Font scale factors the citizen can pick, smallest first (index 0 is the default)."""
TEXT_SIZE_NAMES: tuple[str, ...] = ("Standard", "Large", "Larger", "Largest")
"""Names of :data:`TEXT_SIZES` as msgids (translate with ``kiosk.ui.i18n``)."""

MAX_VOLUME = 100
DEFAULT_VOLUME = 60
"""Percent. A moderate level: loud enough in a waiting room, not startling in headphones."""
VOLUME_STEP = 10
MIN_VOLUME = 10
"""The quietest setting: still audible (a volume of 0 would switch speech off by stealth)."""
VOLUME_LEVELS: tuple[int, ...] = (MIN_VOLUME, 40, 50, 60, 70, 80, 90, MAX_VOLUME)
"""What "Quieter" and "Louder" step through: 14 dB from the lowest to the next, then ~1.5 dB."""
RATES: tuple[int, ...] = (120, 140, 160, 185, 210)
"""Speech rates in words per minute that "Slower" and "Faster" step through."""
DEFAULT_RATE = 160
DEFAULT_THEME = "standard"


def hex_colour(value: str, alpha: float = 1.0) -> Colour:
    """``"#1d70b8"`` → (0.114, 0.439, 0.722, 1.0)."""
    text = value.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"expected #rrggbb, got {value!r}")
    r, g, b = (int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def relative_luminance(colour: Colour) -> float:
    """WCAG 2.x relative luminance of an opaque sRGB colour (alpha is ignored)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Colour, b: Colour) -> float:
    """WCAG 2.x contrast ratio, 1.0 (same) to 21.0 (black on white); order does not matter."""
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Theme:
    """One colour scheme. ``label`` is a msgid; ``high_contrast`` promises 7:1 for every text pair."""

    label: str
    background: Colour
    surface: Colour
    text: Colour
    muted_text: Colour
    primary: Colour
    on_primary: Colour
    focus: Colour
    error: Colour
    high_contrast: bool = False

    def text_pairs(self) -> dict[str, tuple[Colour, Colour]]:
        """Every (foreground, background) pair the screens draw text with, by name."""
        return {
            "text/background": (self.text, self.background),
            "text/surface": (self.text, self.surface),
            "muted_text/background": (self.muted_text, self.background),
            "muted_text/surface": (self.muted_text, self.surface),
            "primary/background": (self.primary, self.background),
            "on_primary/primary": (self.on_primary, self.primary),
            "error/background": (self.error, self.background),
            "error/surface": (self.error, self.surface),
        }


THEMES: dict[str, Theme] = {
    # GOV.UK Design System palette: black text on white, blue buttons, a dark focus ring (the
    # yellow GOV.UK focus colour alone is only 1.4:1 on white, so the ring here is dark blue-black).
    "standard": Theme(
        label="Standard",
        background=hex_colour("#ffffff"),
        surface=hex_colour("#f3f2f1"),
        text=hex_colour("#0b0c0c"),
        muted_text=hex_colour("#505a5f"),
        primary=hex_colour("#1d70b8"),
        on_primary=hex_colour("#ffffff"),
        focus=hex_colour("#0b0c0c"),
        error=hex_colour("#b52a16"),
    ),
    "high-contrast-dark": Theme(
        label="High contrast (dark)",
        background=hex_colour("#000000"),
        surface=hex_colour("#121212"),
        text=hex_colour("#ffffff"),
        muted_text=hex_colour("#d9d9d9"),
        primary=hex_colour("#ffff00"),
        on_primary=hex_colour("#000000"),
        focus=hex_colour("#00ffff"),
        error=hex_colour("#ff9a9a"),
        high_contrast=True,
    ),
    "high-contrast-light": Theme(
        label="High contrast (light)",
        background=hex_colour("#ffffff"),
        surface=hex_colour("#ffffff"),
        text=hex_colour("#000000"),
        muted_text=hex_colour("#262626"),
        primary=hex_colour("#00005c"),
        on_primary=hex_colour("#ffffff"),
        focus=hex_colour("#b30000"),
        error=hex_colour("#8b0000"),
        high_contrast=True,
    ),
}


@dataclass
class AccessibilitySettings:
    """One citizen's choices. Mutable; the screens observe it and redraw on change."""

    DEFAULT_VOLUME: ClassVar[int] = DEFAULT_VOLUME
    text_size: int = 0
    """Index into :data:`TEXT_SIZES`."""
    theme: str = DEFAULT_THEME
    reach_mode: bool = False
    """Controls gathered in the lower part of the screen (for wheelchair users and short people)."""
    audio: bool = False
    """Speech guidance on (headphones or speaker)."""
    volume: int = DEFAULT_VOLUME
    rate: int = DEFAULT_RATE
    """Words per minute of speech (one of :data:`RATES`)."""

    def __post_init__(self) -> None:
        self._check()

    def _check(self) -> None:
        if not 0 <= self.text_size < len(TEXT_SIZES):
            raise ValueError(f"text_size must be 0..{len(TEXT_SIZES) - 1}, got {self.text_size}")
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r}; expected one of {sorted(THEMES)}")
        if not 0 <= self.volume <= MAX_VOLUME:
            raise ValueError(f"volume must be 0..{MAX_VOLUME}, got {self.volume}")
        if self.rate not in RATES:
            raise ValueError(f"rate must be one of {RATES}, got {self.rate}")

    @property
    def font_scale(self) -> float:
        return TEXT_SIZES[self.text_size]

    @property
    def text_size_name(self) -> str:
        return TEXT_SIZE_NAMES[self.text_size]

    @property
    def colours(self) -> Theme:
        return THEMES[self.theme]

    @property
    def is_default(self) -> bool:
        return self == AccessibilitySettings()

    def set_text_size(self, index: int) -> None:
        self.text_size = max(0, min(len(TEXT_SIZES) - 1, index))

    def larger_text(self) -> None:
        self.set_text_size(self.text_size + 1)

    def smaller_text(self) -> None:
        self.set_text_size(self.text_size - 1)

    def set_theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}; expected one of {sorted(THEMES)}")
        self.theme = name

    def set_volume(self, volume: int) -> None:
        self.volume = max(MIN_VOLUME, min(MAX_VOLUME, int(volume)))

    def louder(self) -> None:
        self.set_volume(next((v for v in VOLUME_LEVELS if v > self.volume), MAX_VOLUME))

    def quieter(self) -> None:
        lower = [v for v in VOLUME_LEVELS if v < self.volume]
        self.set_volume(lower[-1] if lower else MIN_VOLUME)

    def faster(self) -> None:
        self.rate = next((r for r in RATES if r > self.rate), RATES[-1])

    def slower(self) -> None:
        lower = [r for r in RATES if r < self.rate]
        self.rate = lower[-1] if lower else RATES[0]

    def reset(self) -> None:
        """Back to the defaults, for the next person (called on every session wipe)."""
        default = AccessibilitySettings()
        for f in fields(self):
            setattr(self, f.name, getattr(default, f.name))

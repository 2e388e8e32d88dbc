"""Millimetres to pixels for this kiosk's panel, so targets and letters have a physical minimum.

The accessibility rules are physical: touch targets at least 9 mm, characters at least 4.8 mm high
(ADA 707.7.1; also a capital H subtending ≥ 0.7° at the viewing distance, EN 301 549 5.1.4). Kivy's
``dp`` guesses density from the OS; a kiosk knows its panel from ``[screen]`` in kiosk.toml
(:class:`kiosk.config.ScreenConfig`), so sizes come from here instead.

The app runs full-screen, so the window is taken to cover the whole panel: a window smaller than
the configured resolution (a developer's preview, Xvfb at 1280×720) gets the same layout scaled
down, which is what a preview should show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kiosk.config import ScreenConfig

__all__ = [
    "CAP_HEIGHT_EM",
    "MIN_CHAR_DEGREES",
    "MIN_CHAR_MM",
    "MIN_TARGET_MM",
    "REACH_MAX_MM",
    "REACH_MIN_MM",
    "ScreenGeometry",
    "char_height_for_distance_mm",
    "reach_band",
]

MIN_TARGET_MM = 9
"""Smallest touch target side (EN 301 549 / reference sheet)."""
MIN_CHAR_MM = 4.8
"""Smallest character (capital letter) height, ADA 707.7.1."""
MIN_CHAR_DEGREES = 0.7
"""A capital H must subtend at least this angle at the viewing distance (EN 301 549 5.1.4)."""
REACH_MIN_MM, REACH_MAX_MM = 380.0, 1220.0
"""Unobstructed forward/side reach above the floor: 15–48 in (ADA 308; EN 301 549 8.3.3.1)."""
CAP_HEIGHT_EM = 0.711
"""Capital height of Roboto (Kivy's default font) as a fraction of the font size (1456/2048 units).
DejaVu Sans is 0.729, so sizing for Roboto is the safe side for both."""


def char_height_for_distance_mm(distance_mm: float) -> float:
    """Capital height that subtends :data:`MIN_CHAR_DEGREES` at ``distance_mm`` from the eye."""
    return 2 * distance_mm * math.tan(math.radians(MIN_CHAR_DEGREES / 2))


def reach_band(screen: ScreenConfig, bottom_edge_mm: float) -> tuple[float, float]:
    """The part of the panel within reach, as fractions of its height from the bottom (Kivy's y).

    ``bottom_edge_mm`` is the height of the panel's lowest visible pixel above the floor. Reach
    mode puts every control between the two fractions; (0.0, 0.0) means none of the panel is in
    reach (mounted too high: a hardware problem no layout can fix).
    """
    height_mm = screen.resolution[1] / screen.px_per_mm
    low = (REACH_MIN_MM - bottom_edge_mm) / height_mm
    high = (REACH_MAX_MM - bottom_edge_mm) / height_mm
    low, high = max(0.0, min(1.0, low)), max(0.0, min(1.0, high))
    return (low, high) if high > low else (0.0, 0.0)


@dataclass(frozen=True)
class ScreenGeometry:
    """The pixel density the app draws at, and the minimum sizes in pixels that follow from it."""

    px_per_mm: float
    viewing_distance_mm: float | None = None

    def __post_init__(self) -> None:
        if not self.px_per_mm > 0:
            raise ValueError(f"px_per_mm must be positive, got {self.px_per_mm}")

    @classmethod
    def from_config(
        cls,
        screen_config: ScreenConfig,
        window_size: tuple[int, int] | None = None,
        viewing_distance_mm: float | None = None,
    ) -> ScreenGeometry:
        """Density for a window of ``window_size`` pixels covering the configured panel.

        With no window size (or the configured resolution) this is the panel's own density. When
        the window's aspect differs, the smaller of the two scales is used so nothing overflows.
        """
        density = screen_config.px_per_mm
        if window_size is not None:
            w, h = window_size
            if w <= 0 or h <= 0:
                raise ValueError(f"window size must be positive, got {window_size}")
            cw, ch = screen_config.resolution
            density *= min(w / cw, h / ch)
        return cls(px_per_mm=density, viewing_distance_mm=viewing_distance_mm)

    def mm_to_px(self, mm: float) -> int:
        """Whole pixels covering at least ``mm`` millimetres (rounded up: 9 mm is never 8.9 mm)."""
        # The small tolerance stops 9 mm × 3.5714… px/mm = 32.0000001 from becoming 33.
        return math.ceil(mm * self.px_per_mm - 1e-9)

    def px_to_mm(self, px: float) -> float:
        return px / self.px_per_mm

    @property
    def min_target_px(self) -> int:
        """Side of the smallest allowed touch target."""
        return self.mm_to_px(MIN_TARGET_MM)

    @property
    def min_char_mm(self) -> float:
        """4.8 mm, or more when the viewing distance makes 0.7° larger than that."""
        if self.viewing_distance_mm is None:
            return MIN_CHAR_MM
        return max(MIN_CHAR_MM, char_height_for_distance_mm(self.viewing_distance_mm))

    @property
    def min_font_px(self) -> int:
        """Smallest font size (Kivy ``font_size``, i.e. em in px) whose capitals are tall enough."""
        cap_px = self.min_char_mm * self.px_per_mm
        return math.ceil(cap_px / CAP_HEIGHT_EM - 1e-9)

    def font_px(self, scale: float = 1.0) -> int:
        """Body text size for a citizen's text-size choice (``AccessibilitySettings.font_scale``)."""
        if scale < 1.0:
            raise ValueError("text is never smaller than the minimum (scale must be ≥ 1.0)")
        return math.ceil(self.min_font_px * scale - 1e-9)

    def target_px(self, scale: float = 1.0) -> int:
        """Touch target side that grows with the text so labels still fit, never below 9 mm."""
        return max(self.min_target_px, math.ceil(self.font_px(scale) * 1.8))

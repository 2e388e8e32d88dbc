"""Touch targets and letters have their physical minimum on the shipped panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ScreenConfig, load_kiosk_config
from kiosk.ui.sizing import (
    CAP_HEIGHT_EM,
    MIN_CHAR_MM,
    MIN_TARGET_MM,
    REACH_MAX_MM,
    REACH_MIN_MM,
    ScreenGeometry,
    char_height_for_distance_mm,
    reach_band,
)

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def shipped() -> ScreenConfig:
    return load_kiosk_config(REPO / "config" / "kiosk.toml").screen


def test_shipped_panel_density(shipped):
    # 21.5" 16:9 full HD: 476 mm wide (data sheets: 476.6, pitch 0.248 mm) → 4.03 px/mm
    geometry = ScreenGeometry.from_config(shipped, (1920, 1080))
    assert shipped.physical_width_mm == pytest.approx(476.0, abs=0.1)
    assert geometry.px_per_mm == pytest.approx(4.03, abs=0.01)
    assert geometry.mm_to_px(10) == 41


def test_minimum_target_is_at_least_nine_millimetres(shipped):
    geometry = ScreenGeometry.from_config(shipped, (1920, 1080))
    assert MIN_TARGET_MM == 9
    assert geometry.min_target_px == 37
    assert geometry.px_to_mm(geometry.min_target_px) >= 9
    assert geometry.px_to_mm(geometry.min_target_px - 1) < 9


def test_minimum_font_gives_capitals_of_4_8_mm(shipped):
    geometry = ScreenGeometry.from_config(shipped, (1920, 1080))
    cap_mm = geometry.px_to_mm(geometry.min_font_px * CAP_HEIGHT_EM)
    assert cap_mm >= MIN_CHAR_MM
    assert geometry.px_to_mm((geometry.min_font_px - 1) * CAP_HEIGHT_EM) < MIN_CHAR_MM
    assert geometry.min_font_px == 28


def test_viewing_distance_can_raise_the_minimum(shipped):
    # 0.7° at 600 mm is 7.3 mm: larger than the 4.8 mm floor
    assert char_height_for_distance_mm(600) == pytest.approx(7.33, abs=0.01)
    near = ScreenGeometry.from_config(shipped, viewing_distance_mm=300)
    far = ScreenGeometry.from_config(shipped, viewing_distance_mm=600)
    assert near.min_char_mm == MIN_CHAR_MM  # 3.7 mm at 300 mm: the 4.8 mm floor wins
    assert far.min_char_mm == pytest.approx(7.33, abs=0.01)
    assert far.min_font_px > near.min_font_px


def test_text_size_choice_scales_fonts_and_targets(shipped):
    geometry = ScreenGeometry.from_config(shipped)
    assert geometry.font_px(2.0) >= 2 * geometry.min_font_px - 1
    assert geometry.target_px(2.0) > geometry.target_px(1.0) >= geometry.min_target_px
    with pytest.raises(ValueError, match="never smaller"):
        geometry.font_px(0.8)


def test_a_smaller_window_scales_the_layout_down(shipped):
    full = ScreenGeometry.from_config(shipped, (1920, 1080))
    half = ScreenGeometry.from_config(shipped, (960, 540))
    assert half.px_per_mm == pytest.approx(full.px_per_mm / 2)
    # a window of another aspect takes the smaller scale, so nothing overflows
    odd = ScreenGeometry.from_config(shipped, (1920, 540))
    assert odd.px_per_mm == pytest.approx(full.px_per_mm / 2)


def test_width_mm_overrides_the_diagonal():
    screen = ScreenConfig(resolution=(1280, 1024), diagonal_in=None, width_mm=376.0)
    geometry = ScreenGeometry.from_config(screen)
    assert geometry.px_per_mm == pytest.approx(1280 / 376.0)
    assert geometry.min_target_px == 31  # 9 × 3.404 = 30.6 → rounded up


@pytest.mark.parametrize("size", [(0, 1080), (1920, -1)])
def test_bad_window_sizes_are_refused(shipped, size):
    with pytest.raises(ValueError):
        ScreenGeometry.from_config(shipped, size)


def test_reach_band_of_a_floor_standing_kiosk(shipped):
    height_mm = 1080 / shipped.px_per_mm  # 267.7 mm
    low, high = reach_band(shipped, bottom_edge_mm=1000)
    assert low == 0.0
    assert high == pytest.approx((1220 - 1000) / height_mm)  # top 18 % is out of reach
    assert 0.8 < high < 0.83
    assert reach_band(shipped, bottom_edge_mm=900) == (0.0, 1.0)  # all within 1220 mm
    low, high = reach_band(shipped, bottom_edge_mm=200)  # a low panel: its bottom is too low
    assert low == pytest.approx((380 - 200) / height_mm) and high == 1.0
    assert reach_band(shipped, bottom_edge_mm=1300) == (0.0, 0.0)
    assert (REACH_MIN_MM, REACH_MAX_MM) == (380, 1220)

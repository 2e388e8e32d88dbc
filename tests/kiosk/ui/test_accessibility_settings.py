"""Every theme keeps its contrast promise; settings reset completely for the next person."""

from __future__ import annotations

import pytest

from kiosk.ui.accessibility import (
    DEFAULT_VOLUME,
    MAX_VOLUME,
    MIN_VOLUME,
    TEXT_SIZE_NAMES,
    TEXT_SIZES,
    THEMES,
    AccessibilitySettings,
    contrast_ratio,
    hex_colour,
)
from kiosk.ui.i18n import load_translator


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the classic "grey that just fails AA"
        ("#767676", "#ffffff", 4.54),
        ("#1d70b8", "#ffffff", 5.17),
    ],
)
def test_contrast_ratio_matches_known_wcag_values(a, b, ratio):
    assert contrast_ratio(hex_colour(a), hex_colour(b)) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(hex_colour(b), hex_colour(a)) == pytest.approx(ratio, abs=0.01)


def test_hex_colour_rejects_short_forms():
    with pytest.raises(ValueError, match="#rrggbb"):
        hex_colour("#fff")


def test_there_is_a_standard_theme_and_two_high_contrast_ones():
    assert "standard" in THEMES
    assert THEMES["high-contrast-dark"].high_contrast
    assert THEMES["high-contrast-light"].high_contrast
    assert sum(t.high_contrast for t in THEMES.values()) >= 2


@pytest.mark.parametrize("name", sorted(THEMES))
def test_text_pairs_meet_aa_and_high_contrast_meets_aaa(name):
    theme = THEMES[name]
    need = 7.0 if theme.high_contrast else 4.5
    low = {
        pair: round(contrast_ratio(fg, bg), 2)
        for pair, (fg, bg) in theme.text_pairs().items()
        if contrast_ratio(fg, bg) < need
    }
    assert low == {}, f"{name}: below {need}:1"


@pytest.mark.parametrize("name", sorted(THEMES))
def test_focus_indicator_stands_out_from_background_and_surface(name):
    theme = THEMES[name]
    assert contrast_ratio(theme.focus, theme.background) >= 3.0
    assert contrast_ratio(theme.focus, theme.surface) >= 3.0


@pytest.mark.parametrize("name", sorted(THEMES))
def test_colours_are_opaque_rgba_in_unit_range(name):
    theme = THEMES[name]
    for pair in theme.text_pairs().values():
        for colour in pair:
            assert len(colour) == 4 and colour[3] == 1.0
            assert all(0.0 <= c <= 1.0 for c in colour)


def test_theme_and_text_size_labels_are_translated():
    t = load_translator()
    welsh = {e.msgid for e in t.entries("cy")}
    labels = [theme.label for theme in THEMES.values()] + list(TEXT_SIZE_NAMES)
    assert [label for label in labels if label not in welsh] == []


def test_four_text_sizes_growing_from_one():
    assert len(TEXT_SIZES) == len(TEXT_SIZE_NAMES) == 4
    assert TEXT_SIZES[0] == 1.0
    assert list(TEXT_SIZES) == sorted(set(TEXT_SIZES))


def test_settings_change_within_bounds():
    s = AccessibilitySettings()
    assert s.font_scale == 1.0 and s.volume == DEFAULT_VOLUME == s.DEFAULT_VOLUME and s.is_default
    for _ in range(10):
        s.larger_text()
        s.louder()
    assert s.font_scale == TEXT_SIZES[-1] and s.text_size_name == "Largest"
    assert s.volume == MAX_VOLUME
    for _ in range(20):
        s.quieter()
        s.smaller_text()
    assert s.volume == MIN_VOLUME and s.font_scale == 1.0
    s.set_theme("high-contrast-dark")
    assert s.colours is THEMES["high-contrast-dark"]
    with pytest.raises(ValueError, match="unknown theme"):
        s.set_theme("neon")


def test_reset_restores_every_default_for_the_next_person():
    s = AccessibilitySettings(
        text_size=3, theme="high-contrast-light", reach_mode=True, audio=True, volume=95
    )
    assert not s.is_default
    s.reset()
    assert s == AccessibilitySettings()
    assert s.volume == DEFAULT_VOLUME and s.theme == "standard" and not s.reach_mode
    assert not s.audio and s.font_scale == 1.0


@pytest.mark.parametrize(
    "kwargs", [{"text_size": 4}, {"text_size": -1}, {"theme": "x"}, {"volume": 101}]
)
def test_invalid_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        AccessibilitySettings(**kwargs)

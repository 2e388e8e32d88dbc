"""Preferences that travel (kiosk.ui.preferences): the person's language and every accessibility
setting become one small object and come back from it; a setting added to the dataclass later
travels too; what came from elsewhere and is wrong is skipped setting by setting, never raised."""

from __future__ import annotations

from dataclasses import dataclass, fields

from kiosk.ui.accessibility import AccessibilitySettings
from kiosk.ui.preferences import carried, restore

LANGS = ("en", "cy")


def chosen() -> AccessibilitySettings:
    s = AccessibilitySettings()
    s.set_text_size(2)
    s.set_theme("high-contrast-dark")
    s.reach_mode = True
    s.audio = True
    s.set_volume(80)
    return s


def test_every_setting_and_the_language_travel_and_come_back() -> None:
    out = carried(chosen(), "cy")
    assert out["language"] == "cy"
    assert set(out) == {"language"} | {f.name for f in fields(AccessibilitySettings)}
    back = AccessibilitySettings()
    assert restore(back, out, LANGS) == "cy"
    assert back == chosen()


def test_a_setting_added_later_travels_with_no_change_here() -> None:
    @dataclass
    class WithRate(AccessibilitySettings):
        speech_rate: int = 175

    mine = WithRate(text_size=1, speech_rate=220)
    out = carried(mine, None)
    assert out["speech_rate"] == 220 and "language" not in out
    back = WithRate()
    assert restore(back, out, LANGS) is None
    assert (back.speech_rate, back.text_size) == (220, 1)


def test_wrong_values_are_skipped_one_by_one_and_the_rest_apply() -> None:
    back = chosen()  # the last person's settings must not survive a restore
    data = {
        "language": "fr",
        "text_size": 9,
        "theme": "high-contrast-light",
        "reach_mode": "yes",
        "audio": 1,
        "volume": 30,
        "colour": "pink",
    }
    assert restore(back, data, LANGS) is None
    assert back.text_size == 0 and back.reach_mode is False and back.audio is False
    assert (back.theme, back.volume) == ("high-contrast-light", 30)


def test_nothing_usable_gives_the_defaults() -> None:
    for junk in (None, [], "cy", {"text_size": True}):
        back = chosen()
        assert restore(back, junk, LANGS) is None
        assert back.is_default

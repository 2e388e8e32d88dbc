"""Every text size × theme renders with no clipped text; controls ≥ 9 mm; reach mode puts every
control low; the keyboard never covers the field; audio guidance speaks; all reset after a wipe."""

from __future__ import annotations

import pytest
from a11y import clipped_labels, out_of_reach, small_targets
from journeys import step_answers

THEMES = ("standard", "high-contrast-dark", "high-contrast-light")


def tour(ui):
    """Visit every screen (and sub-view) once; yields a name on each. Settings must survive, so
    the tour never returns to the attract screen (which resets them for the next person)."""
    d, s = ui.d, ui.session
    yield "attract"
    d.tap(d.shell.manager)
    yield "language"
    d.tap("language:en")
    yield "life-events"
    d.tap("event:moving-home")
    yield "event-services"
    d.tap("view:a-z")
    yield "a-z"
    d.tap("service:change-of-address")
    yield "start-page"
    d.tap("start-now")
    d.tap("continue")
    yield "step-errors"
    d.tap("field:date_of_birth:year")
    yield "step-keyboard"
    d.c_hide = ui.c.hide_keyboard()
    for values in step_answers(ui.today)[:3]:
        assert s.answer(values) == {}
    d.pump(2)
    yield "step-choice"
    assert s.answer(step_answers(ui.today)[3]) == {}
    d.pump(2)
    yield "check-answers"
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", what="outcome")
    yield "outcome"
    d.tap("outcome:phone")
    d.wait_until(lambda: d.has("qr"), what="qr")
    yield "phone"
    ui.backend.phone_state = "claimed"
    d.wait_until(lambda: d.has("phone:confirm"), what="claim")
    yield "phone-claimed"
    d.tap("phone:confirm")
    yield "feedback"
    d.tap("accessibility")
    yield "accessibility-panel"
    d.tap("close-accessibility")
    ui.clock.advance(ui.config.idle.warning_after_s)
    ui.c.tick()
    d.pump(2)
    yield "idle-warning"
    d.tap("more-time")
    d.tap("feedback:skip")
    yield "goodbye"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", [0, 1, 2, 3])
def test_every_text_size_and_theme_fits(ui, artifacts, size, theme):
    from screens.widgets import walk

    ui.c.change_setting("set_text_size", size)
    ui.c.change_setting("set_theme", theme)
    minimum = ui.c.ctx.geometry.min_target_px
    problems = []
    for name in tour(ui):
        ui.d.pump(2)
        assert ui.c.ctx.settings.text_size == size and ui.c.ctx.settings.theme == theme
        problems += [f"{name}: {p}" for p in clipped_labels(ui.d.shell, walk)]
        problems += [f"{name}: {p}" for p in small_targets(ui.d.shell, walk, minimum)]
        if name in ("step-errors", "check-answers", "outcome", "accessibility-panel"):
            ui.d.screenshot(artifacts / f"{name}.png")
    assert problems == []


def test_reach_mode_moves_every_control_into_the_lower_part(ui, artifacts):
    from screens.context import REACH_TOP
    from screens.widgets import walk

    d = ui.d
    d.tap("accessibility")
    d.tap("reach:on")
    limit = d.shell.height * REACH_TOP
    assert out_of_reach(d.shell, walk, limit) == []
    d.screenshot(artifacts / "panel-reach.png")
    d.tap("close-accessibility")
    problems = []
    for name in tour(ui):
        if name == "attract":
            continue
        assert ui.c.ctx.settings.reach_mode
        problems += [f"{name}: {p}" for p in out_of_reach(d.shell, walk, limit)]
        if name in ("step-keyboard", "check-answers"):
            d.screenshot(artifacts / f"{name}.png")
    assert problems == []


@pytest.mark.parametrize("size", [0, 3])
def test_the_keyboard_never_covers_the_field_being_typed(ui, size):
    from journeys import to_first_step

    d = ui.d
    to_first_step(ui)
    ui.c.change_setting("set_text_size", size)
    for kid in ("field:full_name", "field:date_of_birth:year", "field:ni_number"):
        d.tap(kid)
        d.pump(3)
        field, keyboard = d.find(kid), ui.c.keyboard
        assert keyboard.parent is not None and keyboard.target is field
        field_bottom = field.to_window(field.x, field.y)[1]
        assert field_bottom >= keyboard.top - 1, kid
        assert field.to_window(field.x, field.top)[1] <= ui.c.shell.manager.top + 1, kid


def test_audio_guidance_speaks_each_screen_and_volume_resets(ui):
    d = ui.d
    d.tap("accessibility")
    d.tap("audio:on")
    d.tap("louder")
    assert ui.speaker.volume == 70
    assert "70%" in d.find("volume").text
    d.tap("close-accessibility")
    d.tap(d.shell.manager)
    assert ui.speaker.said[-1][0].startswith("Choose a language")
    d.tap("language:cy")
    text, lang = ui.speaker.said[-1]  # the whole screen from its title (test_speech_guide.py)
    assert lang == "cy" and text.startswith("Dewiswch wasanaeth. ") and "Symud tŷ, botwm." in text
    ui.session.wipe("idle")
    d.pump(2)
    assert ui.speaker.volume == 60 and not ui.c.ctx.settings.audio


def test_settings_reset_after_goodbye(ui):
    d = ui.d
    d.tap("accessibility")
    d.tap("text-size:2")
    d.tap("reach:on")
    d.tap("close-accessibility")
    d.tap("language-switch")
    ui.session.end()
    d.pump(2)
    assert d.screen == "goodbye" and d.find("title").text == "Diolch"
    d.tap("finish")
    assert d.screen == "attract"
    assert ui.c.ctx.settings.is_default and ui.c.ctx.lang == "en"

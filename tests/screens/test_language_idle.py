"""Switching language mid-journey keeps every answer; the idle warning gives more time; the idle
wipe leaves no text of the previous person in any widget."""

from __future__ import annotations

from journeys import personal_texts, step_answers, to_check_answers, to_first_step


def test_language_switch_mid_step_keeps_typed_and_saved_answers(ui, artifacts):
    d = ui.d
    to_first_step(ui)
    assert d.find("language-switch").text == "Cymraeg"
    d.type_into("field:full_name", "Ann Example")
    d.tap("language-switch")
    assert ui.session.language == "cy"
    assert d.find("label:full_name").text == "Enw llawn"
    assert d.find("field:full_name").text == "Ann Example"
    assert d.find("progress").text == "Cam 1 o 4"
    assert d.find("language-switch").text == "English"
    assert ui.c.keyboard.target is d.find("field:full_name")  # still typing into the same field
    d.screenshot(artifacts / "step-1-welsh.png")
    d.type_into("field:ni_number", "AB123456C")
    for part, value in (("day", "2"), ("month", "4"), ("year", "1980")):
        d.type_into(f"field:date_of_birth:{part}", value)
    d.tap("continue")
    assert ui.session.answers()["full_name"] == "Ann Example"
    d.tap("language-switch")
    assert ui.session.language == "en" and d.find("title").text == "Your new address"
    d.tap("back")
    assert d.find("field:full_name").text == "Ann Example"
    assert d.find("field:date_of_birth:year").text == "1980"


def test_language_switch_on_check_answers_and_attract(ui):
    d = ui.d
    d.tap("language-switch")  # on the attract screen: starts in Welsh
    assert ui.session.state.value == "choose_service" and ui.session.language == "cy"
    assert d.find("title").text == "Dewiswch wasanaeth"
    ui.session.wipe()
    d.pump(2)
    to_check_answers(ui)
    d.tap("language-switch")
    assert d.find("title").text == "Gwiriwch eich atebion"
    assert d.find("answer:others_on_benefits").text == "Nac oes"  # the question’s own Welsh no
    assert d.find("answer:full_name").text == "Bryn Tester"


def test_idle_warning_counts_down_and_more_time_keeps_everything(ui, artifacts):
    d = ui.d
    to_first_step(ui)
    d.type_into("field:full_name", "Ann Example")
    ui.clock.advance(ui.config.idle.warning_after_s)
    ui.c.tick()
    d.pump(2)
    assert d.has("more-time")
    assert "30 seconds" in d.find("countdown").text
    ui.clock.advance(12)
    ui.c.tick()
    assert "18 seconds" in d.find("countdown").text
    d.screenshot(artifacts / "idle-warning.png")
    d.tap("more-time")
    assert not d.has("more-time") and not ui.session.idle_warning
    assert d.screen == "step" and d.find("field:full_name").text == "Ann Example"
    ui.clock.advance(ui.config.idle.warning_after_s - 1)
    ui.c.tick()
    assert not d.has("more-time")


def test_idle_wipe_leaves_nothing_of_the_person_in_any_widget(ui, artifacts):
    d = ui.d
    to_first_step(ui)
    answers = step_answers(ui.today)[0]
    assert ui.session.answer(answers) == {}
    d.pump(2)
    d.type_into("field:address_line_1", "7 Ffordd Las")
    d.type_into("field:town", "Abertawe")
    d.tap("accessibility")
    d.tap("text-size:3")
    d.tap("theme:high-contrast-dark")
    d.tap("close-accessibility")
    assert ui.c.ctx.settings.text_size == 3
    before = " ".join(d.texts())
    assert "7 Ffordd Las" in before and "Abertawe" in before
    ui.clock.advance(ui.config.idle.warning_after_s)
    ui.c.tick()
    ui.clock.advance(ui.config.idle.respond_s)
    ui.c.tick()
    d.pump(3)
    assert d.screen == "attract" and ui.session.answers() == {}
    d.screenshot(artifacts / "after-wipe.png")
    texts = d.texts(everywhere=True)
    for value in [*personal_texts(ui), "7 Ffordd Las", "Abertawe"]:
        assert not any(value in t for t in texts), value
    assert ui.c.keyboard.target is None and ui.c.submission is None
    assert ui.c.ctx.settings.is_default and ui.c.ctx.lang == "en"
    assert ui.speaker.resets >= 1


def test_goodbye_returns_to_attract_by_itself(ui):
    d = ui.d
    d.tap(d.shell.manager)
    d.tap("language:cy")
    ui.session.end()
    d.pump(2)
    assert (
        d.screen == "goodbye" and d.find("cleared").text == "Mae eich manylion wedi cael eu clirio"
    )
    ui.clock.advance(ui.config.idle.goodbye_s - 1)
    ui.c.tick()
    assert d.screen == "goodbye"
    ui.clock.advance(1)
    ui.c.tick()
    d.pump(2)
    assert d.screen == "attract" and ui.c.ctx.lang == "en"

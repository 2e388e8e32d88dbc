"""The step screen drawn from the catalogue: errors next to their field, fields shown by earlier
answers, Change from check answers, Back on every screen, and an attract screen that moves."""

from __future__ import annotations

import time

from journeys import step_answers, to_check_answers, to_first_step


def test_errors_are_shown_next_to_their_field_and_spoken(ui):
    d = ui.d
    ui.c.change_setting("audio", True)
    to_first_step(ui)
    d.type_into("field:ni_number", "123")
    d.tap("continue")
    assert d.screen == "step" and d.find("problem").text == "There is a problem"
    error, field = d.find("error:full_name"), d.find("field:full_name")
    assert error.text == "Enter your full name"
    assert error.parent is field.parent and error.parent.kid == "fieldbox:full_name"
    assert error.y > field.top - 1  # directly above its input
    assert d.has("error:ni_number") and not d.has("error:date_of_birth:day")
    assert d.find("field:ni_number").text == "123"  # what was typed stays, to be corrected
    # the error summary is read as shown: the heading, then every error in the screen's order
    spoken, lang = ui.speaker.said[-1]
    assert lang == "en" and spoken.startswith("There is a problem. Enter your full name. ")
    assert spoken.index("Enter your full name") < spoken.index("National Insurance")
    d.tap("field:full_name")
    assert ui.speaker.said[-1] == ("Full name", "en")  # the field's label, on touch


def test_a_choice_reveals_the_fields_it_governs(ui):
    d, s = ui.d, ui.session
    to_first_step(ui)
    for values in step_answers(ui.today)[:3]:
        assert s.answer(values) == {}
    d.pump(2)
    assert d.find("progress").text == "Step 4 of 4" and not d.has("field:email")
    d.tap("option:contact_by:email")
    d.type_into("field:email", "ann@example.org")
    d.tap("option:contact_by:phone")
    assert not d.has("field:email") and d.has("field:phone")
    d.tap("option:contact_by:email")
    assert d.find("field:email").text == "ann@example.org"
    d.tap("continue")
    assert d.screen == "check_answers" and d.find("answer:email").text == "ann@example.org"


def test_yes_shows_a_further_step_and_change_returns_to_check_answers(ui):
    d, s = ui.d, ui.session
    to_check_answers(ui)
    d.tap("change:household")
    assert d.screen == "step" and d.find("option:others_on_benefits:no").state == "down"
    d.tap("option:others_on_benefits:yes")
    d.type_into("field:others_count", "2")
    d.tap("continue")
    assert d.screen == "check_answers"
    assert d.find("answer:others_on_benefits").text == "Yes"
    assert d.find("answer:others_count").text == "2"
    d.tap("change:about-you")
    d.find("field:full_name").text = ""
    d.type_into("field:full_name", "Ann Other")
    d.tap("continue")
    assert d.screen == "check_answers" and s.answers()["full_name"] == "Ann Other"


def test_back_on_every_screen_of_the_journey(ui):
    d, s = ui.d, ui.session
    to_first_step(ui)
    d.tap("back")
    assert d.screen == "choose_service" and d.find("view:a-z").state == "down"  # where they were
    d.tap("view:events")
    d.tap("event:moving-home")
    d.tap("back")
    assert d.screen == "choose_service" and d.has("event:moving-home")
    d.tap("back")
    assert d.screen == "language"
    d.tap("back")
    assert d.screen == "attract" and s.state.value == "attract"
    assert d.find("back").disabled
    to_check_answers(ui)
    d.tap("back")
    assert d.screen == "step" and d.find("title").text == "How we contact you"


def test_attract_moves_gently_and_a_touch_starts(ui):
    d = ui.d
    card = next(w for w in d.visible() if getattr(w, "kid", "") == "invite:en").parent
    from screens.attract import STEP_S

    def after(seconds: float) -> dict[str, float]:
        end = time.monotonic() + seconds  # the drift runs on Kivy's own clock
        while time.monotonic() < end:
            d.pump(1)
        return dict(card.pos_hint)

    start = dict(card.pos_hint)
    moved = start
    deadline = time.monotonic() + STEP_S + 1
    while moved == start and time.monotonic() < deadline:
        moved = after(0.05)
    assert moved != start
    assert all(0.4 <= v <= 0.65 for v in moved.values())  # gently, around the middle
    assert after(STEP_S / 4) == moved  # a step at a time, not an animation: still in between
    d.tap(d.shell.manager)
    assert d.screen == "language" and ui.session.state.value == "language"


def test_capital_letter_key_relabels_the_letters_for_one_letter(ui):
    d = ui.d
    to_first_step(ui)
    d.tap("field:full_name")
    keys = ui.c.keyboard
    before = [id(k) for row in keys.children for k in row.children]
    d.tap("key:shift")
    assert keys.find_key("a").text == "A" and keys.find_key("z").text == "Z"
    d.tap(keys.find_key("a"))
    assert d.find("field:full_name").text == "A"
    assert keys.find_key("a").text == "a"  # one capital, then small letters again
    d.tap(keys.find_key("n"))
    assert d.find("field:full_name").text == "An"
    assert [
        id(k) for row in keys.children for k in row.children
    ] == before  # relabelled, not rebuilt

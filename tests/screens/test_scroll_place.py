"""A screen never moves under a finger (issue 17, trust breaker 1).

On a step taller than the screen, a choice redraws the step from the session; the view must stay
where the person scrolled it, so the next tap, aimed at what they see, presses what they aimed at.
Everything here is done as a person does it: a real drag to scroll, taps at points of the window.
"""

from __future__ import annotations

SERVICE = "proof-of-benefit-letter"
LARGEST = 3


def open_benefit_step(ui, size: int = LARGEST) -> None:
    """attract → accessibility (text size) → language → A–Z → proof of benefit, all by touch."""
    d = ui.d
    d.tap(d.shell.manager)
    d.tap("accessibility")
    d.tap(f"text-size:{size}")
    d.tap("close-accessibility")
    d.tap("language:en")
    d.tap("view:a-z")
    d.tap(f"service:{SERVICE}")
    d.tap("start-now")
    d.pump(3)
    assert d.screen == "step" and d.find("title").text == "Which benefit"


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


def scroll_down_to_the_end(ui):
    """Drag the step up with a finger until its end (Continue) shows; returns the scroll view."""
    d = ui.d
    scroll = ui.c.current.scroll
    assert scroll.do_scroll_y, "the step must be taller than the screen for this test"
    x = scroll.to_window(scroll.center_x, scroll.y)[0]
    bottom = scroll.to_window(0, scroll.y)[1]
    for _ in range(3):
        if scroll.scroll_y <= 0.001:
            break
        d.drag(x, bottom + 40, bottom + scroll.height - 40)
    assert scroll.offset > 100 and scroll.scroll_y <= 0.001, scroll.offset
    return scroll


def on_screen(ui, kid: str) -> bool:
    widget = ui.d.find(kid)
    scroll = ui.c.current.scroll
    _x, y = centre(widget)
    low = scroll.to_window(0, scroll.y)[1]
    return low + 5 < y < low + scroll.height - 5


def test_a_choice_keeps_the_view_and_the_next_tap_hits_what_was_aimed_at(ui, artifacts):
    d, s = ui.d, ui.session
    open_benefit_step(ui)
    scroll = scroll_down_to_the_end(ui)
    place = scroll.offset
    d.screenshot(artifacts / "scrolled.png")
    # What the person sees now, and where: they aim at these points, whatever the code does.
    aims = {
        kid: centre(d.find(kid))
        for kid in ("option:benefit:pension_credit", "option:period:current", "continue")
    }
    assert all(on_screen(ui, kid) for kid in aims), aims
    taps, places, moved = [], [], {}
    for kid in aims:
        d.tap_at(*aims[kid])
        d.wait(1.2)  # the redraw after a choice, and then some: the screen has settled
        taps.append(kid)
        if d.screen != "step" or s.current_step.id != "benefit":
            break
        places.append(round(scroll.offset, 1))
        for other, (x, y) in aims.items():
            now = centre(d.find(other))
            if abs(now[1] - y) > 1 or abs(now[0] - x) > 1:
                moved[other] = (round(y), round(now[1]))
        if kid != "continue":
            chosen = ui.c.current.values()
            assert chosen.get(kid.split(":")[1]) == kid.split(":")[2], (kid, chosen)
    assert places == [round(place, 1)] * len(places), "the view moved after a choice"
    assert moved == {}, f"moved under the finger (window y before, after): {moved}"
    assert taps == list(aims)
    assert d.screen == "step" and s.current_step.id == "about-you"
    assert s.answers() == {"benefit": "pension_credit", "period": "current"}
    # Back: the step shows again with exactly those two answers chosen and nothing else.
    d.tap("back")
    step = ui.c.current
    assert s.current_step.id == "benefit" and step.values() == s.answers()
    assert step.scroll.offset == 0  # a step shown anew starts at its top


def test_the_view_stays_put_across_a_language_switch_and_redraws(ui):
    d, s = ui.d, ui.session
    open_benefit_step(ui)
    scroll = scroll_down_to_the_end(ui)
    place = scroll.offset
    d.tap_at(*centre(d.find("option:benefit:carers_allowance")))
    d.wait(1.0)
    assert abs(scroll.offset - place) < 1
    d.tap("language-switch")  # the bar, not the step: the step is redrawn in Welsh
    d.wait(0.5)
    assert ui.c.ctx.lang == "cy" and s.answers() == {}
    assert ui.c.current.values()["benefit"] == "carers_allowance"
    assert abs(scroll.offset - min(place, scroll._room())) < 1, (scroll.offset, place)
    # Another redraw: for a frame or two the new content is half laid out, then the place is back.
    ui.c.current.rebuild()
    assert abs(scroll.offset - min(place, scroll._room())) < 1
    d.pump(3)
    assert abs(scroll.offset - min(place, scroll._room())) < 1


def test_continue_with_a_problem_shows_the_problem_at_the_top(ui):
    d = ui.d
    open_benefit_step(ui)
    scroll = scroll_down_to_the_end(ui)
    d.tap_at(*centre(d.find("continue")))  # nothing chosen
    d.wait(0.5)
    assert d.find("problem").text == "There is a problem"
    assert scroll.offset == 0 and on_screen(ui, "problem")


def test_a_screen_shown_anew_starts_at_the_top(ui):
    d, s = ui.d, ui.session
    open_benefit_step(ui)
    scroll_down_to_the_end(ui)
    d.tap("back")
    assert d.screen == "choose_service"
    assert ui.c.current.scroll.offset == 0
    d.tap(f"service:{SERVICE}")
    assert s.current_step.id == "benefit" and ui.c.current.scroll.offset == 0


def test_a_setting_changed_low_in_the_accessibility_panel_keeps_the_panel_still(ui):
    d, c = ui.d, ui.c
    open_benefit_step(ui)
    d.tap("accessibility")
    scroll = c.panel.scroll
    assert scroll.do_scroll_y, "at the largest text the panel is taller than the screen"
    x = scroll.to_window(scroll.center_x, scroll.y)[0]
    bottom = scroll.to_window(0, scroll.y)[1]
    d.drag(x, bottom + 40, bottom + scroll.height - 40)
    place = scroll.offset
    assert place > 100
    aims = {kid: centre(d.find(kid)) for kid in ("audio:on", "louder")}
    d.tap_at(*aims["audio:on"])
    d.wait(1.0)
    assert c.ctx.settings.audio and abs(scroll.offset - place) < 1
    assert abs(centre(d.find("louder"))[1] - aims["louder"][1]) < 1
    d.tap_at(*aims["louder"])
    d.wait(0.5)
    assert c.ctx.settings.volume == 70 and c.ctx.settings.text_size == LARGEST
    d.tap("close-accessibility")
    d.tap("accessibility")  # opened anew: from the top
    assert c.panel.scroll.offset == 0


def test_a_choice_made_while_typing_hides_the_keys_without_moving_the_choices(ui):
    from journeys import step_answers, to_first_step

    d, s = ui.d, ui.session
    ui.c.change_setting("set_text_size", LARGEST)
    to_first_step(ui)
    for values in step_answers(ui.today)[:3]:
        assert s.answer(values) == {}
    d.pump(3)
    d.tap("option:contact_by:email")
    d.tap("field:email")  # the keys come up and the field is scrolled into the space above them
    d.wait(0.5)
    assert ui.c.keyboard.parent is not None
    # The field is shown above the keys, and Continue with it when both fit, else "More below"
    # says it is further down (issue 17 item 7); the choice above may have gone up out of view:
    # the person drags it back down, keys still up.
    cue = d.find("more-below")
    assert on_screen(ui, "field:email")
    assert on_screen(ui, "continue") or (cue.shown and cue.opacity == 1)
    if not on_screen(ui, "option:contact_by:phone"):
        view = ui.c.current.scroll
        x = view.to_window(view.center_x, view.y)[0]
        low = view.to_window(0, view.y)[1]
        d.drag(x, low + view.height - 20, low + 20)  # the finger goes down: what is above shows
        d.wait(0.5)
        assert ui.c.keyboard.parent is not None
    aim = centre(d.find("option:contact_by:phone"))
    assert on_screen(ui, "option:contact_by:phone"), "the choice shows above the keys"
    d.tap_at(*aim)
    d.wait(1.0)  # the keys go, the step is redrawn with the phone field instead of e-mail
    assert ui.c.keyboard.parent is None and d.has("field:phone")
    assert abs(centre(d.find("option:contact_by:phone"))[1] - aim[1]) < 1
    assert ui.c.current.values()["contact_by"] == "phone"
    # The room left below is given back once the person scrolls up; nothing jumps meanwhile.
    scroll = ui.c.current.scroll
    x = scroll.to_window(scroll.center_x, scroll.y)[0]
    top = scroll.to_window(0, scroll.top)[1]
    d.drag(x, top - 40, top - scroll.height + 40)  # down: what is above comes into view
    d.tap_at(*centre(d.find("title")))  # a finger down anywhere: the place is what it sees
    d.wait(0.5)
    assert scroll.offset == 0 and scroll.children[0].slack == 0

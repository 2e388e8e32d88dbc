"""Help on every step (issue 17, item 4): "I need help" on a step, before anything was sent, puts
the case with what was answered so far in the office's staff queue; the citizen sees their
reference and what happens next. Tapped where the button is after the step settled."""

from __future__ import annotations

import pytest
from journeys import step_answers

WORDS = {
    "en": ("I need help", "Your application is with our staff", "What happens next", "Finish"),
    "cy": ("Mae angen help arnaf", "Mae eich cais gyda’n staff", "Beth sy’n digwydd nesaf",
           "Gorffen"),
}  # fmt: skip


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


def visible_centre(ui, kid: str) -> tuple[float, float]:
    """Where ``kid`` is on screen once the step settled (scrolled to, as a person would)."""
    d = ui.d
    widget = d.find(kid)
    scroll = ui.c.current.scroll
    if scroll.do_scroll_y:
        scroll.scroll_to(widget, padding=10, animate=False)
    d.wait(0.5)
    x, y = centre(widget)
    low = scroll.to_window(0, scroll.y)[1]
    assert low < y < low + scroll.height, "the button must be on screen"
    return x, y


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_help_on_the_second_step_sends_the_answers_so_far_to_staff(ui, artifacts, lang):
    d, s = ui.d, ui.session
    button, title, heading, finish = WORDS[lang]
    s.start()
    s.choose_language(lang)
    s.choose_service("change-of-address")
    first = step_answers(ui.today)[0]
    assert s.answer(first) == {}
    d.wait(0.5)
    assert d.screen == "step" and s.current_step.id != "about-you"
    assert d.find("help").text == button
    d.tap_at(*visible_centre(ui, "help"))
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")
    d.wait(0.3)
    (sent,) = ui.backend.submissions
    assert sent.help and sent.answers == first
    assert d.find("title").text == title
    assert "DEMOOFFICE-7K3M-9" in d.find("reference").text
    assert d.find("next-heading").text == heading and d.has("next-steps")
    # Only what makes sense now: no phone, print or "ask staff" again (staff have been told).
    assert not any(d.has(f"outcome:{k}") for k in ("phone", "print", "staff"))
    d.screenshot(artifacts / f"helped-{lang}.png")
    assert d.find("outcome:finish").text == finish
    d.tap_at(*centre(d.find("outcome:finish")))
    d.wait_until(lambda: d.screen == "feedback", what="the feedback question")
    assert s.draft.outcomes[-1].value == "staff"


def test_help_on_check_answers_too(ui):
    from journeys import to_check_answers

    d = ui.d
    to_check_answers(ui)
    d.tap("help")
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")
    (sent,) = ui.backend.submissions
    assert sent.help and sent.answers["postcode"] == "SA1 1AA"

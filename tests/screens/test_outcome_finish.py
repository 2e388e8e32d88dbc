"""The outcome screen of a sent case (issue 17, item 6): it says it was sent, "What happens next"
under its own heading (the catalogue's next steps), the other ways on as secondary choices, and a
clear Finish; nothing for unfinished cases ("carry on later"). Tapped at the settled place."""

from __future__ import annotations

import pytest
from journeys import step_answers

WORDS = {
    "en": ("Your application has been sent", "What happens next", "Finish"),
    "cy": ("Mae eich cais wedi’i anfon", "Beth sy’n digwydd nesaf", "Gorffen"),
}


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_sent_case_says_what_happens_next_and_finishes(ui, artifacts, lang, catalogue):
    d, s = ui.d, ui.session
    title, heading, finish = WORDS[lang]
    s.start()
    s.choose_language(lang)
    s.choose_service("change-of-address")
    for values in step_answers(ui.today):
        assert s.answer(values) == {}
    d.pump(2)
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", what="the outcome screen")
    d.wait(0.5)
    assert d.find("title").text == title
    service = catalogue.services["change-of-address"]
    assert d.find("next-heading").text == heading
    assert d.find("next-steps").text == service.next_steps.get(lang)
    assert centre(d.find("next-heading"))[1] > centre(d.find("next-steps"))[1]  # heading above
    texts = " ".join(d.texts(everywhere=False)).lower()
    for unfinished in ("later", "save", "yn nes ymlaen", "cadw"):
        assert unfinished not in texts
    button = d.find("outcome:finish")
    assert button.text == finish
    d.screenshot(artifacts / f"outcome-{lang}.png")
    scroll = ui.c.current.scroll
    if scroll.do_scroll_y:
        scroll.scroll_to(button, padding=10, animate=False)
        d.wait(0.5)
    d.tap_at(*centre(button))
    d.wait_until(lambda: d.screen == "feedback", what="the feedback question")
    assert s.draft.outcomes == []
    d.tap("face:5")
    d.tap("feedback:send")
    d.wait_until(lambda: ui.backend.feedback, what="the feedback")
    assert ui.backend.feedback[0].ending == "completed"


def test_not_sent_yet_is_not_called_sent(ui):
    from journeys import to_outcome

    ui.backend.sent = False
    to_outcome(ui)
    assert ui.d.find("title").text == "Your application is saved"
    assert ui.d.find("sent").text.startswith("Saved on this kiosk")

"""The start page (issue 17, item 5): a service chosen from the list first shows what it is for
and its ``help`` (what you need, what it costs) from the catalogue, then "Start now" opens step 1.
Tapped where the button is after the page settled, in English and Welsh."""

from __future__ import annotations

import pytest

WORDS = {
    "en": ("English", "Before you start", "Start now", "It is free."),
    "cy": ("Cymraeg", "Cyn i chi ddechrau", "Dechrau nawr", "Mae am ddim."),
}


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_services_help_comes_before_step_one(ui, artifacts, lang, catalogue):
    d, s = ui.d, ui.session
    _name, heading, start, free = WORDS[lang]
    service = catalogue.services["change-of-address"]
    d.tap(d.shell.manager)
    d.tap(f"language:{lang}")
    d.tap("view:a-z")
    d.tap("service:change-of-address")
    d.wait(0.5)
    assert d.screen == "step" and s.current_step.id == "about-you"
    assert d.find("title").text == service.title.get(lang)
    assert d.find("start-heading").text == heading
    assert d.find("start-help").text == service.help.get(lang).strip()
    assert d.find("start-help").text.startswith(free)
    assert not d.has("continue") and not d.has("field:full_name")
    button = d.find("start-now")
    assert button.text == start
    d.screenshot(artifacts / f"start-{lang}.png")
    x, y = centre(button)
    assert 0 < y < d.shell.height
    d.tap_at(x, y)
    d.wait(0.5)
    assert d.has("field:full_name") and d.has("continue") and not d.has("start-now")
    # Back on step 1 returns to the list; a wipe forgets that the page was read.
    d.tap("back")
    assert d.screen == "choose_service"
    d.tap("service:change-of-address")
    assert d.has("start-now")

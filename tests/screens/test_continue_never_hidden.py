"""Continue never hidden (issue 17, item 7), the error summary: it lists every error and each one
takes the person to its field (in view, the keys on it). By touch, aimed at where things are once
the screen settled."""

from __future__ import annotations

import pytest


def centre(widget) -> tuple[float, float]:
    return widget.to_window(*widget.center)


def first_step_by_touch(ui, lang: str = "en") -> None:
    d = ui.d
    d.tap(d.shell.manager)
    d.tap(f"language:{lang}")
    d.tap("view:a-z")
    d.tap("service:change-of-address")
    d.tap("start-now")
    d.wait(0.3)


def in_view(ui, widget) -> bool:
    """Wholly inside the part of the screen the person can see (above the keys, under the bar)."""
    scroll = ui.c.current.scroll
    low = scroll.to_window(0, scroll.y)[1]
    high = low + scroll.height
    _x, bottom = widget.to_window(widget.x, widget.y)
    top = bottom + widget.height
    keys = ui.c.keyboard
    above_keys = keys.parent is None or bottom >= keys.to_window(keys.x, keys.top)[1] - 1
    return low - 1 <= bottom and top <= high + 1 and above_keys


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_error_is_listed_and_takes_you_to_its_field(ui, artifacts, lang):
    d, s = ui.d, ui.session
    first_step_by_touch(ui, lang)
    cont = d.find("continue")
    ui.c.current.scroll.scroll_to(cont, animate=False)
    d.wait(0.5)
    d.tap_at(*centre(cont))
    d.wait(0.5)
    errors = s.errors
    assert set(errors) >= {"full_name", "ni_number", "date_of_birth"}
    assert d.has("problem")
    for fid, error in errors.items():
        link = d.find(f"error-link:{fid}")
        assert link.text == error.message.get(lang)
    d.screenshot(artifacts / f"summary-{lang}.png")
    link = d.find("error-link:date_of_birth")
    assert in_view(ui, link)
    d.tap_at(*centre(link))
    d.wait(0.5)
    target = ui.c.keyboard.target
    assert target is not None and target.kid.startswith("field:date_of_birth")
    assert in_view(ui, target)

"""Issue 17 item 7: Continue is never below the fold without a visible cue, nor hidden by the keys.

A step longer than the screen shows "More below ↓" ("Mwy isod ↓") in a band of its own under the
view, so it never covers a control; a tap on it scrolls down most of a view; it goes once the end
is in view. With the keys up, the field being typed and Continue are both shown when they fit. By
touch, at where things are once the screen has settled.
"""

from __future__ import annotations

import pytest
from test_continue_never_hidden import centre, first_step_by_touch, in_view

WORDS = {"en": "More below  ↓", "cy": "Mwy isod  ↓"}


def _box(w):  # type: ignore[no-untyped-def]
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_long_step_says_there_is_more_below_and_the_cue_pages_down(ui, artifacts, lang):  # type: ignore[no-untyped-def]
    d = ui.d
    ui.c.change_setting("set_text_size", 3)  # the largest text: step 1 is taller than the screen
    first_step_by_touch(ui, lang)
    screen, cue = ui.c.current, d.find("more-below")
    scroll = screen.scroll
    assert scroll.do_scroll_y and cue.shown and cue.opacity == 1 and cue.text == WORDS[lang]
    assert not in_view(ui, d.find("help"))
    _x, _y, _r, cue_top = _box(cue)
    view_bottom = scroll.to_window(0, scroll.y)[1]
    assert cue_top <= view_bottom + 1  # its own band: it covers nothing of the step
    d.screenshot(artifacts / f"more-below-{lang}.png")
    answers = dict(ui.session.answers())
    pages = 0
    while cue.shown and pages < 20:
        before = scroll.offset
        d.tap_at(*centre(cue))
        d.wait(0.2)
        assert scroll.offset > before  # the tap moved down, as the cue says
        pages += 1
    assert not cue.shown and cue.opacity == 0 and cue.disabled
    assert in_view(ui, d.find("continue")) and in_view(ui, d.find("help"))
    assert ui.session.answers() == answers and not ui.session.errors  # nothing else happened
    at_end = scroll.offset
    d.tap_at(*centre(cue))  # where the cue was: it is gone and takes no touch
    d.wait(0.2)
    assert scroll.offset == pytest.approx(at_end, abs=1)


def test_with_the_keys_up_the_field_is_in_view_and_continue_or_the_cue(ui):  # type: ignore[no-untyped-def]
    """The keys take the lower half: the field being typed is in view, and Continue with it when
    both fit; when they do not, "More below" says that the rest (Continue) is further down."""
    d = ui.d
    first_step_by_touch(ui, "en")
    for kid in ("field:full_name", "field:date_of_birth:year"):
        field = d.find(kid)
        if not in_view(ui, field):
            ui.c.current.scroll.scroll_to(field, animate=False)  # as a finger would scroll to it
            d.wait(0.3)
        d.tap_at(*centre(field))
        d.wait(0.5)
        assert ui.c.keyboard.target is field and ui.c.keyboard.parent is not None
        cue = d.find("more-below")
        assert in_view(ui, field)
        view = ui.c.current.scroll
        assert _box(cue)[3] <= view.to_window(0, view.y)[1] + 1  # its band, not over the view
        assert in_view(ui, d.find("continue")) or (cue.shown and cue.opacity == 1), kid

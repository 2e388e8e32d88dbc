"""Pointer cancellation (WCAG 2.5.2): controls act when the finger lifts, and only if it lifts on
them. A finger that goes down on a button, a choice or the attract screen and slides off before
lifting does nothing — in plain screens and in scrolling ones."""

from __future__ import annotations

import time
from typing import Any

from kiosk.session import State


def slide(d: Any, widget: Any, to: tuple[float, float], *, start: tuple[float, float] | None = None,
          frames_down: int = 0) -> None:  # fmt: skip
    """Finger down on ``widget`` (its centre, or ``start`` in its own coordinates), moved to
    ``to`` (window coordinates), lifted there; then the frames a tap needs to finish."""
    from kivy.tests.common import UnitTestTouch

    from screens.driver import SCROLL_CLICK_S

    d.pump(2)
    x, y = widget.to_window(*(start or widget.center))
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    d.pump(frames_down)
    touch.touch_move(*to)
    touch.touch_up()
    end = time.monotonic() + SCROLL_CLICK_S  # a scroll view's deferred release, if any
    while time.monotonic() < end:
        d.pump(1)
    d.pump(2)


def centre_of(widget: Any) -> tuple[float, float]:
    return widget.to_window(*widget.center)


def test_a_finger_that_slides_off_a_button_does_nothing(ui):
    d, s = ui.d, ui.session
    d.tap(d.shell.manager)
    assert d.screen == "language"
    slide(d, d.find("language:en"), centre_of(d.find("title")), frames_down=1)
    assert d.screen == "language" and s.state is State.LANGUAGE
    slide(d, d.find("back"), centre_of(d.find("title")), frames_down=1)  # the bar's, reused
    assert d.screen == "language" and s.state is State.LANGUAGE
    d.tap("language:en")  # the same button, lifted on it: acts
    assert d.screen == "choose_service"


def test_a_finger_that_slides_off_a_choice_leaves_it_unchosen(ui):
    d = ui.d
    ui.session.start()
    ui.session.choose_language("en")
    d.pump(2)
    slide(d, d.find("view:a-z"), centre_of(d.find("title")), frames_down=1)
    assert d.find("view:a-z").state == "normal" and d.find("view:events").state == "down"
    assert d.has("event:moving-home") and not d.has("service:change-of-address")
    d.tap("view:a-z")
    assert d.find("view:a-z").state == "down" and d.has("service:change-of-address")


def test_the_attract_screen_starts_on_release_and_not_when_the_finger_slides_off(ui):
    from kivy.tests.common import UnitTestTouch

    d = ui.d
    assert d.screen == "attract"
    slide(d, d.shell.manager, centre_of(d.find("accessibility")), frames_down=1)
    assert d.screen == "attract" and ui.session.state is State.ATTRACT
    assert d.controller.panel.parent is None  # the lift on the bar's button did not press it
    touch = UnitTestTouch(*centre_of(d.shell.manager))
    touch.touch_down()
    d.pump(3)
    assert d.screen == "attract"  # finger still down: nothing yet
    touch.touch_up()
    d.pump(2)
    assert d.screen == "language"


def test_in_a_scrolling_list_the_press_is_where_the_finger_went_down(ui):
    """A short slide (less than a scroll) from one button onto the next, in a list that scrolls:
    Kivy would press the button under the lift; the first button sees the lift outside itself
    and cancels, so nothing happens."""
    d, c = ui.d, ui.c
    ui.session.start()
    ui.session.choose_language("en")
    c.change_setting("set_text_size", 3)  # the largest text, all within reach: the life
    c.change_setting("reach", True)  # events need scrolling
    d.pump(3)
    screen = c.current
    assert screen.scroll.do_scroll_y
    events = [w for w in screen.column.children if str(getattr(w, "kid", "")).startswith("event:")]
    first, second = events[-1], events[-2]  # children are bottom-up: the top two
    down = (first.center_x, first.y + 3)  # near the bottom edge of the first
    to = second.to_window(second.center_x, second.top - 3)  # just inside the top of the second
    assert abs(first.to_window(*down)[1] - to[1]) < screen.scroll.scroll_distance
    slide(d, first, to, start=down)
    assert screen.view == "events" and d.screen == "choose_service"
    assert not d.has("service:change-of-address")
    d.tap(second)
    assert screen.view == "event"

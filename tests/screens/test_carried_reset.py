"""Preferences that travel, reset for the next person (issue 19 item 6) — the app with a fake
backend under Xvfb: a code's carried language, text size, colours and reach mode are in force on
the first step shown; a code that carried nothing leaves what the person set at the kiosk; after
the wipe the next citizen, and a technician's or a member of staff's badge session, open with the
kiosk's defaults."""

from __future__ import annotations

from typing import Any

import pytest
from journeys import step_answers

CODE = "BCDF-GHJK-LMNP"
CARRIED = {"language": "cy", "text_size": 3, "theme": "high-contrast-light", "reach_mode": True}


@pytest.fixture
def carrying(ui):  # type: ignore[no-untyped-def]
    """The backend's resume gives the case with what ``ui.carried`` holds."""
    from kiosk.session.resume import ResumedCase

    ui.carried = dict(CARRIED)

    def resume(code: str, factor: str, language: str = "en") -> Any:
        answers = step_answers(ui.today)[0]
        return ResumedCase("case-7", "DEMOOFFICE-7K3M-9", "change-of-address", "open", answers,
                           2, dict(ui.carried))  # fmt: skip

    ui.backend.resume = resume
    return ui


def open_with_pin(ui) -> None:  # type: ignore[no-untyped-def]
    from screens.resume import attach

    d = ui.d
    attach(ui.c).open(CODE)
    d.pump(2)
    d.tap("factor:pin")
    d.type_into("field:resume_pin", "4821")
    d.tap("resume-open")
    d.wait_until(lambda: d.screen == "step", what="the resumed case's step")


def at_defaults(ui) -> bool:  # type: ignore[no-untyped-def]
    return ui.c.ctx.settings.is_default and ui.c.ctx.lang == "en"


def test_carried_settings_are_in_force_on_the_first_step_then_reset(carrying, artifacts):
    ui = carrying
    d, ctx = ui.d, ui.c.ctx
    standard_title = ctx.geometry.font_px(1.0) * 1.4
    open_with_pin(ui)
    assert ui.session.current_step.id == "new-address"
    assert (ctx.lang, ctx.settings.text_size, ctx.settings.theme, ctx.settings.reach_mode) == (
        "cy", 3, "high-contrast-light", True)  # fmt: skip
    assert d.find("title").text == "Eich cyfeiriad newydd"  # the step, in Welsh
    assert d.find("title").font_size >= standard_title * 1.9  # at the largest text size
    d.screenshot(artifacts / "carried-largest-light.png")
    ui.session.wipe("idle")
    d.pump(3)
    assert d.screen == "attract" and at_defaults(ui)
    d.tap(d.shell.manager)  # the next person starts
    d.pump(2)
    assert at_defaults(ui) and d.find("title").font_size < standard_title * 1.2


def test_a_code_that_carried_nothing_keeps_what_the_person_set_here(carrying):
    ui = carrying
    ui.carried = {}
    ui.c.ctx.settings.set_text_size(1)
    open_with_pin(ui)
    assert ui.c.ctx.settings.text_size == 1 and ui.c.ctx.lang == "en"


@pytest.mark.parametrize("kind", ["diagnostics", "assisted"])
def test_badge_sessions_after_a_resumed_case_open_with_the_defaults(carrying, kind):
    ui = carrying
    open_with_pin(ui)
    assert not at_defaults(ui)
    ui.session.wipe("badge")  # as a badge swiped after the citizen left does
    ui.d.pump(3)
    ui.session.start(kind=kind, staff_id="s-1")
    ui.d.pump(3)
    assert ui.session.state.value == ("diagnostics" if kind == "diagnostics" else "language")
    assert at_defaults(ui)

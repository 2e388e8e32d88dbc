"""Slips on the touchscreen: "I have a code" (typed or scanned) with the second factor on the
on-screen keyboard, errors said next to the field, the case opening at the right step; and the
print step choosing what protects the slip, saying honestly whether the code works yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from journeys import step_answers, to_outcome

CODE = "BCDF-GHJK-LMNP"


@dataclass(frozen=True)
class Slip:
    code: str | None
    factor_kind: str
    registered: bool
    notice: str
    message: str | None


@dataclass
class SlipBackend:
    """The slip and resume methods of the runtime, recorded (added to the fake backend)."""

    answers: list[Any] = field(default_factory=list)
    factor: str = "dob"
    resumes: list[tuple[str, str, str]] = field(default_factory=list)
    prints: list[str | None] = field(default_factory=list)
    registered: bool = False

    def resume(self, code: str, factor: str, language: str = "en") -> Any:
        from kiosk.session.resume import ResumedCase

        self.resumes.append((code, factor, language))
        answer = self.answers.pop(0)
        if isinstance(answer, dict):
            return ResumedCase("case-7", "DEMOOFFICE-7K3M-9", "change-of-address", "open", answer)
        return answer

    def slip_factor(self, submission: Any) -> str:
        return self.factor

    def print_slip(self, submission: Any, result: Any, pin: str | None = None) -> Slip:
        self.prints.append(pin)
        if self.factor == "pin" and (pin is None or len(pin) != 4):
            return Slip(None, "pin", False, "", "Choose a PIN of 4 digits.")
        notice = (
            "Your code works now."
            if self.registered
            else "Saved on this kiosk; it will work once sent."
        )
        return Slip(CODE, self.factor, self.registered, notice, None)


@pytest.fixture
def slips(ui):  # type: ignore[no-untyped-def]
    extra = SlipBackend()
    for name in ("resume", "slip_factor", "print_slip"):
        setattr(ui.backend, name, getattr(extra, name))
    return extra


def open_resume(ui, code: str | None = None):  # type: ignore[no-untyped-def]
    from screens.resume import attach

    screen = attach(ui.c)
    screen.open(code)
    ui.d.pump(2)
    assert ui.d.screen == "resume"
    return screen


def test_typed_code_then_date_of_birth_opens_the_case_at_the_step_it_needs(ui, slips, artifacts):
    d = ui.d
    about_you = step_answers(ui.today)[0]
    slips.answers = ["That does not match what you chose at the kiosk. Tries left: 4.", about_you]
    open_resume(ui)
    d.type_into("resume-code", "bcdf ghjk")
    d.tap("resume-next")
    assert d.find("resume-error").text.startswith("A code has 12 letters")
    d.type_into("resume-code", "lmnp")
    d.tap("resume-next")
    assert d.find("resume-for").text == f"Code {CODE}" and not d.has("field:resume_dob:day")
    d.tap("resume-open")
    assert d.find("resume-error").text == "Choose what you used to protect your slip."
    d.tap("factor:dob")
    d.type_into("field:resume_dob:day", "2")
    d.type_into("field:resume_dob:month", "4")
    d.type_into("field:resume_dob:year", "1975")
    d.screenshot(artifacts / "resume-dob.png")
    d.tap("resume-open")
    d.wait_until(lambda: d.has("resume-error"), what="the wrong-factor sentence")
    assert d.find("resume-error").text.endswith("Tries left: 4.")
    assert slips.resumes == [(CODE, "02/04/1975", "en")]
    d.type_into("field:resume_dob:day", "30")
    d.type_into("field:resume_dob:month", "6")
    d.type_into("field:resume_dob:year", "1975")
    d.tap("resume-open")
    d.wait_until(lambda: d.screen == "step", what="the resumed case's step")
    assert ui.session.current_step.id == "new-address"
    assert ui.session.answers() == about_you
    assert ui.session.resumed_reference == "DEMOOFFICE-7K3M-9"
    assert CODE not in d.texts()  # the resume screen kept nothing once the case was open


def test_a_scanned_slip_asks_for_the_pin_and_bad_shapes_use_no_try(ui, slips):
    from screens.resume import start_from_scan

    d = ui.d
    everything = step_answers(ui.today)
    slips.answers = [{k: v for step in everything for k, v in step.items()}]
    assert not start_from_scan(ui.c, "DEMOOFFICE-7K3M-9")  # a reference is not a slip code
    assert start_from_scan(ui.c, "https://kiosk.example/resume?code=bcdfghjklmnp")
    d.pump(2)
    assert d.screen == "resume" and d.find("resume-for").text == f"Code {CODE}"
    d.tap("factor:pin")
    d.type_into("field:resume_pin", "12")
    d.tap("resume-open")
    assert d.find("resume-error").text == "Enter your PIN: 4 digits." and slips.resumes == []
    d.type_into("field:resume_pin", "4821")
    d.tap("resume-open")
    d.wait_until(lambda: d.screen == "check_answers", what="check answers (all answered)")
    assert slips.resumes == [(CODE, "4821", "en")]


def test_welsh_and_the_idle_limit_leave_nothing_behind(ui, slips):
    d = ui.d
    ui.c.ctx.lang = "cy"
    screen = open_resume(ui, CODE)
    assert d.find("title").text == "Parhau â’ch cais"
    assert screen._timer is not None  # armed: the session does not time attract out
    d.tap("factor:phone_last3")
    d.type_into("field:resume_phone_last3", "98")
    d.tap("resume-open")
    assert d.find("resume-error").text == "Rhowch 3 digid olaf eich rhif ffôn."
    screen.time_out()
    d.pump(2)
    assert d.screen == "attract" and CODE not in " ".join(d.texts())


def test_a_wipe_clears_the_resume_screen(ui, slips):
    d = ui.d
    screen = open_resume(ui, CODE)
    ui.session.wipe("idle")
    d.pump(3)
    assert screen.phase == "code" and screen.code == "" and CODE not in " ".join(d.texts())


def test_print_with_date_of_birth_says_the_code_is_saved_until_sent(ui, slips, artifacts):
    from screens.resume_factor import attach

    d = ui.d
    to_outcome(ui)
    screen = attach(ui.c)
    screen.open()
    d.pump(2)
    assert d.screen == "resume_factor" and d.has("slip-factor:dob") and not d.has("slip-pin")
    d.tap("slip:print")
    d.wait_until(lambda: d.has("slip-code"), what="the printed slip")
    assert d.find("slip-code").text == f"Your code is {CODE}"
    assert d.find("slip-notice").text == "Saved on this kiosk; it will work once sent."
    d.screenshot(artifacts / "slip-offline.png")
    d.tap("slip:continue")
    d.wait_until(lambda: d.screen == "feedback", what="feedback")
    assert ui.session.draft.outcomes[-1].value == "print" and slips.prints == [None]


def test_print_with_a_pin_checks_it_before_printing(ui, slips):
    from screens.resume_factor import attach

    d = ui.d
    slips.factor, slips.registered = "pin", True
    to_outcome(ui)
    attach(ui.c).open()
    d.pump(2)
    d.type_into("slip-pin", "12")
    d.tap("slip:print")
    assert d.find("slip-error").text == "Choose a PIN of 4 digits." and slips.prints == []
    d.type_into("slip-pin", "4821")
    d.tap("slip:print")
    d.wait_until(lambda: d.has("slip-code"), what="the printed slip")
    assert slips.prints == ["4821"] and d.find("slip-notice").text == "Your code works now."
    assert "4821" not in " ".join(d.texts(everywhere=False))

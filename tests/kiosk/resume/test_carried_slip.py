"""A slip carries the person's preferences (kiosk.runtime.resume.SlipCodes): central's code is
asked for with them, only for the case they were handed over for, never for the next person's;
central refusing them (a setting it does not know yet) still gives a working code; the case
opened again brings them back."""

from __future__ import annotations

from typing import Any

from kiosk.link.errors import Rejected
from kiosk.runtime.resume import SecondFactor, SlipCodes, carry_on_slip, redeem

CARRIED = {"language": "cy", "text_size": 2, "theme": "high-contrast-dark"}
PIN = SecondFactor("pin", "4821")


class Central:
    def __init__(self, refuse_preferences: bool = False) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.refuse_preferences = refuse_preferences

    def create_resume_code(self, case_id: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(dict(body))
        if self.refuse_preferences and "preferences" in body:
            raise Rejected(422, {"title": "Unprocessable", "detail": "preferences.speech"})
        return {"code": "BCDF-GHJK-LMNP"}

    def resume(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "case_id": "c1",
            "reference": "CARDIFF-7K3M-9",
            "service_id": "change-of-address",
            "status": "open",
            "answers": {},
            "version": 3,
            "preferences": CARRIED,
        }


class Queue:
    def register_resume_code(self, case_id: str, code: str, kind: str, value: str) -> None:
        raise AssertionError("an online slip is not queued")


def test_the_slip_of_that_case_carries_them_and_only_once() -> None:
    central = Central()
    slips = SlipCodes(central, Queue())
    assert carry_on_slip(type("Runtime", (), {"slips": slips})(), "case-1", CARRIED)
    assert slips.issue("case-1", PIN, case_sent=True).registered
    assert central.bodies[-1]["preferences"] == CARRIED
    slips.issue("case-1", PIN, case_sent=True)  # a reprint: nothing left to carry
    assert "preferences" not in central.bodies[-1]


def test_the_next_persons_slip_never_carries_the_last_persons_settings() -> None:
    central = Central()
    slips = SlipCodes(central, Queue())
    slips.carry("case-1", CARRIED)  # handed over, but that slip was never printed
    slips.carry("case-2", {"language": "en"})
    slips.issue("case-1", PIN, case_sent=True)
    assert "preferences" not in central.bodies[-1]
    slips.issue("case-2", PIN, case_sent=True)
    assert central.bodies[-1]["preferences"] == {"language": "en"}


def test_refused_preferences_still_give_a_working_code() -> None:
    central = Central(refuse_preferences=True)
    slips = SlipCodes(central, Queue())
    slips.carry("case-1", CARRIED | {"speech": "on"})
    slip = slips.issue("case-1", PIN, case_sent=True)
    assert slip.registered and slip.code == "BCDF-GHJK-LMNP"
    assert [("preferences" in b) for b in central.bodies] == [True, False]


def test_a_backend_without_slip_codes_is_told_so() -> None:
    assert carry_on_slip(object(), "case-1", CARRIED) is False


def test_the_opened_case_brings_them_back_and_keeps_them_out_of_its_repr() -> None:
    case = redeem(Central(), "BCDF-GHJK-LMNP", "4821", "en")
    assert not isinstance(case, str)
    assert case.preferences == CARRIED and case.version == 3
    assert "high-contrast" not in repr(case)

"""The Kivy-free rules of slips: which second factor, what a scanned QR holds, and one sentence
(never an exception) for every way opening a slip can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.loader import load_catalogue_strict
from kiosk.link.errors import Conflict, Offline, Rejected, Unauthorised
from kiosk.references import make_resume_code, resume_code_in
from kiosk.runtime.resume import SlipCodes, clean_factor, redeem, second_factor
from kiosk.session.resume import ResumedCase

CATALOGUE = load_catalogue_strict(Path(__file__).resolve().parents[3] / "config" / "services")
MOVE = CATALOGUE.services["change-of-address"]
BOOK = CATALOGUE.services["book-jobcentre-appointment"]


def test_date_of_birth_wins_then_phone_then_pin() -> None:
    dob = second_factor(MOVE, {"date_of_birth": "1980-04-02", "phone": "07700 900 982"})
    assert (dob.kind, dob.value) == ("dob", "1980-04-02")
    assert "1980" not in repr(dob)
    phone_fields = [f.id for f in BOOK.all_fields() if f.type.value == "phone"]
    phone = second_factor(BOOK, {phone_fields[0]: "+44 7700 900982"})
    assert (phone.kind, phone.value) == ("phone_last3", "982")
    assert second_factor(MOVE, {"full_name": "Ann"}) == second_factor(BOOK, {})
    assert second_factor(BOOK, {}).kind == "pin" and second_factor(BOOK, {}).value is None


def test_factor_shapes_are_checked_before_anything_is_printed() -> None:
    assert clean_factor("pin", " 04 21 ") == "0421"
    assert clean_factor("pin", "123") is None and clean_factor("pin", "12345") is None
    assert clean_factor("phone_last3", "982") == "982" and clean_factor("dob", "2/4/1980") is None


@pytest.mark.parametrize(
    "payload",
    ["bcdf-ghjk-lmnp", "BCDFGHJKLMNP", "https://k.example/resume?code=BCDF-GHJK-LMNP",
     "https://k.example/resume#code=bcdfghjklmnp&lang=cy"],
)  # fmt: skip
def test_a_scanned_resume_code_is_recognised(payload: str) -> None:
    assert resume_code_in(payload) == "BCDF-GHJK-LMNP"


@pytest.mark.parametrize(
    "payload",
    ["DEMOOFFICE-ABCD-EFGH-1", "BCDF-GHJK-LMNA", "https://k.example/h#secret", "", "X" * 600],
)
def test_other_scans_are_not_resume_codes(payload: str) -> None:
    assert resume_code_in(payload) is None


class FakeApi:
    def __init__(self, outcome: object) -> None:
        self.outcome, self.calls = outcome, []

    def resume(self, body: dict) -> dict:
        self.calls.append(body)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome  # type: ignore[return-value]


def problem(slug: str, **extra: object) -> dict:
    return {"type": f"https://omnikiosk.example/problems/{slug}", "title": slug, **extra}


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (Rejected(400, problem("wrong-code", attempts_left=3)), "Tries left: 3."),
        (Rejected(404, problem("handoff-not-found")), "could not find that code"),
        (Rejected(410, problem("handoff-expired")), "expired or had too many wrong tries"),
        (Rejected(422, problem("bad-factor")), "not the kind of answer"),
        (Offline("central unreachable (refused)"), "can't reach our office system"),
        (Offline("central answered 429", 30), "wait a minute"),
        (Unauthorised(401, problem("unauthorised")), "can't open requests"),
        (Conflict(409, problem("case-state")), "can't open requests"),
    ],
)
def test_every_failure_is_one_sentence(error: Exception, words: str) -> None:
    answer = redeem(FakeApi(error), "BCDF-GHJK-LMNP", "1234", "en")
    assert isinstance(answer, str) and words in answer


def test_a_malformed_code_never_reaches_central_and_welsh_is_spoken() -> None:
    api = FakeApi({})
    assert "12 llythyren" in redeem(api, "ABC", "1234", "cy")
    assert api.calls == []


def test_a_case_already_submitted_is_not_reopened() -> None:
    body = {"case_id": "c1", "reference": "DEMO-ABCD-EFGH-1", "service_id": "change-of-address",
            "status": "submitted", "answers": {"full_name": "Ann"}, "version": 4}  # fmt: skip
    answer = redeem(FakeApi(body), "bcdf ghjk lmnp", "1234", "en")
    assert isinstance(answer, str) and "DEMO-ABCD-EFGH-1 has already been sent" in answer
    opened = redeem(FakeApi(body | {"status": "waiting_for_staff"}), "BCDFGHJKLMNP", "1", "en")
    assert isinstance(opened, ResumedCase) and opened.answers == {"full_name": "Ann"}
    assert "Ann" not in repr(opened)


class Queue:
    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def register_resume_code(self, case_id: str, code: str, kind: str, value: str) -> None:
        self.rows.append((case_id, code, kind, value))


class CodeApi:
    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def create_resume_code(self, case_id: str, body: dict) -> dict:
        if self.fail:
            raise Offline("central unreachable (timeout)")
        return {"code": make_resume_code().lower(), "factor_kind": body["factor_kind"]}


def test_central_code_when_it_can_else_a_kiosk_code_queued() -> None:
    from kiosk.runtime.resume import SecondFactor

    queue = Queue()
    online = SlipCodes(CodeApi(fail=False), queue).issue("c1", SecondFactor("pin", "0421"), True)
    assert online.registered and online.code.isupper() and queue.rows == []
    down = SlipCodes(CodeApi(fail=True), queue).issue("c1", SecondFactor("pin", "0421"), True)
    assert not down.registered and queue.rows == [("c1", down.code, "pin", "0421")]
    queued = SlipCodes(CodeApi(fail=False), queue).issue(
        "c2", SecondFactor("dob", "1980-04-02"), False
    )
    assert not queued.registered and queue.rows[-1][0] == "c2"

"""A case opened from a slip becomes the session's journey: the right service, its answers, the
first step still needing an answer (or check answers), and a submission naming the SAME case."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from catalogue.loader import load_catalogue_strict
from kiosk.session import IllegalTransition, Session, State, UnknownService
from kiosk.session.resume import ResumedCase, ResumedSubmission, answers_patch

CATALOGUE = load_catalogue_strict(Path(__file__).resolve().parents[3] / "config" / "services")
ABOUT_YOU = {"full_name": "Ann Example", "ni_number": "AB123456C", "date_of_birth": "1980-04-02"}
NEW_ADDRESS = {
    "address_line_1": "1 High Street",
    "town": "Cardiff",
    "postcode": "CF10 1AA",
    "date_moved": (date.today() - timedelta(days=20)).isoformat(),
}
REST = {"others_on_benefits": False, "contact_by": "post"}


def case(answers: dict, status: str = "open", service: str = "change-of-address") -> ResumedCase:
    return ResumedCase("6f1c1d3e-0000-4000-8000-000000000001", "DEMO-ABCD-EFGH-1", service, status,
                       dict(answers), 3)  # fmt: skip


def session() -> Session:
    return Session(CATALOGUE, languages=("en", "cy"))


def test_opens_at_the_first_step_still_needing_an_answer_with_the_answers_in() -> None:
    s = session()
    s.resume_case(case(ABOUT_YOU), language="cy")
    assert s.state is State.STEP and s.current_step.id == "new-address"
    assert s.answers() == ABOUT_YOU and s.language == "cy" and s.errors == {}
    assert s.resumed_reference == "DEMO-ABCD-EFGH-1"


def test_a_complete_case_opens_at_check_answers() -> None:
    s = session()
    s.resume_case(case(ABOUT_YOU | NEW_ADDRESS | REST))
    assert s.state is State.CHECK_ANSWERS


def test_an_answer_no_longer_valid_is_dropped_and_its_step_shows_the_error() -> None:
    s = session()
    moved_long_ago = NEW_ADDRESS | {"date_moved": "2001-01-01"}
    s.resume_case(case(ABOUT_YOU | moved_long_ago | REST))
    assert s.state is State.STEP and s.current_step.id == "new-address"
    assert "date_moved" not in s.answers() and set(s.errors) == {"date_moved"}


def test_submitting_a_resumed_case_names_that_case_and_patches_only_changes() -> None:
    s = session()
    resumed = case(ABOUT_YOU | {"town": "Newport"})
    s.resume_case(resumed)
    assert s.current_step.id == "new-address" and s.answers()["town"] == "Newport"
    assert s.answer(NEW_ADDRESS) == {}
    assert s.answer({"others_on_benefits": False}) == {}
    assert s.answer({"contact_by": "post"}) == {}
    submission = s.confirm_answers()
    assert isinstance(submission, ResumedSubmission)
    assert submission.case_id == resumed.case_id and submission.reference == resumed.reference
    patch = answers_patch(submission.base_answers, submission.answers)
    assert patch == {k: v for k, v in (NEW_ADDRESS | REST).items() if k != "town"} | {
        "town": "Cardiff"
    }


def test_choosing_another_service_forgets_the_resumed_case() -> None:
    s = session()
    s.resume_case(case(ABOUT_YOU))
    s.back()
    s.back()
    assert s.state is State.CHOOSE_SERVICE
    s.choose_service("book-jobcentre-appointment")
    assert s.resumed_reference is None and s.answers() == {}


def test_goodbye_and_wipe_forget_the_resumed_case() -> None:
    s = session()
    s.resume_case(case(ABOUT_YOU))
    s.wipe("idle")
    assert s.state is State.ATTRACT and s.resumed_reference is None and s.answers() == {}


def test_unknown_service_and_mid_journey_are_refused_without_change() -> None:
    s = session()
    with pytest.raises(UnknownService):
        s.resume_case(case({}, service="no-such-service"))
    assert s.state is State.ATTRACT
    s.resume_case(case(ABOUT_YOU))
    with pytest.raises(IllegalTransition):
        s.resume_case(case(ABOUT_YOU))
    assert s.current_step.id == "new-address"


def test_from_the_language_screen_the_resume_keeps_the_session() -> None:
    s = session()
    s.start()
    assert s.state is State.LANGUAGE
    s.resume_case(case(ABOUT_YOU))
    assert s.state is State.STEP and s.kind.value == "citizen"


def test_answers_patch_removes_with_null() -> None:
    assert answers_patch({"a": 1, "b": 2}, {"a": 1, "c": 3}) == {"c": 3, "b": None}


def test_a_scanned_slip_starts_the_resume_only_when_nobody_is_mid_journey() -> None:
    from kiosk.session.resume import scan_starts_resume

    slip = "bcdf-ghjk-lmnp"
    assert scan_starts_resume(slip, State.ATTRACT, False) == "BCDF-GHJK-LMNP"
    assert scan_starts_resume(slip, State.CHOOSE_SERVICE, False) == "BCDF-GHJK-LMNP"
    assert scan_starts_resume(slip, State.CHOOSE_SERVICE, True) is None
    assert scan_starts_resume(slip, State.STEP, False) is None
    assert scan_starts_resume("DEMOOFFICE-7K3M-9", State.ATTRACT, False) is None

"""Kiosk-made references and resume codes are exactly central's: each side parses the other's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.handoff import codes as central_codes
from central.references import ReferenceError as CentralReferenceError
from central.references import make_reference as central_make
from central.references import parse_reference as central_parse
from kiosk.references import (
    RESUME_ALPHABET,
    ReferenceError,
    ResumeCodeError,
    make_case_reference,
    make_resume_code,
    parse_case_reference,
    parse_resume_code,
)

OFFICES = st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(OFFICES)
def test_kiosk_reference_is_accepted_by_central(office: str) -> None:
    ref = make_case_reference(office)
    assert central_parse(ref) == ref
    assert central_parse(ref.lower().replace("-", " ")) == ref
    assert ref.split("-")[0] == office.upper()


@settings(max_examples=150, deadline=None)
@given(OFFICES)
def test_central_reference_is_accepted_by_kiosk(office: str) -> None:
    ref = central_make(office)
    assert parse_case_reference(ref) == ref


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ- o", min_size=0, max_size=24))
def test_kiosk_and_central_agree_on_any_text(text: str) -> None:
    def verdict(parse):  # type: ignore[no-untyped-def]
        try:
            return parse(text)
        except (ReferenceError, CentralReferenceError):
            return "rejected"

    assert verdict(parse_case_reference) == verdict(central_parse)


def test_single_typo_in_a_kiosk_reference_is_caught() -> None:
    ref = make_case_reference("CARDIFF1")
    body_pos = len("CARDIFF1-")
    wrong = "1" if ref[body_pos] != "1" else "2"
    with pytest.raises(ReferenceError):
        parse_case_reference(ref[:body_pos] + wrong + ref[body_pos + 1 :])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10))
def test_kiosk_resume_code_has_central_format(_: int) -> None:
    code = make_resume_code()
    assert len(code) == 14 and code[4] == code[9] == "-"
    assert central_codes.normalise_code(code, central_codes.RESUME_CODE_LETTERS) == code.replace(
        "-", ""
    )
    assert parse_resume_code(code.lower().replace("-", " ")) == code


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10))
def test_central_resume_code_is_accepted_by_kiosk(_: int) -> None:
    code = central_codes.new_resume_code()
    assert parse_resume_code(code) == code


def test_alphabets_agree_with_central() -> None:
    assert RESUME_ALPHABET == central_codes.ALPHABET


@pytest.mark.parametrize("bad", ["", "BCDF-GHJK", "BCDF-GHJK-LMNA", "BCDF-GHJK-LMNPQ", "1234"])
def test_bad_resume_codes_are_refused_by_both(bad: str) -> None:
    with pytest.raises(ResumeCodeError):
        parse_resume_code(bad)
    assert central_codes.normalise_code(bad, central_codes.RESUME_CODE_LETTERS) is None

"""Property-based tests of the real-world rules: generated valid postcodes, NI numbers and dates are
accepted and normalised idempotently; mutations that break a rule are always rejected."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.dates import resolve_limit
from catalogue.model import Field, FieldType, Text
from catalogue.validation import AnswerError, normalise

T = Text("x", "x")
TODAY = date(2026, 3, 31)
POSTCODE = Field("f", FieldType.POSTCODE, T)
NI = Field("f", FieldType.NI_NUMBER, T)

FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q, V, X
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I, J, Z
THIRD_A9A = "ABCDEFGHJKPSTUW"
FOURTH_AA9A = "ABEHMNPRVWXY"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # not C, I, K, M, O, V
digit = st.sampled_from("0123456789")


@st.composite
def outward(draw: st.DrawFn) -> str:
    a = draw(st.sampled_from(FIRST))
    shape = draw(st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]))
    if shape == "A9":
        return a + draw(digit)
    if shape == "A99":
        return a + draw(digit) + draw(digit)
    if shape == "A9A":
        return a + draw(digit) + draw(st.sampled_from(THIRD_A9A))
    b = draw(st.sampled_from(SECOND))
    if shape == "AA9":
        return a + b + draw(digit)
    if shape == "AA99":
        return a + b + draw(digit) + draw(digit)
    return a + b + draw(digit) + draw(st.sampled_from(FOURTH_AA9A))


@st.composite
def postcodes(draw: st.DrawFn) -> tuple[str, str]:
    """(canonical form, as a person might type it)."""
    out = draw(outward())
    inward = draw(digit) + draw(st.sampled_from(INWARD)) + draw(st.sampled_from(INWARD))
    canonical = f"{out} {inward}"
    spaces = draw(st.sampled_from(["", " ", "  ", "\t"]))
    typed = out + spaces + inward
    lower = draw(st.booleans())
    return canonical, (typed.lower() if lower else typed)


def _rejected(field: Field, raw: str, code: str) -> None:
    try:
        normalise(field, raw, TODAY)
    except AnswerError as exc:
        assert exc.code == code
    else:
        raise AssertionError(f"{raw!r} was accepted")


@given(postcodes())
def test_valid_postcodes_are_accepted_and_normalised_idempotently(pc: tuple[str, str]) -> None:
    canonical, typed = pc
    value = normalise(POSTCODE, typed, TODAY)
    assert value == canonical
    assert normalise(POSTCODE, value, TODAY) == value


@given(postcodes(), st.sampled_from("CIKMOV"), st.integers(1, 2))
def test_postcode_with_a_forbidden_inward_letter_is_rejected(
    pc: tuple[str, str], letter: str, position: int
) -> None:
    canonical = pc[0]
    index = len(canonical) - 3 + position
    _rejected(POSTCODE, canonical[:index] + letter + canonical[index + 1 :], "invalid_postcode")


@given(postcodes(), st.sampled_from("QVX"))
def test_postcode_with_a_forbidden_first_letter_is_rejected(
    pc: tuple[str, str], letter: str
) -> None:
    _rejected(POSTCODE, letter + pc[0][1:], "invalid_postcode")


@given(postcodes(), st.sampled_from(["letter-for-digit", "extra-letter", "drop-inward"]))
def test_postcode_with_a_broken_inward_code_is_rejected(pc: tuple[str, str], how: str) -> None:
    canonical = pc[0]
    if how == "letter-for-digit":
        mutated = canonical[:-3] + "A" + canonical[-2:]
    elif how == "extra-letter":
        mutated = canonical + "A"
    else:
        mutated = canonical[:-4]
    _rejected(POSTCODE, mutated, "invalid_postcode")


NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # not D, F, I, Q, U, V
NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # and not O
NOT_ALLOCATED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


@st.composite
def ni_numbers(draw: st.DrawFn) -> str:
    prefix = draw(
        st.tuples(st.sampled_from(NI_FIRST), st.sampled_from(NI_SECOND))
        .map("".join)
        .filter(lambda p: p not in NOT_ALLOCATED)
    )
    digits = "".join(draw(st.lists(digit, min_size=6, max_size=6)))
    return prefix + digits + draw(st.sampled_from("ABCD"))


def _spaced(value: str) -> str:
    return " ".join([value[:2], value[2:4], value[4:6], value[6:8], value[8:]])


@given(ni_numbers(), st.booleans(), st.booleans())
def test_valid_ni_numbers_are_accepted_and_normalised_idempotently(
    ni: str, spaced: bool, lower: bool
) -> None:
    typed = _spaced(ni) if spaced else ni
    typed = typed.lower() if lower else typed
    value = normalise(NI, typed, TODAY)
    assert value == ni
    assert normalise(NI, value, TODAY) == value


@given(ni_numbers(), st.data())
def test_ni_numbers_breaking_an_hmrc_rule_are_rejected(ni: str, data: st.DataObject) -> None:
    rule = data.draw(
        st.sampled_from(["first", "second", "prefix", "suffix", "short", "long", "digit"])
    )
    if rule == "first":
        mutated = data.draw(st.sampled_from("DFIQUV")) + ni[1:]
    elif rule == "second":
        mutated = ni[0] + data.draw(st.sampled_from("DFIQUVO")) + ni[2:]
    elif rule == "prefix":
        mutated = data.draw(st.sampled_from(sorted(NOT_ALLOCATED))) + ni[2:]
    elif rule == "suffix":
        mutated = ni[:-1] + data.draw(st.sampled_from("EFGHJKLMNPQRSTUVWXYZ0123456789"))
    elif rule == "short":
        mutated = ni[:2] + ni[3:]
    elif rule == "long":
        mutated = ni[:8] + "0" + ni[8:]
    else:
        i = data.draw(st.integers(2, 7))
        mutated = ni[:i] + "A" + ni[i + 1 :]
    _rejected(NI, mutated, "invalid_ni_number")


days = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))


@settings(max_examples=200)
@given(days, st.integers(0, 400), st.integers(0, 400), st.data())
def test_dates_within_limits_are_accepted_in_any_form(
    today: date, back: int, ahead: int, data: st.DataObject
) -> None:
    field = Field("f", FieldType.DATE, T, min_date=f"-{back}d", max_date=f"+{ahead}d")
    chosen = data.draw(st.dates(today - timedelta(days=back), today + timedelta(days=ahead)))
    form = data.draw(st.sampled_from(["iso", "dmy", "dict", "date"]))
    raw: object = {
        "iso": chosen.isoformat(),
        "dmy": f"{chosen.day}/{chosen.month}/{chosen.year}",
        "dict": {"day": str(chosen.day), "month": str(chosen.month), "year": str(chosen.year)},
        "date": chosen,
    }[form]
    value = normalise(field, raw, today)
    assert value == chosen.isoformat()
    assert normalise(field, value, today) == value


@given(days, st.integers(0, 400), st.integers(1, 400))
def test_dates_outside_limits_are_rejected(today: date, back: int, beyond: int) -> None:
    field = Field("f", FieldType.DATE, T, min_date=f"-{back}d", max_date="today")
    _early = today - timedelta(days=back + beyond)
    try:
        normalise(field, _early.isoformat(), today)
    except AnswerError as exc:
        assert exc.code == "too_early"
    else:
        raise AssertionError("accepted a date before min_date")
    late = today + timedelta(days=beyond)
    try:
        normalise(field, late.isoformat(), today)
    except AnswerError as exc:
        assert exc.code == "too_late"
    else:
        raise AssertionError("accepted a date after max_date")


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(29, 40))
def test_impossible_days_are_not_dates(year: int, month: int, day: int) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        day = 32
    field = Field("f", FieldType.DATE, T)
    _rejected(field, f"{year}-{month:02d}-{day:02d}", "not_a_date")
    _rejected(field, f"{day}/{month}/{year}", "not_a_date")


@given(days, st.integers(-240, 240))
def test_month_offsets_land_in_the_right_month_without_overflow(today: date, months: int) -> None:
    sign = "+" if months >= 0 else "-"
    result = resolve_limit(f"{sign}{abs(months)}m", today)
    assert (result.year * 12 + result.month) - (today.year * 12 + today.month) == months
    assert result.day == min(today.day, calendar.monthrange(result.year, result.month)[1])

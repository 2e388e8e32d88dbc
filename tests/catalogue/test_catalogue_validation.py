"""normalise / validate_step / validate_answers: what each kind of answer becomes, and which
answers are turned away with which code and message."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue.model import Field, FieldType, Option, Service, ShowIf, Step, Text
from catalogue.validation import (
    AnswerError,
    normalise,
    validate_answers,
    validate_step,
    visible_steps,
)

TODAY = date(2026, 3, 31)
T = Text("x", "x")


def _field(kind: FieldType, **kw: object) -> Field:
    return Field(id="f", type=kind, label=T, **kw)  # type: ignore[arg-type]


def _code(f: Field, raw: object) -> str:
    with pytest.raises(AnswerError) as caught:
        normalise(f, raw, TODAY)
    assert caught.value.field_id == "f"
    assert caught.value.message.en and caught.value.message.cy
    return caught.value.code


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (FieldType.TEXT, "  Megan   Jones ", "Megan Jones"),
        (FieldType.NUMBER, "3", 3),
        (FieldType.NUMBER, "2.5", 2.5),
        (FieldType.NUMBER, 7, 7),
        (FieldType.NUMBER, "1,200", 1200),
        (FieldType.DATE, "2026-03-01", "2026-03-01"),
        (FieldType.DATE, "1/3/2026", "2026-03-01"),
        (FieldType.DATE, {"day": "1", "month": "3", "year": "2026"}, "2026-03-01"),
        (FieldType.DATE, date(2026, 3, 1), "2026-03-01"),
        (FieldType.YES_NO, "Yes", True),
        (FieldType.YES_NO, "ie", True),
        (FieldType.YES_NO, "NA", False),
        (FieldType.YES_NO, False, False),
        (FieldType.YES_NO, "false", False),
        (FieldType.PHONE, "07700 900 982", "07700900982"),
        (FieldType.PHONE, "+44 (808) 157-0192", "+448081570192"),
        (FieldType.PHONE, "0044 808 157 0192", "+448081570192"),
        (FieldType.EMAIL, "  a.b@example.co.uk ", "a.b@example.co.uk"),
        (FieldType.POSTCODE, "cf103nq", "CF10 3NQ"),
        (FieldType.POSTCODE, " sw1a  1aa ", "SW1A 1AA"),
        (FieldType.POSTCODE, "gir0aa", "GIR 0AA"),
        (FieldType.NI_NUMBER, "ab 12 34 56 c", "AB123456C"),
    ],
)
def test_normalised_forms(kind: FieldType, raw: object, expected: object) -> None:
    value = normalise(_field(kind), raw, TODAY)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        (_field(FieldType.TEXT), "   ", "required"),
        (_field(FieldType.TEXT, max=3), "abcd", "too_long"),
        (_field(FieldType.TEXT, min=2), "a", "too_short"),
        (_field(FieldType.TEXT, pattern=r"[A-Z]+"), "abc", "pattern"),
        (_field(FieldType.NUMBER), "three", "not_a_number"),
        (_field(FieldType.NUMBER), "nan", "not_a_number"),
        (_field(FieldType.NUMBER), float("inf"), "not_a_number"),
        (_field(FieldType.NUMBER), True, "not_a_number"),
        (_field(FieldType.NUMBER, min=1), "0", "too_small"),
        (_field(FieldType.NUMBER, max=10), 11, "too_large"),
        (_field(FieldType.DATE), "2026-02-30", "not_a_date"),
        (_field(FieldType.DATE), "yesterday", "not_a_date"),
        (_field(FieldType.DATE), {"day": "x"}, "not_a_date"),
        (_field(FieldType.DATE, min_date="-3m"), "2025-12-30", "too_early"),
        (_field(FieldType.DATE, max_date="today"), "2026-04-01", "too_late"),
        (_field(FieldType.DATE, max_date="-18y"), "2008-04-01", "too_late"),
        (_field(FieldType.YES_NO), "maybe", "not_an_option"),
        (_field(FieldType.CHOICE, options=(Option("a", T),)), "b", "not_an_option"),
        (_field(FieldType.PHONE), "12345", "invalid_phone"),
        (_field(FieldType.PHONE), "07700 9OO 982", "invalid_phone"),
        (_field(FieldType.EMAIL), "a@b", "invalid_email"),
        (_field(FieldType.EMAIL), "a b@c.com", "invalid_email"),
        (_field(FieldType.POSTCODE), "CF10", "invalid_postcode"),
        (_field(FieldType.POSTCODE), "QA1 1AA", "invalid_postcode"),
        (_field(FieldType.NI_NUMBER), "QQ123456C", "invalid_ni_number"),
        (_field(FieldType.NI_NUMBER), "AB123456E", "invalid_ni_number"),
        (_field(FieldType.NI_NUMBER), "GB123456A", "invalid_ni_number"),
        (_field(FieldType.NI_NUMBER), 123, "invalid_ni_number"),
    ],
)
def test_rejected_answers(field: Field, raw: object, code: str) -> None:
    assert _code(field, raw) == code


def test_optional_empty_answer_is_none() -> None:
    f = _field(FieldType.POSTCODE, required=False)
    assert normalise(f, "", TODAY) is None
    assert normalise(f, None, TODAY) is None


def test_date_messages_name_the_limit_in_both_languages() -> None:
    with pytest.raises(AnswerError) as caught:
        normalise(_field(FieldType.DATE, min_date="-1m"), "2026-02-27", TODAY)
    assert caught.value.message.en == "The date must be 28 February 2026 or later"
    assert caught.value.message.cy == "Rhaid i’r dyddiad fod ar 28 Chwefror 2026 neu ar ôl hynny"


def test_field_messages_override_generic_ones() -> None:
    f = _field(FieldType.TEXT, errors=(("required", Text("Enter your name", "Rhowch eich enw")),))
    with pytest.raises(AnswerError) as caught:
        normalise(f, "", TODAY)
    assert caught.value.message == Text("Enter your name", "Rhowch eich enw")
    f = _field(FieldType.TEXT, pattern="[0-9]+", pattern_error=Text("Digits", "Digidau"))
    with pytest.raises(AnswerError) as caught:
        normalise(f, "x", TODAY)
    assert caught.value.message.cy == "Digidau"
    with pytest.raises(AnswerError) as caught:
        normalise(_field(FieldType.NUMBER, min=2), 1, TODAY)
    assert caught.value.message.en == "Enter a number that is 2 or more"


def _service() -> Service:
    return Service(
        id="s",
        title=T,
        summary=T,
        help=T,
        life_events=(),
        steps=(
            Step(
                "one",
                T,
                (
                    Field("moved", FieldType.YES_NO, T),
                    Field("postcode", FieldType.POSTCODE, T, show_if=ShowIf("moved", equals=True)),
                ),
            ),
            Step(
                "two",
                T,
                (Field("count", FieldType.NUMBER, T, min=1),),
                show_if=ShowIf("moved", equals=True),
            ),
        ),
    )


def test_validate_step_sees_answers_given_earlier_on_the_same_step() -> None:
    answers, errors = validate_step(
        _service(), "one", {"moved": "ie", "postcode": "cf10 3nq"}, TODAY
    )
    assert answers == {"moved": True, "postcode": "CF10 3NQ"} and errors == {}
    answers, errors = validate_step(
        _service(), "one", {"moved": "no", "postcode": "rubbish"}, TODAY
    )
    assert answers == {"moved": False} and errors == {}
    answers, errors = validate_step(_service(), "one", {"moved": "yes"}, TODAY)
    assert errors["postcode"].code == "required"
    with pytest.raises(KeyError):
        validate_step(_service(), "nope", {}, TODAY)


def test_visible_steps_follow_earlier_answers() -> None:
    assert [s.id for s in visible_steps(_service(), {"moved": True})] == ["one", "two"]
    assert [s.id for s in visible_steps(_service(), {"moved": False})] == ["one"]


def test_validate_answers_whole_set() -> None:
    s = _service()
    assert validate_answers(s, {"moved": "yes", "postcode": "SW1A1AA", "count": "2"}, TODAY) == {}
    errors = validate_answers(s, {"moved": "no", "count": 2, "colour": "red"}, TODAY)
    assert {k: e.code for k, e in errors.items()} == {"count": "not_visible", "colour": "unknown"}
    errors = validate_answers(s, {"moved": "yes"}, TODAY)
    assert {k: e.code for k, e in errors.items()} == {"postcode": "required", "count": "required"}
    assert validate_answers(s, {"moved": "yes"}, TODAY, complete=False) == {}
    errors = validate_answers(s, {"moved": "yes", "count": 0}, TODAY, complete=False)
    assert errors["count"].code == "too_small"

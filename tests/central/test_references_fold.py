"""Case references (Crockford base32 + mod-37 check) and the event fold, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.fold import CaseState, Event, FoldError, apply, fold
from central.references import (
    ALPHABET,
    ReferenceError,
    check_symbol,
    make_reference,
    parse_reference,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_reference_shape_and_round_trip() -> None:
    ref = make_reference("Leeds-1")
    office, a, b, check = ref.split("-")
    assert office == "LEEDS1" and len(a) == len(b) == 4 and len(check) == 1
    assert set(a + b) <= set(ALPHABET)
    assert parse_reference(ref) == ref


def test_known_check_symbol() -> None:
    # "0000000G" is 16 → "G"; "00000010" is 32 → "*" (first extra check symbol); 37 wraps to "0"
    assert check_symbol("0000000G") == "G"
    assert check_symbol("00000010") == "*"
    assert check_symbol("00000014") == "U"  # 36, the last check symbol
    assert check_symbol("0000000Z") == "Z"
    assert check_symbol("00000015") == "0"  # 1*32 + 5 = 37


def test_forgiving_decode() -> None:
    ref = "AB-1010-0110-" + check_symbol("10100110")
    typed = ref.lower().replace("1", "l").replace("0", "o").replace("-", " ")
    assert parse_reference(typed.replace("ab", "AB", 1)) == ref
    assert parse_reference(ref.replace("-", "")[:2] + "-" + ref.replace("-", "")[2:]) == ref


@given(
    st.text(alphabet=ALPHABET, min_size=8, max_size=8), st.integers(0, 7), st.sampled_from(ALPHABET)
)
def test_every_single_substitution_is_caught(body: str, pos: int, ch: str) -> None:
    ref = f"X-{body[:4]}-{body[4:]}-{check_symbol(body)}"
    wrong = body[:pos] + ch + body[pos + 1 :]
    if wrong == body:
        return
    with pytest.raises(ReferenceError):
        parse_reference(f"X-{wrong[:4]}-{wrong[4:]}-{check_symbol(body)}")
    assert parse_reference(ref) == ref


@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8), st.integers(0, 6))
def test_adjacent_transpositions_are_caught(body: str, pos: int) -> None:
    swapped = body[:pos] + body[pos + 1] + body[pos] + body[pos + 2 :]
    if swapped == body:
        return
    with pytest.raises(ReferenceError):
        parse_reference(f"X-{swapped}{check_symbol(body)}")


@pytest.mark.parametrize(
    "text", ["", "X", "X-1234", "X-1234-567U-0", "X-12345678-!", "ÄÖ-12345678-0"]
)
def test_bad_references_are_refused(text: str) -> None:
    with pytest.raises(ReferenceError):
        parse_reference(text)


def ev(type_: str, at: int = 0, **payload: object) -> Event:
    return Event(type_, payload, T0.replace(minute=at))


def test_fold_walks_the_case_life() -> None:
    s = fold(
        [
            ev("created", service_id="svc", answers={"a": 1, "b": 2}),
            ev("answers_changed", answers={"b": None, "c": 3}),
            ev("help_requested", at=5),
            ev("handed_off", at=9, to="staff"),  # already queued: queue time kept
        ]
    )
    assert (s.status, s.answers, s.version) == ("waiting_for_staff", {"a": 1, "c": 3}, 4)
    assert s.queued_at == T0.replace(minute=5)
    s = apply(s, ev("assigned", staff_id="st1"))
    assert (s.status, s.assigned_to, s.queued_at) == ("with_staff", "st1", None)
    s = apply(s, ev("unassigned", at=20))
    assert (s.status, s.assigned_to, s.queued_at) == (
        "waiting_for_staff",
        None,
        T0.replace(minute=20),
    )
    s = apply(s, ev("closed"))
    assert s.status == "closed"
    assert apply(s, ev("note_added", text="called back")).notes == 1


@pytest.mark.parametrize(
    ("events", "bad"),
    [
        ([], ev("submitted")),
        ([ev("created", service_id="s")], ev("created", service_id="s")),
        ([ev("created", service_id="s"), ev("closed")], ev("answers_changed", answers={})),
        ([ev("created", service_id="s"), ev("submitted")], ev("submitted")),
        ([ev("created", service_id="s")], ev("unassigned")),
        ([ev("created", service_id="s")], ev("bogus")),
    ],
)
def test_fold_refuses_illegal_events(events: list[Event], bad: Event) -> None:
    state = fold(events)
    with pytest.raises(FoldError):
        apply(state, bad)


def test_handoff_to_web_keeps_status() -> None:
    s = fold([ev("created", service_id="s"), Event("handed_off", {"to": "web"}, T0, "kiosk")])
    assert (
        s.status == "open"
        and s.last_channel == "kiosk"
        and s
        == apply(CaseState(), ev("created", service_id="s")).__class__(
            status="open", service_id="s", answers={}, version=2, last_channel="kiosk"
        )
    )

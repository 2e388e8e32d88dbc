"""After a wipe, nothing of the previous person is reachable from the session object."""

from __future__ import annotations

import logging
import types
from collections import deque
from collections.abc import Iterator

import pytest
from test_session_support import IDLE, make_session, to_check_answers

from kiosk.session import Session, State

NAME = "Zebedee Quorn-Pilkington"
ADDRESS = "12 Quarry Lane, Aberdare"
REFERENCE = "REF-QX9-SECRET"
CARD = "6789-SWIPE-TRACK"
FEEDBACK = "the-printer-was-slow-zq"
PII = (NAME, ADDRESS, REFERENCE, CARD, FEEDBACK)


def reachable_strings(root: object) -> Iterator[str]:
    """Every string reachable from ``root`` through attributes and containers (no gc tricks)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
            continue
        if isinstance(obj, bytes | bytearray):
            yield bytes(obj).decode("latin-1")
            continue
        if isinstance(
            obj,
            types.FunctionType
            | types.MethodType
            | types.BuiltinFunctionType
            | type
            | types.ModuleType,
        ):
            continue  # subscribers and classes belong to the caller, not to the session
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
            continue
        if isinstance(obj, list | tuple | set | frozenset | deque):
            stack.extend(obj)
            continue
        if hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())
        for slot in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, slot):
                stack.append(getattr(obj, slot))


def leftovers(session: Session) -> list[str]:
    return [s for s in reachable_strings(session) for p in PII if p in s]


def full_visit(session: Session) -> None:
    to_check_answers(session, name=NAME)
    session.buffer_device_input("card-reader", CARD)
    session.confirm_answers()
    session.submission_succeeded(REFERENCE)
    session.buffer_device_input("scanner", CARD.encode())


def test_the_walker_finds_the_person_before_the_wipe() -> None:
    session, _ = make_session()
    full_visit(session)
    found = leftovers(session)
    assert any(NAME in s for s in found) and any(REFERENCE in s for s in found)
    assert any(CARD in s for s in found)


@pytest.mark.parametrize("how", ["wipe", "idle", "end", "feedback"])
def test_nothing_of_the_previous_person_is_reachable_afterwards(how: str) -> None:
    session, clock = make_session()
    events: list[object] = []
    session.subscribe(events.append)
    full_visit(session)
    if how == "wipe":
        session.wipe()
    elif how == "idle":
        clock.advance(IDLE.warning_after_s)
        session.tick()
        clock.advance(IDLE.respond_s)
        session.tick()
    elif how == "end":
        session.end()
    else:
        session.choose_outcome("phone")
        session.give_feedback(2, comment=FEEDBACK)
    assert session.state in (State.ATTRACT, State.GOODBYE)
    assert leftovers(session) == []
    assert [
        s for s in reachable_strings(events) for p in PII if p in s
    ] == []  # events carry no PII
    snap = session.snapshot()
    assert snap["answers"] == {} and snap["reference"] is None and snap["device_input"] == 0
    assert session.records() == () and session.take_device_input() == [] and session.draft is None
    assert NAME not in repr(session)


def test_containers_handed_out_before_the_wipe_are_copies() -> None:
    session, _ = make_session()
    to_check_answers(session, name=NAME)
    answers_before = session.answers()
    session.wipe()
    assert answers_before["full_name"] == NAME  # the caller's copy is the caller's business
    assert session.answers() == {}


def test_reprs_of_records_and_device_input_hide_the_values() -> None:
    session, _ = make_session()
    to_check_answers(session, name=NAME)
    session.buffer_device_input("card-reader", CARD)
    assert all(NAME not in repr(r) for r in session.records())
    assert all(CARD not in repr(d) for d in session.take_device_input())


def test_the_outbox_keeps_its_submission_after_the_wipe() -> None:
    session, _ = make_session()
    to_check_answers(session, name=NAME)
    submission = session.confirm_answers()
    assert submission is not None
    session.wipe()
    assert submission.answers["full_name"] == NAME  # handed over before the wipe: the outbox's copy
    assert leftovers(session) == []


def test_no_personal_data_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    session, _ = make_session()

    def broken(_: object) -> None:
        raise RuntimeError("screen failed")

    session.subscribe(broken)  # its traceback is logged too
    full_visit(session)
    session.choose_outcome("print")
    session.give_feedback(1, comment=FEEDBACK)
    assert "start" in caplog.text and "screen failed" in caplog.text
    assert not [p for p in PII if p in caplog.text]

"""Idle warning, "more time" and the wipe, with a fake clock (no test sleeps)."""

from __future__ import annotations

import pytest
from test_session_support import IDLE, make_session, to_check_answers, to_not_eligible

from kiosk.config import IdleConfig
from kiosk.session import (
    PERSON_STATES,
    IdleWarning,
    IdleWarningCleared,
    IllegalTransition,
    Session,
    SessionKind,
    State,
    StateChanged,
    Wiped,
)
from kiosk.session.idle import IdleSignal, IdleTimer
from tests.support.clocks import FakeClock

WARN, RESPOND = IDLE.warning_after_s, IDLE.respond_s


def at_step() -> tuple[Session, FakeClock]:
    session, clock = make_session()
    session.start()
    session.choose_language("en")
    session.choose_service("move-home")
    session.answer({"full_name": "Nye Bevan-Tredegar"})
    return session, clock


def test_warning_comes_after_n_seconds_then_the_wipe_after_respond_s() -> None:
    session, clock = at_step()
    clock.advance(WARN - 0.1)
    assert session.tick() == []
    clock.advance(0.1)
    assert session.tick() == [IdleWarning(RESPOND)]
    assert session.snapshot()["idle_warning"] is True
    assert session.seconds_left() == RESPOND
    assert session.tick() == []  # warned once, not on every tick
    clock.advance(RESPOND - 0.1)
    assert session.tick() == []
    assert session.state is State.STEP and session.answers()  # still there
    clock.advance(0.1)
    assert session.tick() == [Wiped("idle"), StateChanged(State.STEP, State.ATTRACT, "wipe")]
    snap = session.snapshot()
    assert snap["state"] == "attract" and snap["answers"] == {} and snap["idle_warning"] is False


def test_more_time_hides_the_warning_and_restarts_the_count() -> None:
    session, clock = at_step()
    heard: list[object] = []
    session.subscribe(heard.append)
    clock.advance(WARN)
    session.tick()
    clock.advance(RESPOND - 1)
    assert session.more_time() is True
    assert heard == [IdleWarning(RESPOND), IdleWarningCleared()]
    assert session.snapshot()["idle_warning"] is False and session.seconds_left() is None
    clock.advance(WARN - 1)
    assert session.tick() == []
    clock.advance(1)
    assert session.tick() == [IdleWarning(RESPOND)]
    assert session.more_time() is True
    assert session.state is State.STEP and session.current_step.id == "abroad"  # same screen


def test_any_touch_or_action_counts_as_activity() -> None:
    session, clock = at_step()
    clock.advance(WARN - 10)
    session.touch()
    clock.advance(WARN - 10)
    assert session.tick() == []
    clock.advance(10)
    assert session.tick() == [IdleWarning(RESPOND)]
    session.touch()
    assert session.snapshot()["idle_warning"] is False
    clock.advance(WARN - 1)
    session.answer({"moving_abroad": "no"})  # answering also restarts the count
    clock.advance(WARN - 1)
    assert session.tick() == []


def test_more_time_without_a_warning_is_harmless_and_illegal_when_nobody_is_there() -> None:
    session, _ = at_step()
    assert session.more_time() is False
    session.wipe()
    with pytest.raises(IllegalTransition, match="cannot more_time in state 'attract'"):
        session.more_time()


def test_a_late_tick_still_gives_the_full_time_to_respond() -> None:
    session, clock = at_step()
    clock.advance(WARN + RESPOND + 500)  # the app's timer was stalled
    assert session.tick() == [IdleWarning(RESPOND)]
    clock.advance(RESPOND - 0.1)
    assert session.tick() == []
    clock.advance(0.1)
    assert Wiped("idle") in session.tick()


@pytest.mark.parametrize(
    "state", sorted((PERSON_STATES - {State.SUBMITTING}) | {State.DIAGNOSTICS}), ids=str
)
def test_every_state_with_a_person_warns_and_wipes(state: State) -> None:
    session, clock = make_session()
    if state is State.DIAGNOSTICS:
        session.start(SessionKind.DIAGNOSTICS, staff_id="TEC1")
    elif state is State.NOT_ELIGIBLE:
        session, clock = to_not_eligible()
    else:
        to_check_answers(session)
        if state in (State.OUTCOME, State.FEEDBACK):
            session.confirm_answers()
            session.submission_succeeded("R-1")
            if state is State.FEEDBACK:
                session.choose_outcome("staff")
        elif state is not State.CHECK_ANSWERS:
            session.wipe()
            session.start()
            if state is not State.LANGUAGE:
                session.choose_language("en")
            if state is State.STEP:
                session.choose_service("move-home")
    assert session.state is state
    clock.advance(WARN)
    assert session.tick() == [IdleWarning(RESPOND)]
    clock.advance(RESPOND)
    assert session.tick()[-1] == StateChanged(state, State.ATTRACT, "wipe")
    assert session.snapshot()["kind"] is None


def test_no_wipe_while_the_case_is_being_submitted() -> None:
    session, clock = make_session()
    to_check_answers(session)
    clock.advance(WARN - 1)
    session.confirm_answers()
    clock.advance(10 * (WARN + RESPOND))
    assert session.tick() == []
    session.submission_succeeded("R-2")
    clock.advance(WARN - 1)
    assert session.tick() == []  # the count restarts on the outcome screen
    clock.advance(1)
    assert session.tick() == [IdleWarning(RESPOND)]


def test_nothing_happens_on_the_attract_screen() -> None:
    session, clock = make_session()
    clock.advance(10_000)
    assert session.tick() == []
    assert session.state is State.ATTRACT


def test_the_timer_refuses_less_than_20_seconds_to_respond() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="at least 20 s"):
        IdleTimer(clock, warning_after_s=60, respond_s=19.9)
    with pytest.raises(ValueError, match="at least 20 s"):
        IdleConfig(60, 10)
    timer = IdleTimer(clock, warning_after_s=30, respond_s=20)
    assert timer.poll() is None  # not started
    timer.restart()
    clock.advance(30)
    assert timer.poll() is IdleSignal.WARN
    clock.advance(20)
    assert timer.poll() is IdleSignal.WIPE


def test_idle_config_derives_the_wipe_time() -> None:
    assert IdleConfig(45, 25).wipe_after_s == 70


def test_fake_clock_moves_both_readings_and_never_backwards() -> None:
    clock = FakeClock()
    start, mono = clock.now(), clock.monotonic()
    clock.advance(2.5)
    assert (clock.now() - start).total_seconds() == 2.5 and clock.monotonic() - mono == 2.5
    assert clock.now().utcoffset() is not None and clock.now().utcoffset().total_seconds() == 0
    with pytest.raises(ValueError):
        clock.advance(-1)

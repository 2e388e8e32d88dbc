"""Every transition of the session machine, legal and illegal, driven with a fake clock."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from test_session_support import (
    CATALOGUE,
    IDLE,
    make_session,
    to_check_answers,
    to_not_eligible,
)

from kiosk.session import (
    TRANSITIONS,
    Action,
    ActorType,
    IllegalTransition,
    InvalidRequest,
    OutcomeKind,
    Session,
    SessionKind,
    State,
    StateChanged,
    UnknownLifeEvent,
    UnknownService,
    UnknownStep,
    UnsupportedLanguage,
    Wiped,
)
from tests.support.clocks import FakeClock

S = State


def drive_to(state: State) -> Session:
    """A session standing in ``state``, reached through legal moves only."""
    session, _ = make_session()
    if state is S.ATTRACT:
        return session
    if state is S.DIAGNOSTICS:
        session.start(SessionKind.DIAGNOSTICS, staff_id="TEC7")
        return session
    if state is S.NOT_ELIGIBLE:  # a catalogue outcome ("not eligible") met by an answer
        session, _ = to_not_eligible()
    elif state is S.LANGUAGE:
        session.start()
    elif state is S.CHOOSE_SERVICE:
        session.start()
        session.choose_language("en")
    elif state is S.STEP:
        session.start()
        session.choose_language("en")
        session.choose_service("move-home")
    else:
        to_check_answers(session)
        if state is not S.CHECK_ANSWERS:
            assert session.confirm_answers() is not None
        if state in (S.OUTCOME, S.FEEDBACK, S.GOODBYE):
            session.submission_succeeded("KX7-4RT9")
        if state in (S.FEEDBACK, S.GOODBYE):
            session.choose_outcome("phone")
        if state is S.GOODBYE:
            session.skip_feedback()
    assert session.state is state
    return session


CALLS: dict[Action, Callable[[Session], object]] = {
    Action.START: lambda s: s.start(),
    Action.CHOOSE_LANGUAGE: lambda s: s.choose_language("cy"),
    Action.CHOOSE_SERVICE: lambda s: s.choose_service("move-home"),
    Action.ANSWER: lambda s: s.answer({"full_name": "Ada"}),
    Action.BACK: lambda s: s.back(),
    Action.EDIT: lambda s: s.edit("who"),
    Action.CONFIRM_ANSWERS: lambda s: s.confirm_answers(),
    Action.ASK_HELP: lambda s: s.ask_help(),
    Action.SUBMISSION_SUCCEEDED: lambda s: s.submission_succeeded("KX7-4RT9"),
    Action.SUBMISSION_FAILED: lambda s: s.submission_failed("disk-full"),
    Action.CHOOSE_OUTCOME: lambda s: s.choose_outcome("phone"),
    Action.FINISH: lambda s: s.finish(),
    Action.GIVE_FEEDBACK: lambda s: s.give_feedback(4),
    Action.SKIP_FEEDBACK: lambda s: s.skip_feedback(),
    Action.END: lambda s: s.end(),
    Action.MORE_TIME: lambda s: s.more_time(),
}

# (action, from, expected state after the CALLS entry) for every row of the table.
LEGAL: list[tuple[Action, State, State]] = [
    (Action.START, S.ATTRACT, S.LANGUAGE),
    (Action.START, S.GOODBYE, S.LANGUAGE),
    (Action.CHOOSE_LANGUAGE, S.LANGUAGE, S.CHOOSE_SERVICE),
    (Action.CHOOSE_LANGUAGE, S.CHOOSE_SERVICE, S.CHOOSE_SERVICE),
    (Action.CHOOSE_LANGUAGE, S.STEP, S.STEP),
    (Action.CHOOSE_LANGUAGE, S.CHECK_ANSWERS, S.CHECK_ANSWERS),
    (Action.CHOOSE_LANGUAGE, S.NOT_ELIGIBLE, S.NOT_ELIGIBLE),
    (Action.CHOOSE_LANGUAGE, S.OUTCOME, S.OUTCOME),
    (Action.CHOOSE_LANGUAGE, S.FEEDBACK, S.FEEDBACK),
    (Action.CHOOSE_SERVICE, S.CHOOSE_SERVICE, S.STEP),
    (Action.ANSWER, S.STEP, S.STEP),
    (Action.BACK, S.CHOOSE_SERVICE, S.LANGUAGE),
    (Action.BACK, S.STEP, S.CHOOSE_SERVICE),
    (Action.BACK, S.CHECK_ANSWERS, S.STEP),
    (Action.BACK, S.NOT_ELIGIBLE, S.STEP),
    (Action.EDIT, S.CHECK_ANSWERS, S.STEP),
    (Action.CONFIRM_ANSWERS, S.CHECK_ANSWERS, S.SUBMITTING),
    (Action.ASK_HELP, S.STEP, S.SUBMITTING),
    (Action.ASK_HELP, S.CHECK_ANSWERS, S.SUBMITTING),
    (Action.SUBMISSION_SUCCEEDED, S.SUBMITTING, S.OUTCOME),
    (Action.SUBMISSION_FAILED, S.SUBMITTING, S.CHECK_ANSWERS),
    (Action.CHOOSE_OUTCOME, S.OUTCOME, S.FEEDBACK),
    (Action.FINISH, S.OUTCOME, S.FEEDBACK),
    (Action.GIVE_FEEDBACK, S.FEEDBACK, S.GOODBYE),
    (Action.SKIP_FEEDBACK, S.FEEDBACK, S.GOODBYE),
    (Action.END, S.LANGUAGE, S.GOODBYE),
    (Action.END, S.CHOOSE_SERVICE, S.GOODBYE),
    (Action.END, S.STEP, S.GOODBYE),
    (Action.END, S.CHECK_ANSWERS, S.GOODBYE),
    (Action.END, S.NOT_ELIGIBLE, S.GOODBYE),
    (Action.END, S.OUTCOME, S.GOODBYE),
    (Action.END, S.FEEDBACK, S.GOODBYE),
    (Action.END, S.DIAGNOSTICS, S.ATTRACT),
    (Action.END, S.GOODBYE, S.ATTRACT),
    *[(Action.MORE_TIME, s, s) for s in TRANSITIONS[Action.MORE_TIME]],
]
NOT_CALLED = {Action.WIPE, Action.GOODBYE_TIMEOUT}  # covered by the idle and wipe tests


def test_the_legal_list_covers_every_row_of_the_table() -> None:
    rows = {(a, s) for a, by_state in TRANSITIONS.items() if a not in NOT_CALLED for s in by_state}
    assert rows == {(a, s) for a, s, _ in LEGAL}
    for action, source, target in LEGAL:
        assert target in TRANSITIONS[action][source], (action, source, target)


@pytest.mark.parametrize(("action", "source", "target"), LEGAL, ids=lambda v: str(v))
def test_every_legal_transition(action: Action, source: State, target: State) -> None:
    session = drive_to(source)
    seen: list[StateChanged] = []
    session.subscribe(lambda e: seen.append(e) if isinstance(e, StateChanged) else None)
    CALLS[action](session)
    assert session.state is target
    if action is not Action.MORE_TIME:
        assert seen[-1] == StateChanged(source, target, action.value)


ILLEGAL = [
    (action, state) for action in CALLS for state in State if state not in TRANSITIONS[action]
]


@pytest.mark.parametrize(("action", "state"), ILLEGAL, ids=lambda v: str(v))
def test_every_illegal_transition_raises_a_precise_error(action: Action, state: State) -> None:
    session = drive_to(state)
    before = session.snapshot()
    with pytest.raises(IllegalTransition) as caught:
        CALLS[action](session)
    allowed = sorted(TRANSITIONS[action])
    assert caught.value.state == state.value
    assert caught.value.action == action.value
    assert caught.value.allowed == tuple(allowed)
    assert str(caught.value) == (
        f"cannot {action.value} in state '{state.value}'; "
        f"{action.value} is allowed only in: {', '.join(allowed)}"
    )
    assert session.snapshot() == before  # nothing changed


def test_a_fresh_session_is_on_the_attract_screen_holding_nothing() -> None:
    session, _ = make_session()
    snap = session.snapshot()
    assert snap["state"] == "attract"
    assert snap["kind"] is None and snap["service_id"] is None and snap["answers"] == {}


def test_start_checks_the_kind_and_the_staff_id() -> None:
    session, _ = make_session()
    with pytest.raises(InvalidRequest, match="needs the staff id"):
        session.start(SessionKind.ASSISTED)
    with pytest.raises(InvalidRequest, match="has no staff id"):
        session.start(SessionKind.CITIZEN, staff_id="STF1")
    with pytest.raises(InvalidRequest, match="unknown session kind 'robot'"):
        session.start("robot")
    assert session.state is S.ATTRACT
    session.start("assisted", staff_id="STF1")
    assert (session.state, session.kind, session.staff_id) == (
        S.LANGUAGE,
        SessionKind.ASSISTED,
        "STF1",
    )


def test_a_kiosk_with_one_language_skips_the_language_screen() -> None:
    session, _ = make_session(languages=("cy",), default_language="cy")
    session.start()
    assert session.state is S.CHOOSE_SERVICE
    assert session.language == "cy"


def test_diagnostics_session_allows_only_diagnostics_actions() -> None:
    session, _ = make_session()
    session.start(SessionKind.DIAGNOSTICS, staff_id="TEC9")
    assert session.snapshot()["kind"] == "diagnostics"
    for call in (lambda: session.choose_service("move-home"), lambda: session.answer({})):
        with pytest.raises(IllegalTransition, match="in state 'diagnostics'"):
            call()
    assert session.buffer_device_input("scanner", "TEST-CODE-1") is True
    session.end()
    assert session.state is S.ATTRACT and session.kind is None


def test_language_must_be_offered_and_a_switch_keeps_the_answers() -> None:
    session, _ = make_session()
    session.start()
    with pytest.raises(UnsupportedLanguage, match="'fr' is not offered here; offered: en, cy"):
        session.choose_language("fr")
    session.choose_language("en")
    session.choose_service("move-home")
    session.answer({"full_name": "Gwen Ap Rhys"})
    session.choose_language("cy")
    assert session.state is S.STEP and session.current_step.id == "abroad"
    assert session.language == "cy"
    assert session.answers() == {"full_name": "Gwen Ap Rhys"}


def test_choose_service_rejects_unknown_and_staff_only_services() -> None:
    session = drive_to(S.CHOOSE_SERVICE)
    with pytest.raises(UnknownService, match="'nope'"):
        session.choose_service("nope")
    with pytest.raises(UnknownService, match="'staff-only'"):
        session.choose_service("staff-only")
    assert session.state is S.CHOOSE_SERVICE


def test_life_events_and_a_to_z_list_only_kiosk_services() -> None:
    session = drive_to(S.CHOOSE_SERVICE)
    assert [e.id for e in session.list_life_events()] == [
        "work",
        "moving",
    ]  # "Looking…" < "Moving…"
    assert [s.id for s in session.services_for_event("work")] == ["benefit-letter"]
    assert [s.id for s in session.services_a_to_z()] == ["benefit-letter", "move-home"]
    with pytest.raises(UnknownLifeEvent):
        session.services_for_event("birthday")
    assert "staff-only" in CATALOGUE.services  # present in the catalogue, hidden at the kiosk


def test_invalid_answers_keep_the_person_on_the_step_with_errors() -> None:
    session = drive_to(S.STEP)
    errors = session.answer({"full_name": "   "})
    assert set(errors) == {"full_name"}
    assert session.state is S.STEP and session.current_step.id == "who"
    assert session.snapshot()["errors"] == {"full_name": errors["full_name"].code}
    assert session.answers() == {}
    assert session.answer({"full_name": "Ada"}) == {}
    assert session.snapshot()["errors"] == {}


@pytest.mark.parametrize(
    ("abroad", "shown", "skipped"),
    [("no", "new-address", "country"), ("yes", "country", "new-address")],
)
def test_conditional_steps_are_skipped_forward_and_back(
    abroad: str, shown: str, skipped: str
) -> None:
    session = drive_to(S.STEP)
    visited = [session.current_step.id]
    for values in (
        {"full_name": "Ada"},
        {"moving_abroad": abroad},
        {"address_line": "1 A St", "country": "Chile"},
    ):
        own = {f.id for f in session.current_step.fields}
        session.answer({k: v for k, v in values.items() if k in own})
        visited.append(session.current_step.id)
    assert visited == ["who", "abroad", shown, "contact"]
    backwards = []
    while session.state is S.STEP:
        session.back()
        backwards.append(
            session.current_step.id if session.state is S.STEP else session.state.value
        )
    assert backwards == [shown, "abroad", "who", "choose_service"]
    assert skipped not in visited + backwards
    assert session.answers()["moving_abroad"] == abroad  # the answers survive going back


def test_back_from_check_answers_goes_to_the_last_visible_step() -> None:
    session = drive_to(S.CHECK_ANSWERS)
    session.back()
    assert session.current_step.id == "contact"


def test_choosing_another_service_drops_the_first_services_answers() -> None:
    session = drive_to(S.STEP)
    session.answer({"full_name": "Ada"})
    session.back()
    session.back()
    assert session.state is S.CHOOSE_SERVICE and session.answers() == {"full_name": "Ada"}
    session.choose_service("benefit-letter")
    assert session.answers() == {}


def test_edit_from_check_answers_returns_to_check_answers() -> None:
    session = drive_to(S.CHECK_ANSWERS)
    session.edit("who")
    assert session.snapshot()["editing"] is True
    session.answer({"full_name": "Ada King"})
    assert session.state is S.CHECK_ANSWERS
    assert session.answers()["full_name"] == "Ada King"
    session.edit("new-address")
    session.back()  # changed their mind: back to check answers, answer untouched
    assert session.state is S.CHECK_ANSWERS
    assert session.answers()["address_line"] == "12 Quarry Lane, Aberdare"


def test_an_edit_that_opens_a_step_goes_there_then_back_to_check_answers() -> None:
    session = drive_to(S.CHECK_ANSWERS)
    session.edit("abroad")
    session.answer({"moving_abroad": "yes"})
    assert session.current_step.id == "country"  # newly shown and unanswered
    session.answer({"country": "Patagonia Norte"})
    assert session.state is S.CHECK_ANSWERS
    assert [step.id for step, _ in session.summary()] == ["who", "abroad", "country", "contact"]
    submission = session.confirm_answers()
    assert submission is not None
    assert "address_line" not in submission.answers  # hidden step: never submitted
    assert "address_line" not in session.answers()
    assert submission.answers["country"] == "Patagonia Norte"


def test_edit_rejects_unknown_and_hidden_steps() -> None:
    session = drive_to(S.CHECK_ANSWERS)
    with pytest.raises(UnknownStep, match="no step 'nope'"):
        session.edit("nope")
    with pytest.raises(UnknownStep, match="'country' is not shown"):
        session.edit("country")
    assert session.state is S.CHECK_ANSWERS


def test_confirm_builds_the_submission_and_success_gives_the_outcome() -> None:
    session = drive_to(S.CHECK_ANSWERS)
    submission = session.confirm_answers()
    assert submission is not None
    assert submission.service_id == "move-home" and submission.kind is SessionKind.CITIZEN
    assert submission.answers == {
        "full_name": "Ada Lovelace-Byron",
        "moving_abroad": "no",
        "address_line": "12 Quarry Lane, Aberdare",
    }
    assert {r.field_id for r in submission.records} == set(submission.answers)
    assert session.state is S.SUBMITTING
    with pytest.raises(InvalidRequest, match="needs the case reference"):
        session.submission_succeeded(" ")
    session.submission_succeeded("KX7-4RT9")
    assert session.snapshot()["reference"] == "KX7-4RT9"
    assert session.state is S.OUTCOME


def test_a_failed_submission_returns_to_check_answers_with_answers_kept() -> None:
    session = drive_to(S.SUBMITTING)
    session.submission_failed("outbox-unwritable")
    assert session.state is S.CHECK_ANSWERS
    assert session.snapshot()["submit_failure"] == "outbox-unwritable"
    assert session.answers()["full_name"] == "Ada Lovelace-Byron"
    assert session.confirm_answers() is not None
    session.submission_succeeded("KX7-4RT9")
    assert session.snapshot()["submit_failure"] is None


def test_outcomes_offered_follow_the_service() -> None:
    session = drive_to(S.OUTCOME)
    assert session.outcome_options() == (OutcomeKind.PHONE, OutcomeKind.PRINT, OutcomeKind.STAFF)
    letter, _ = make_session()
    letter.start()
    letter.choose_language("en")
    letter.choose_service("benefit-letter")
    letter.answer({"claim_ref": "CL-1"})
    letter.confirm_answers()
    letter.submission_succeeded("R1")
    assert letter.outcome_options() == (OutcomeKind.PRINT, OutcomeKind.STAFF)  # no web channel
    with pytest.raises(InvalidRequest, match="outcome 'phone' is not offered"):
        letter.choose_outcome("phone")
    letter.choose_outcome(OutcomeKind.STAFF)
    assert letter.state is S.FEEDBACK and letter.snapshot()["outcomes"] == ["staff"]


@pytest.mark.parametrize("bad", [0, 6, "3", True, 2.5])
def test_feedback_score_must_be_one_to_five(bad: object) -> None:
    session = drive_to(S.FEEDBACK)
    with pytest.raises(InvalidRequest, match="from 1 to 5"):
        session.give_feedback(bad)  # type: ignore[arg-type]
    assert session.state is S.FEEDBACK


def test_feedback_comment_at_most_500_and_the_ending_follows_the_route() -> None:
    session = drive_to(S.FEEDBACK)
    with pytest.raises(InvalidRequest, match="at most 500"):
        session.give_feedback(5, comment="x" * 501)
    assert session.give_feedback(5, comment="x" * 500).comment == "x" * 500
    clock = FakeClock()
    session, _ = make_session(clock)
    to_check_answers(session)
    session.confirm_answers()
    session.submission_succeeded("KX7-4RT9")
    session.choose_outcome("phone")
    feedback = session.give_feedback(1)
    assert (feedback.score, feedback.ending, feedback.comment) == (1, "handed_off", None)


def test_feedback_then_goodbye_forgets_the_person_and_times_out_to_attract() -> None:
    clock = FakeClock()
    session, _ = make_session(clock)
    to_check_answers(session)
    session.confirm_answers()
    session.submission_succeeded("KX7-4RT9")
    session.choose_outcome("print")
    feedback = session.give_feedback(3, comment="  quick  ")
    assert (feedback.score, feedback.ending, feedback.comment, feedback.service_id) == (
        3, "completed", "quick", "move-home",
    )  # fmt: skip
    assert session.state is S.GOODBYE
    assert session.snapshot()["answers"] == {} and session.snapshot()["reference"] is None
    clock.advance(IDLE.goodbye_s - 0.5)
    assert session.tick() == []
    clock.advance(0.5)
    assert session.tick() == [StateChanged(S.GOODBYE, S.ATTRACT, "goodbye_timeout")]


def test_end_says_goodbye_and_wipes_at_once() -> None:
    session = drive_to(S.CHECK_ANSWERS)
    events: list[object] = []
    session.subscribe(events.append)
    session.end()
    assert events == [Wiped("end"), StateChanged(S.CHECK_ANSWERS, S.GOODBYE, "end")]
    assert session.answers() == {} and session.service is None


def test_assisted_session_attributes_every_answer_to_the_staff_member() -> None:
    session, clock = make_session()
    session.start(SessionKind.ASSISTED, staff_id="STF042")
    session.choose_language("cy")
    session.choose_service("move-home")
    session.answer({"full_name": "Dylan Thomas"})
    clock.advance(5)
    session.answer({"moving_abroad": "no"})
    session.answer({"address_line": "Boathouse, Laugharne"})
    session.answer({})
    submission = session.confirm_answers()
    assert submission is not None and submission.staff_id == "STF042"
    assert len(submission.records) == 3
    for record in (*session.records(), *submission.records):
        assert (record.actor_type, record.actor_id, record.channel) == (
            ActorType.STAFF,
            "STF042",
            "kiosk",
        )
    assert [r.at for r in submission.records][1] == clock.now()


def test_citizen_answers_are_the_citizens_and_unchanged_edits_keep_the_first_record() -> None:
    session, clock = make_session()
    to_check_answers(session)
    first = {r.field_id: r for r in session.records()}
    assert all(r.actor_type is ActorType.CITIZEN and r.actor_id is None for r in first.values())
    clock.advance(30)
    session.edit("who")
    session.answer({"full_name": "Ada Lovelace-Byron"})  # same value again
    assert {r.field_id: r for r in session.records()}["full_name"] is first["full_name"]


def test_subscribers_hear_each_change_and_can_unsubscribe() -> None:
    session, _ = make_session()
    heard: list[object] = []

    def broken(_: object) -> None:
        raise RuntimeError("a screen crashed")

    session.subscribe(broken)  # must not stop the machine
    stop = session.subscribe(heard.append)
    session.start()
    session.choose_language("en")
    stop()
    session.back()
    assert heard == [
        StateChanged(S.ATTRACT, S.LANGUAGE, "start"),
        StateChanged(S.LANGUAGE, S.CHOOSE_SERVICE, "choose_language"),
    ]
    assert session.state is S.LANGUAGE


def test_device_input_is_buffered_for_a_person_and_dropped_when_nobody_is_there() -> None:
    session, _ = make_session()
    assert session.buffer_device_input("scanner", "CODE-AT-ATTRACT") is False
    session.start()
    assert session.buffer_device_input("scanner", "CODE-1") is True
    assert session.snapshot()["device_input"] == 1
    taken = session.take_device_input()
    assert [(d.source, d.data) for d in taken] == [("scanner", "CODE-1")]
    assert session.take_device_input() == []


def test_subscribers_are_called_after_the_lock_is_released() -> None:
    session, _ = make_session()
    seen: list[str] = []

    def from_another_thread(_: object) -> None:
        worker = threading.Thread(target=lambda: seen.append(session.snapshot()["state"]))
        worker.start()
        worker.join(timeout=5)

    session.subscribe(from_another_thread)
    session.start()
    assert seen == ["language"]


def test_a_field_hidden_by_a_changed_answer_is_forgotten() -> None:
    session = drive_to(S.STEP)
    session.answer({"full_name": "Ada"})
    session.answer({"moving_abroad": "yes", "abroad_since": "last spring"})
    assert session.answers()["abroad_since"] == "last spring"
    session.back()
    session.answer({"moving_abroad": "no", "abroad_since": "last spring"})  # field now hidden
    assert "abroad_since" not in session.answers()
    assert session.current_step.id == "new-address"


def test_help_on_a_step_hands_the_answers_so_far_to_staff() -> None:
    """ "I need help" before sending: a submission marked help with what was answered so far,
    then the reference; the feedback after it is about a case handed to staff."""
    session = drive_to(S.STEP)
    first = session.current_step
    assert first is not None
    values = {"full_name": "Ada Lovelace"}
    assert session.answer(values) == {}
    assert session.current_step is not None and session.current_step.id != first.id
    submission = session.ask_help()
    assert submission.help and submission.answers == {"full_name": "Ada Lovelace"}
    assert session.state is S.SUBMITTING and session.draft.submission is submission
    session.submission_succeeded("KX7-4RT9", "case-1")
    assert session.state is S.OUTCOME and session.snapshot()["reference"] == "KX7-4RT9"
    session.choose_outcome("staff")
    feedback = session.give_feedback(4)
    assert (feedback.score, feedback.ending) == (4, "handed_off")
    with pytest.raises(IllegalTransition):
        drive_to(S.OUTCOME).ask_help()

"""The session machine's table: which action may be taken in which state, and where it may lead.

Data, not code, so the whole journey reads in one screen and a test walks every row
(``tests/kiosk/test_session_machine.py``); :meth:`kiosk.session.machine.Session._go` checks every
move against it and refuses any other with :class:`~kiosk.session.errors.IllegalTransition`.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.session.states import Action, State

__all__ = ["PERSON_STATES", "TIMED", "TRANSITIONS"]

S = State
PERSON_STATES = frozenset(
    {
        S.LANGUAGE, S.CHOOSE_SERVICE, S.STEP, S.CHECK_ANSWERS, S.NOT_ELIGIBLE, S.SUBMITTING,
        S.OUTCOME, S.FEEDBACK,
    }
)  # fmt: skip
TIMED = frozenset((PERSON_STATES - {S.SUBMITTING}) | {S.DIAGNOSTICS})

TRANSITIONS: Mapping[Action, Mapping[State, frozenset[State]]] = {
    Action.START: {
        s: frozenset({S.LANGUAGE, S.CHOOSE_SERVICE, S.DIAGNOSTICS}) for s in (S.ATTRACT, S.GOODBYE)
    },
    Action.CHOOSE_LANGUAGE: {
        S.LANGUAGE: frozenset({S.CHOOSE_SERVICE}),
        **{
            s: frozenset({s})
            for s in (
                S.CHOOSE_SERVICE,
                S.STEP,
                S.CHECK_ANSWERS,
                S.NOT_ELIGIBLE,
                S.OUTCOME,
                S.FEEDBACK,
            )  # fmt: skip
        },
    },
    Action.CHOOSE_SERVICE: {S.CHOOSE_SERVICE: frozenset({S.STEP, S.CHECK_ANSWERS})},
    Action.ANSWER: {S.STEP: frozenset({S.STEP, S.CHECK_ANSWERS, S.NOT_ELIGIBLE})},
    Action.BACK: {
        S.CHOOSE_SERVICE: frozenset({S.LANGUAGE}),
        S.STEP: frozenset({S.STEP, S.CHOOSE_SERVICE, S.CHECK_ANSWERS}),
        S.CHECK_ANSWERS: frozenset({S.STEP, S.CHOOSE_SERVICE}),
        S.NOT_ELIGIBLE: frozenset({S.STEP}),
    },
    Action.EDIT: {S.CHECK_ANSWERS: frozenset({S.STEP})},
    Action.CONFIRM_ANSWERS: {S.CHECK_ANSWERS: frozenset({S.SUBMITTING, S.STEP})},
    Action.ASK_HELP: {s: frozenset({S.SUBMITTING}) for s in (S.STEP, S.CHECK_ANSWERS)},
    Action.SUBMISSION_SUCCEEDED: {S.SUBMITTING: frozenset({S.OUTCOME})},
    Action.SUBMISSION_FAILED: {S.SUBMITTING: frozenset({S.CHECK_ANSWERS})},
    Action.CHOOSE_OUTCOME: {S.OUTCOME: frozenset({S.FEEDBACK})},
    Action.FINISH: {S.OUTCOME: frozenset({S.FEEDBACK})},
    Action.GIVE_FEEDBACK: {S.FEEDBACK: frozenset({S.GOODBYE})},
    Action.SKIP_FEEDBACK: {S.FEEDBACK: frozenset({S.GOODBYE})},
    Action.END: {
        **{s: frozenset({S.GOODBYE}) for s in PERSON_STATES - {S.SUBMITTING}},
        S.DIAGNOSTICS: frozenset({S.ATTRACT}),
        S.GOODBYE: frozenset({S.ATTRACT}),
    },
    Action.GOODBYE_TIMEOUT: {S.GOODBYE: frozenset({S.ATTRACT})},
    Action.WIPE: {s: frozenset({S.ATTRACT}) for s in State},
    Action.MORE_TIME: {s: frozenset({s}) for s in TIMED | {S.SUBMITTING}},
}
"""action → {state it may be taken in → states it may lead to}."""

"""The names the session machine uses: states, kinds of session, actions, outcomes."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Action", "ActorType", "OutcomeKind", "SessionKind", "State"]


class State(StrEnum):
    """Where one person is in their visit; one screen each (DESIGN.md, "Data flows")."""

    ATTRACT = "attract"
    LANGUAGE = "language"
    CHOOSE_SERVICE = "choose_service"
    STEP = "step"
    CHECK_ANSWERS = "check_answers"
    NOT_ELIGIBLE = "not_eligible"
    """The answers met one of the service's catalogue outcomes ("not eligible"): the journey ends
    here with the outcome's text, nothing is sent; Back returns to the deciding question."""
    SUBMITTING = "submitting"
    OUTCOME = "outcome"
    FEEDBACK = "feedback"
    GOODBYE = "goodbye"
    DIAGNOSTICS = "diagnostics"


class SessionKind(StrEnum):
    CITIZEN = "citizen"
    ASSISTED = "assisted"
    """A member of staff (or nominated helper) acts for the citizen; every answer is theirs."""
    DIAGNOSTICS = "diagnostics"
    """A technician tests the devices; no service, no answers."""


class ActorType(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"


class OutcomeKind(StrEnum):
    """How the citizen leaves the kiosk: never trapped in one channel."""

    PHONE = "phone"
    PRINT = "print"
    STAFF = "staff"


class Action(StrEnum):
    START = "start"
    CHOOSE_LANGUAGE = "choose_language"
    CHOOSE_SERVICE = "choose_service"
    ANSWER = "answer"
    BACK = "back"
    EDIT = "edit"
    CONFIRM_ANSWERS = "confirm_answers"
    ASK_HELP = "ask_help"
    """ "I need help" before sending: the answers so far go to the staff queue."""
    SUBMISSION_SUCCEEDED = "submission_succeeded"
    SUBMISSION_FAILED = "submission_failed"
    CHOOSE_OUTCOME = "choose_outcome"
    FINISH = "finish"
    """ "Finish" on the outcome screen: the case is sent, no other way on is needed."""
    GIVE_FEEDBACK = "give_feedback"
    SKIP_FEEDBACK = "skip_feedback"
    END = "end"
    GOODBYE_TIMEOUT = "goodbye_timeout"
    WIPE = "wipe"
    MORE_TIME = "more_time"
    """Not a state change; listed so its error names the states where it makes sense."""

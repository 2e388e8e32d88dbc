"""What a session hands to the rest of the kiosk: the submission (case draft) and the feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.session.answers import AnswerRecord
from kiosk.session.states import OutcomeKind, SessionKind

__all__ = [
    "FEEDBACK_ENDINGS",
    "FEEDBACK_SCORES",
    "MAX_FEEDBACK_COMMENT",
    "CaseDraft",
    "Feedback",
    "Submission",
]


@dataclass(frozen=True)
class Submission:
    """Everything the outbox needs to create the case; built once at confirm_answers()."""

    service_id: str
    language: str
    kind: SessionKind
    staff_id: str | None
    answers: dict[str, object] = field(repr=False)
    records: tuple[AnswerRecord, ...] = field(repr=False)
    help: bool = field(default=False, kw_only=True)
    """The citizen asked for help before sending ("I need help" on a step): the answers so far
    (checked one by one, not as a whole) go to the office's staff queue, not as a sent case."""


@dataclass
class CaseDraft:
    """The case being made: the submission, then central's (or the outbox's) reference."""

    submission: Submission
    reference: str | None = None
    case_id: str | None = None
    outcomes: list[OutcomeKind] = field(default_factory=list)
    failure: str | None = None
    """Why the last submission attempt failed (a reason code, no personal data)."""


FEEDBACK_SCORES = (5, 4, 3, 2, 1)
"""The one feedback question's 5-point scale, best first (central.feedback): 5 very satisfied,
4 satisfied, 3 neither satisfied or dissatisfied, 2 dissatisfied, 1 very dissatisfied."""
FEEDBACK_ENDINGS = ("completed", "not_eligible", "handed_off", "abandoned", "timed_out")
MAX_FEEDBACK_COMMENT = 500


@dataclass(frozen=True)
class Feedback:
    """The one feedback question: ``score`` 5 (very satisfied) … 1 (very dissatisfied), where the
    citizen was when asked (``ending``: ``completed`` after sending, ``handed_off`` after choosing
    their phone or staff), and an optional comment (≤ 500 characters; may be personal data)."""

    score: int
    ending: str
    comment: str | None
    service_id: str | None
    kind: SessionKind

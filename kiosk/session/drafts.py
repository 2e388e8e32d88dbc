"""What a session hands to the rest of the kiosk: the submission (case draft) and the feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.session.answers import AnswerRecord
from kiosk.session.states import OutcomeKind, SessionKind

__all__ = ["CaseDraft", "Feedback", "Submission"]


@dataclass(frozen=True)
class Submission:
    """Everything the outbox needs to create the case; built once at confirm_answers()."""

    service_id: str
    language: str
    kind: SessionKind
    staff_id: str | None
    answers: dict[str, object] = field(repr=False)
    records: tuple[AnswerRecord, ...] = field(repr=False)


@dataclass
class CaseDraft:
    """The case being made: the submission, then central's (or the outbox's) reference."""

    submission: Submission
    reference: str | None = None
    case_id: str | None = None
    outcomes: list[OutcomeKind] = field(default_factory=list)
    failure: str | None = None
    """Why the last submission attempt failed (a reason code, no personal data)."""


@dataclass(frozen=True)
class Feedback:
    """1 (very dissatisfied) … 4 (very satisfied), and an optional reason."""

    score: int
    reason: str | None
    service_id: str | None
    kind: SessionKind

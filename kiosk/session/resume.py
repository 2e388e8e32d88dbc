"""Resuming a case at the kiosk: a case opened from a slip code becomes the session's journey.

The code may carry the citizen's language and accessibility settings
(:attr:`ResumedCase.preferences`, issue 19 item 6); the screens apply them (``kiosk.ui
.preferences.restore``) before the step is shown, and the session wipe resets them as always.

The runtime redeems the slip (code + second factor) with central and gets a :class:`ResumedCase`;
:meth:`kiosk.session.machine.Session.resume_case` then opens the case's service with its answers
at the first step that still needs an answer (or at check answers when none does). Only answers
that are still valid today are carried in; a field whose stored answer no longer passes (a date
now out of range, an option since removed) is left empty and its step is where the person lands,
with that field's error showing. Empty required fields show no error until the person tries.

The session remembers which case it is continuing, and :func:`tag` turns the submission made at
confirm_answers into a :class:`ResumedSubmission` naming that case, so the kiosk updates the SAME
case (an ``answers_changed`` patch and ``submitted``) instead of creating another.

Moves in the transition table: from attract (or goodbye) the session *starts* a citizen session
straight into choose_service, then *chooses the service* into step / check answers — two rows that
already exist, so the table (and what it promises) is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from catalogue import validation
from catalogue.model import Catalogue, Channel, Service, Step
from kiosk.references import resume_code_in
from kiosk.session.answers import AnswerRecord, AnswerStore
from kiosk.session.drafts import Submission
from kiosk.session.errors import UnknownService
from kiosk.session.states import State

__all__ = [
    "EDITABLE",
    "ResumePlan",
    "ResumedCase",
    "ResumedCaseLike",
    "ResumedSubmission",
    "answers_patch",
    "load",
    "plan",
    "scan_starts_resume",
    "tag",
]

EDITABLE = ("open", "waiting_for_staff", "with_staff")
"""Statuses in which a case's answers may still change (central's fold refuses the others)."""
SCAN_STATES = frozenset({State.ATTRACT, State.GOODBYE, State.LANGUAGE, State.CHOOSE_SERVICE})
"""Where a scanned slip may start the resume flow: nobody there, or nobody has answered yet."""
RESUMED_CHANNEL = "case"
"""AnswerRecord.channel of an answer carried in from the case (it was given elsewhere, earlier)."""


class ResumedCaseLike(Protocol):
    @property
    def case_id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def service_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def answers(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class ResumedCase:
    """A case central opened for a slip code and its second factor (``POST /resume``)."""

    case_id: str
    reference: str
    service_id: str
    status: str
    answers: dict[str, Any] = field(repr=False)
    version: int = 0
    preferences: dict[str, Any] = field(repr=False, default_factory=dict)
    """The language and accessibility settings the code carried (``kiosk.ui.preferences``):
    the screens apply them before the step is shown. Accessibility data: never in a repr."""

    @classmethod
    def from_central(cls, body: Mapping[str, Any]) -> ResumedCase:
        answers = body.get("answers")
        carried = body.get("preferences")
        return cls(
            str(body["case_id"]),
            str(body["reference"]),
            str(body["service_id"]),
            str(body.get("status", "open")),
            dict(answers) if isinstance(answers, Mapping) else {},
            int(body.get("version", 0) or 0),
            dict(carried) if isinstance(carried, Mapping) else {},
        )

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


@dataclass(frozen=True, kw_only=True)
class ResumedSubmission(Submission):
    """A submission that continues an existing case: the kiosk appends to it, never creates."""

    case_id: str
    reference: str
    base_answers: dict[str, object] = field(repr=False, default_factory=dict)
    """The answers as central had them when the case was resumed (the patch is against these)."""
    base_version: int = 0
    """The case's version when it was resumed: the patch is sent under ``If-Match`` with it, so it
    never silently overwrites a change made meanwhile on another channel (0: unknown, none sent)."""


@dataclass(frozen=True)
class ResumePlan:
    service: Service
    answers: dict[str, object] = field(repr=False)
    step: Step | None
    errors: dict[str, validation.AnswerError] = field(repr=False)


def plan(catalogue: Catalogue, resumed: ResumedCaseLike, today: date) -> ResumePlan:
    """Where the resumed case opens; :class:`UnknownService` when the kiosk does not offer it."""
    service = catalogue.services.get(resumed.service_id)
    if service is None or Channel.KIOSK not in service.channels:
        raise UnknownService(f"no service {resumed.service_id!r} is offered at the kiosk")
    stored = dict(resumed.answers)
    kept: dict[str, object] = {}
    stale: dict[str, validation.AnswerError] = {}
    for step in validation.visible_steps(service, kept | stored):
        for f in validation.visible_fields(step, kept | stored):
            if f.id not in stored or stored[f.id] in (None, ""):
                continue
            try:
                value = validation.normalise(f, stored[f.id], today)
            except validation.AnswerError as exc:
                stale[f.id] = exc
                continue
            if value is not None:
                kept[f.id] = value
    target: Step | None = None
    for step in validation.visible_steps(service, kept):
        own = {f.id for f in step.fields}
        earlier = {k: v for k, v in kept.items() if k not in own}
        _, errors = validation.validate_step(service, step.id, dict(kept), today, earlier)
        if errors or own & stale.keys():
            target = step
            break
    shown = {k: v for k, v in stale.items() if target and k in {f.id for f in target.fields}}
    return ResumePlan(service, kept, target, shown)


def load(store: AnswerStore, resume_plan: ResumePlan, at: datetime) -> None:
    """Put the case's answers in the session's store (attributed to the case, not the citizen)."""
    for field_id, value in resume_plan.answers.items():
        store.set(AnswerRecord(field_id, value, at, RESUMED_CHANNEL))


def answers_patch(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, object]:
    """A JSON merge patch from ``before`` to ``after`` (``None`` removes an answer)."""
    patch: dict[str, object] = {k: v for k, v in after.items() if before.get(k) != v}
    patch.update({k: None for k in before if k not in after})
    return patch


def tag(submission: Submission, resumed: ResumedCaseLike | None) -> Submission:
    """The submission as it must be sent: a :class:`ResumedSubmission` when continuing a case."""
    if resumed is None:
        return submission
    return ResumedSubmission(
        submission.service_id,
        submission.language,
        submission.kind,
        submission.staff_id,
        submission.answers,
        submission.records,
        case_id=resumed.case_id,
        reference=resumed.reference,
        base_answers=dict(resumed.answers),
        base_version=int(getattr(resumed, "version", 0) or 0),
        help=submission.help,
    )


def scan_starts_resume(payload: str, state: State, answered: bool) -> str | None:
    """The resume code to ask the second factor for, when a scan at the kiosk should start the
    resume flow: it holds a slip code, and it would not break into someone's journey."""
    if state not in SCAN_STATES or answered:
        return None
    return resume_code_in(payload)

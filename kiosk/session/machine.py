"""The session state machine: one person at the kiosk, from the attract screen to goodbye.

Every state change goes through :meth:`Session._go`, which checks the move against
:data:`~kiosk.session.transitions.TRANSITIONS`, logs it (never an answer), notifies subscribers and tells the funnel recorder
(:mod:`kiosk.session.funnel`: its own table says what each move means for measurement). An action
that the current state does not allow raises :class:`IllegalTransition` naming the state, the
action and where it is allowed — a UI bug then says exactly what went wrong instead of corrupting a
citizen's case.

The idle warning is a *flag*, not a state: it is an overlay on whichever screen the person is on,
and "more time" must put them back on that same screen with nothing lost. A state would have to
remember its predecessor and double every row of the table; a flag leaves the table readable.

The idle timer runs in every state where a person is present except ``submitting`` (the case is
being written to the outbox; wiping then would lose it). Entering ``goodbye`` (after feedback or
"end") and ``wipe()`` both forget everything of the person; ``goodbye`` returns to ``attract``
after ``idle.goodbye_s``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

import kiosk.session.journey as journey
import kiosk.session.resume as resume
from catalogue import validation
from catalogue.model import Channel, Service, Step
from catalogue.outcomes import outcome_for
from kiosk.session.base import SessionBase, public_action
from kiosk.session.device_input import DeviceInput
from kiosk.session.drafts import (
    FEEDBACK_SCORES,
    MAX_FEEDBACK_COMMENT,
    CaseDraft,
    Feedback,
    Submission,
)
from kiosk.session.errors import (
    IllegalTransition,
    InvalidRequest,
    UnknownService,
    UnknownStep,
    UnsupportedLanguage,
)
from kiosk.session.events import Event, IdleWarning, IdleWarningCleared, StateChanged, Wiped
from kiosk.session.idle import IdleSignal
from kiosk.session.states import Action, ActorType, OutcomeKind, SessionKind, State
from kiosk.session.transitions import TIMED, TRANSITIONS

if TYPE_CHECKING:
    from kiosk.session.resume import ResumedCaseLike

__all__ = ["Session"]

log = logging.getLogger("kiosk.session")
S = State


class Session(SessionBase):
    """One kiosk's session machine; reused for person after person (wiped in between)."""

    # ---- plumbing ---------------------------------------------------------------------------

    def _require(self, action: Action, detail: str = "") -> None:
        allowed = TRANSITIONS[action]
        if self._state not in allowed:
            raise IllegalTransition(self._state, action, sorted(allowed), detail)

    def _go(self, action: Action, target: State) -> None:
        old = self._state
        if target not in TRANSITIONS[action].get(old, frozenset()):
            raise IllegalTransition(old, action, sorted(TRANSITIONS[action]), f"not to '{target}'")
        self._state = target
        if target in TIMED:
            self._timer.restart()
        else:
            self._timer.stop()
        self._goodbye_at = self._clock.monotonic() if target is S.GOODBYE else None
        log.info("session %s -> %s (%s)", old.value, target.value, action.value)
        self._pending.append(StateChanged(old, target, action.value))
        self._funnel.transition(action, old, target, self, self._pending)

    def _activity(self) -> None:
        if self._timer.warning:
            self._pending.append(IdleWarningCleared())
        if self._state in TIMED:
            self._timer.restart()

    def today(self) -> date:
        """The office's date now: what date limits and hint examples are computed against."""
        return self._clock.now().astimezone(self._tz).date()

    def _need_service(self) -> Service:
        assert self._service is not None, "a state that needs a service has one"
        return self._service

    def _show_step(self, action: Action, step: Step | None) -> None:
        self._step_id = step.id if step else None
        self._go(action, S.STEP if step else S.CHECK_ANSWERS)

    # ---- the journey --------------------------------------------------------------------------

    @public_action
    def start(
        self, kind: SessionKind | str = SessionKind.CITIZEN, staff_id: str | None = None
    ) -> None:
        """A person starts (touch on attract, or a staff/technician badge)."""
        self._require(Action.START)
        try:
            kind = SessionKind(kind)
        except ValueError:
            raise InvalidRequest(
                f"unknown session kind {kind!r}; expected one of {[k.value for k in SessionKind]}"
            ) from None
        if kind is SessionKind.CITIZEN and staff_id is not None:
            raise InvalidRequest("a citizen session has no staff id; use kind='assisted'")
        if kind is not SessionKind.CITIZEN and not (staff_id and staff_id.strip()):
            raise InvalidRequest(f"a {kind.value} session needs the staff id from the badge")
        self._forget_person()
        self._kind, self._staff_id = kind, staff_id
        if kind is SessionKind.DIAGNOSTICS:
            self._go(Action.START, S.DIAGNOSTICS)
        else:
            self._go(Action.START, S.LANGUAGE if len(self._languages) > 1 else S.CHOOSE_SERVICE)

    @public_action
    def choose_language(self, lang: str) -> None:
        """Pick (or switch) the language; answers are kept on a switch."""
        self._require(Action.CHOOSE_LANGUAGE)
        if lang not in self._languages:
            raise UnsupportedLanguage(
                f"language {lang!r} is not offered here; offered: {', '.join(self._languages)}"
            )
        self._activity()
        self._language = lang
        target = S.CHOOSE_SERVICE if self._state is S.LANGUAGE else self._state
        self._go(Action.CHOOSE_LANGUAGE, target)

    @public_action
    def choose_service(self, service_id: str) -> None:
        self._require(Action.CHOOSE_SERVICE)
        service = self._catalogue.services.get(service_id)
        if service is None or Channel.KIOSK not in service.channels:
            raise UnknownService(f"no service {service_id!r} is offered at the kiosk")
        self._activity()
        if self._service is not None and self._service.id != service.id:
            self._store.clear()  # another service: the answers to the first one must not follow
            self._resumed = None  # ... nor may its submission land on the resumed case
        self._service, self._errors, self._edit_origin, self._draft = service, {}, None, None
        self._show_step(Action.CHOOSE_SERVICE, journey.first_step(service, self._store.answers()))

    @public_action
    def resume_case(self, resumed: ResumedCaseLike, language: str | None = None) -> None:
        """Continue a case opened from a slip code (:mod:`kiosk.session.resume`): its service and
        answers, at the first step still needing an answer, or check answers."""
        if self._state not in (S.LANGUAGE, S.CHOOSE_SERVICE):
            self._require(Action.START, "resume a case from attract (or language/services)")
        found = resume.plan(self._catalogue, resumed, self.today())
        if self._state in (S.ATTRACT, S.GOODBYE):
            self._forget_person()
            self._kind = SessionKind.CITIZEN
            self._go(Action.START, S.CHOOSE_SERVICE)
        elif self._state is S.LANGUAGE:
            self._go(Action.CHOOSE_LANGUAGE, S.CHOOSE_SERVICE)
        if language in self._languages:
            self._language = language
        self._store.clear()
        resume.load(self._store, found, self._clock.now())
        self._service, self._resumed, self._draft = found.service, resumed, None
        self._errors, self._edit_origin = dict(found.errors), None
        self._show_step(Action.CHOOSE_SERVICE, found.step)

    @public_action
    def answer(self, values: Mapping[str, object]) -> dict[str, validation.AnswerError]:
        """Validate the current step's answers; move on when valid, else return the errors."""
        self._require(Action.ANSWER)
        self._activity()
        service = self._need_service()
        step = journey.step_by_id(service, self._step_id or "")
        own = {f.id for f in step.fields}
        earlier = {k: v for k, v in self._store.answers().items() if k not in own}
        clean, errors = validation.validate_step(
            service, step.id, dict(values), self.today(), earlier
        )
        if errors:
            self._errors = dict(errors)
            self._go(Action.ANSWER, S.STEP)
            return dict(errors)
        staff = self._kind is SessionKind.ASSISTED
        actor = (ActorType.STAFF, self._staff_id) if staff else (ActorType.CITIZEN, None)
        self._store.record_step(step, clean, self._clock.now(), self._channel, *actor)
        self._errors = {}
        answers = self._store.answers()
        if outcome_for(service, answers) is not None:  # e.g. not eligible: an ending, not an error
            self._edit_origin = None  # _step_id stays on the deciding step, where Back returns
            self._go(Action.ANSWER, S.NOT_ELIGIBLE)
            return {}
        if self._edit_origin is None:
            self._show_step(Action.ANSWER, journey.next_step(service, step.id, answers))
            return {}
        # Editing from check answers: go back there unless the change opened a step still unanswered.
        hidden = journey.hidden_field_ids(service, answers)  # kept until confirm, not checked
        shown = {k: v for k, v in answers.items() if k not in hidden}
        problems = validation.validate_answers(service, shown, self.today(), complete=True)
        target = journey.first_step_with_errors(service, problems, answers)
        if target is None:
            self._edit_origin = None
        else:
            self._errors = {k: v for k, v in problems.items() if k in {f.id for f in target.fields}}
        self._show_step(Action.ANSWER, target)
        return {}

    @public_action
    def back(self) -> None:
        self._require(Action.BACK)
        self._activity()
        self._errors = {}
        if self._state is S.CHOOSE_SERVICE:
            self._go(Action.BACK, S.LANGUAGE)
            return
        if self._state is S.NOT_ELIGIBLE:  # back to the question that decided it
            self._go(Action.BACK, S.STEP)
            return
        service = self._need_service()
        answers = self._store.answers()
        if self._state is S.CHECK_ANSWERS:
            last = journey.last_step(service, answers)
            self._step_id = last.id if last else None
            self._go(Action.BACK, S.STEP if last else S.CHOOSE_SERVICE)
            return
        if self._edit_origin == self._step_id:
            self._edit_origin = None
            self._go(Action.BACK, S.CHECK_ANSWERS)
            return
        previous = journey.previous_step(service, self._step_id or "", answers)
        self._step_id = previous.id if previous else None
        self._go(Action.BACK, S.STEP if previous else S.CHOOSE_SERVICE)

    @public_action
    def edit(self, step_id: str) -> None:
        """From check answers, change one step; answering it returns to check answers."""
        self._require(Action.EDIT)
        service = self._need_service()
        step = journey.step_by_id(service, step_id)
        if step.id not in {s.id for s in validation.visible_steps(service, self._store.answers())}:
            raise UnknownStep(f"step {step_id!r} is not shown for these answers")
        self._activity()
        self._step_id, self._edit_origin, self._errors = step.id, step.id, {}
        self._go(Action.EDIT, S.STEP)

    @public_action
    def confirm_answers(self) -> Submission | None:
        """Freeze the answers into a :class:`Submission` for the outbox (None: a step needs fixing)."""
        self._require(Action.CONFIRM_ANSWERS)
        self._activity()
        service = self._need_service()
        self._store.drop(journey.hidden_field_ids(service, self._store.answers()))
        answers = self._store.answers()
        problems = validation.validate_answers(service, answers, self.today(), complete=True)
        if problems:
            target = journey.first_step_with_errors(service, problems, answers)
            if target is None:
                raise InvalidRequest(f"answers fail checks on no visible step: {sorted(problems)}")
            self._errors = {k: v for k, v in problems.items() if k in {f.id for f in target.fields}}
            self._edit_origin = target.id
            self._show_step(Action.CONFIRM_ANSWERS, target)
            return None
        assert self._kind is not None
        submission = Submission(
            service.id,
            self._language,
            self._kind,
            self._staff_id,
            answers,
            self._store.latest_records(),
        )
        submission = resume.tag(submission, self._resumed)
        self._draft = CaseDraft(submission)
        self._go(Action.CONFIRM_ANSWERS, S.SUBMITTING)
        return submission

    @public_action
    def ask_help(self) -> Submission:
        """ "I need help" on a step or on check answers: the answers given so far (each already
        checked when its step was answered; steps the answers hide are dropped) become a
        submission marked ``help`` for the office's staff queue. The runtime creates the case
        with them if it does not exist yet (a resumed case is continued) and asks for staff;
        then ``submission_succeeded`` shows the reference and what happens next."""
        self._require(Action.ASK_HELP)
        self._activity()
        service = self._need_service()
        self._store.drop(journey.hidden_field_ids(service, self._store.answers()))
        assert self._kind is not None
        submission = Submission(
            service.id,
            self._language,
            self._kind,
            self._staff_id,
            self._store.answers(),
            self._store.latest_records(),
            help=True,
        )
        submission = resume.tag(submission, self._resumed)
        self._draft = CaseDraft(submission)
        self._go(Action.ASK_HELP, S.SUBMITTING)
        return submission

    @public_action
    def submission_succeeded(self, reference: str, case_id: str | None = None) -> None:
        self._require(Action.SUBMISSION_SUCCEEDED)
        if not reference or not reference.strip():
            raise InvalidRequest("submission_succeeded needs the case reference")
        assert self._draft is not None
        self._draft.reference, self._draft.case_id, self._draft.failure = reference, case_id, None
        self._go(Action.SUBMISSION_SUCCEEDED, S.OUTCOME)

    @public_action
    def submission_failed(self, reason: str) -> None:
        """Back to check answers with the answers intact, so the person can retry or ask staff."""
        self._require(Action.SUBMISSION_FAILED)
        assert self._draft is not None
        self._draft.failure = reason
        self._go(Action.SUBMISSION_FAILED, S.CHECK_ANSWERS)

    @public_action
    def choose_outcome(self, kind: OutcomeKind | str) -> None:
        self._require(Action.CHOOSE_OUTCOME)
        options = self.outcome_options()
        if kind not in {o.value for o in options}:
            raise InvalidRequest(
                f"outcome {kind!r} is not offered for this service; offered: {[o.value for o in options]}"
            )
        self._activity()
        assert self._draft is not None
        self._draft.outcomes.append(OutcomeKind(kind))
        self._go(Action.CHOOSE_OUTCOME, S.FEEDBACK)

    @public_action
    def finish(self) -> None:
        """ "Finish" after sending: nothing more to do here; on to the feedback question."""
        self._require(Action.FINISH)
        self._activity()
        self._go(Action.FINISH, S.FEEDBACK)

    @public_action
    def give_feedback(self, score: int, comment: str | None = None) -> Feedback:
        """The one feedback question: score 5 (very satisfied) … 1 (very dissatisfied) and an
        optional comment; then goodbye, which forgets the person. The ending is where they were:
        ``handed_off`` when they chose their phone or staff, else ``completed``."""
        self._require(Action.GIVE_FEEDBACK)
        if type(score) is not int or score not in FEEDBACK_SCORES:
            raise InvalidRequest(
                f"feedback score must be a whole number from 1 to 5, got {score!r}"
            )
        text = (comment or "").strip() if isinstance(comment, str) else comment
        if text is not None and (not isinstance(text, str) or len(text) > MAX_FEEDBACK_COMMENT):
            raise InvalidRequest(
                f"feedback comment must be text of at most {MAX_FEEDBACK_COMMENT} characters"
            )
        assert self._kind is not None
        service_id = self._service.id if self._service else None
        feedback = Feedback(score, self._feedback_ending(), text or None, service_id, self._kind)
        self._goodbye(Action.GIVE_FEEDBACK)
        return feedback

    def _feedback_ending(self) -> str:
        outcomes = self._draft.outcomes if self._draft is not None else []
        if self._draft is not None and self._draft.submission.help:
            return "handed_off"
        if any(o in (OutcomeKind.PHONE, OutcomeKind.STAFF) for o in outcomes):
            return "handed_off"
        return "completed"

    @public_action
    def skip_feedback(self) -> None:
        self._require(Action.SKIP_FEEDBACK)
        self._goodbye(Action.SKIP_FEEDBACK)

    @public_action
    def end(self) -> None:
        """The person leaves ("finish" / technician done); goodbye forgets them at once."""
        self._require(Action.END)
        if self._state in (S.DIAGNOSTICS, S.GOODBYE):
            self._wipe("end", Action.END)
        else:
            self._goodbye(Action.END)

    def _goodbye(self, action: Action) -> None:
        self._forget_person()
        self._pending.append(Wiped("end"))
        self._go(action, S.GOODBYE)

    # ---- time, activity, wipe -----------------------------------------------------------------

    @public_action
    def tick(self) -> list[Event]:
        """Called by the app's timer (about once a second): warn, wipe, leave goodbye when due.

        Returns the events it caused (subscribers hear them too).
        """
        if self._state is S.GOODBYE and self._goodbye_at is not None:
            if self._clock.monotonic() - self._goodbye_at >= self._goodbye_s:
                self._go(Action.GOODBYE_TIMEOUT, S.ATTRACT)
        else:
            signal = self._timer.poll()
            if signal is IdleSignal.WARN:
                self._pending.append(IdleWarning(self._timer.respond_s))
            elif signal is IdleSignal.WIPE:
                self._wipe("idle", Action.WIPE)
        return list(self._pending)

    @public_action
    def touch(self) -> None:
        """Any touch on the screen: counts as activity (and dismisses the idle warning)."""
        if self._state in TIMED:
            self._activity()

    @public_action
    def more_time(self) -> bool:
        """The "more time" button; True when it dismissed a warning."""
        self._require(Action.MORE_TIME)
        showing = self._timer.warning
        self._activity()
        return showing

    @public_action
    def wipe(self, reason: str = "requested") -> None:
        """Forget the person and return to attract; allowed in every state."""
        self._wipe(reason, Action.WIPE)

    def _wipe(self, reason: str, action: Action) -> None:
        self._forget_person()
        self._pending.append(Wiped(reason))
        if self._state is not S.ATTRACT:
            self._go(action, S.ATTRACT)

    @public_action
    def buffer_device_input(self, source: str, data: object) -> bool:
        """Keep a swipe/scan for the person; dropped (False) when nobody is at the kiosk."""
        if self._state in (S.ATTRACT, S.GOODBYE):
            return False
        self._activity()
        self._device_input.add(DeviceInput(source, data, self._clock.now()))
        return True

"""What a session holds, what the screens read from it, and how subscribers hear about changes.

:class:`SessionBase` has no transitions: :class:`kiosk.session.machine.Session` adds them. The
split keeps the machine module about moving between states, and this one about looking at them.
Every attribute that can hold something of the person is listed here, next to
:meth:`SessionBase._forget_person` that empties all of them (used by the wipe and by goodbye).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any, ParamSpec, Self, TypeVar

import kiosk.session.journey as journey
from catalogue import validation
from catalogue.model import Catalogue, Channel, LifeEvent, Outcome, Service, Step
from catalogue.outcomes import outcome_for
from kiosk.clock import Clock, SystemClock
from kiosk.config import IdleConfig, KioskConfig
from kiosk.session.answers import AnswerRecord, AnswerStore
from kiosk.session.device_input import DeviceInput, DeviceInputBuffer
from kiosk.session.drafts import CaseDraft
from kiosk.session.errors import UnknownLifeEvent
from kiosk.session.events import Event
from kiosk.session.funnel import FunnelRecorder, FunnelSink
from kiosk.session.idle import IdleTimer
from kiosk.session.states import OutcomeKind, SessionKind, State

__all__ = ["SessionBase", "public_action"]

log = logging.getLogger("kiosk.session")
P = ParamSpec("P")
R = TypeVar("R")


def public_action(method: Callable[P, R]) -> Callable[P, R]:
    """Run ``method`` under the session's lock, then tell subscribers what happened.

    Subscribers are called after the lock is released, so a subscriber may call the session
    again (the Kivy app drives the session from its main thread, so events stay in order).
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self: SessionBase = args[0]  # type: ignore[assignment]
        events: list[Event] = []
        try:
            with self._lock:
                try:
                    return method(*args, **kwargs)
                finally:
                    events, self._pending = self._pending, []
        finally:
            self._notify(events)

    return wrapper


class SessionBase:
    """The session's data and read-only views; see :class:`kiosk.session.machine.Session`."""

    # Configuration and machinery: nothing of the person.
    _catalogue: Catalogue
    _clock: Clock
    _languages: tuple[str, ...]
    _default_language: str
    _tz: tzinfo
    _channel: str
    _goodbye_s: float
    _timer: IdleTimer
    _lock: threading.RLock
    _subscribers: list[Callable[[Event], None]]
    _pending: list[Event]
    _state: State
    _goodbye_at: float | None
    _funnel: FunnelRecorder
    """Funnel events (:mod:`kiosk.session.funnel`): ids and times of the attempt, no answers."""
    # The person: every one of these is emptied by the wipe.
    _store: AnswerStore
    _device_input: DeviceInputBuffer
    _errors: dict[str, validation.AnswerError]
    _draft: CaseDraft | None
    _service: Service | None
    _step_id: str | None
    _edit_origin: str | None
    _kind: SessionKind | None
    _staff_id: str | None
    _language: str
    _resumed: Any
    """The case being continued (kiosk.session.resume.ResumedCaseLike), or None."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        idle: IdleConfig | None = None,
        clock: Clock | None = None,
        languages: tuple[str, ...] = ("en", "cy"),
        default_language: str = "en",
        tz: tzinfo = UTC,
        channel: str = "kiosk",
        funnel: FunnelSink | None = None,
    ) -> None:
        if default_language not in languages:
            raise ValueError(f"default language {default_language!r} is not in {languages}")
        idle = idle or IdleConfig()
        self._catalogue = catalogue
        self._clock = clock or SystemClock()
        self._languages = tuple(languages)
        self._default_language = default_language
        self._tz = tz
        self._channel = channel
        self._goodbye_s = idle.goodbye_s
        self._timer = IdleTimer(self._clock, idle.warning_after_s, idle.respond_s)
        self._lock = threading.RLock()
        self._subscribers = []
        self._pending = []
        self._state = State.ATTRACT
        self._goodbye_at = None
        self._funnel = FunnelRecorder(funnel, self._clock, channel)
        self._store = AnswerStore()
        self._device_input = DeviceInputBuffer()
        self._forget_person()

    @classmethod
    def from_config(
        cls,
        config: KioskConfig,
        catalogue: Catalogue,
        clock: Clock | None = None,
        funnel: FunnelSink | None = None,
    ) -> Self:
        return cls(
            catalogue,
            idle=config.idle,
            clock=clock,
            languages=config.languages,
            default_language=config.default_language,
            tz=config.tz,
            funnel=funnel,
        )

    def _forget_person(self) -> None:
        """Drop everything of the person: answers, draft, device input, choices."""
        self._store.clear()
        self._device_input.clear()
        self._errors = {}
        self._draft = None
        self._service = None
        self._step_id = None
        self._edit_origin = None
        self._kind = None
        self._staff_id = None
        self._resumed = None
        self._language = self._default_language
        self._timer.stop()

    # ---- observers ----------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for every event; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _notify(self, events: list[Event]) -> None:
        for event in events:
            for callback in list(self._subscribers):
                try:
                    callback(event)
                except Exception:  # one broken screen must not stop the machine (or the wipe)
                    log.exception("session subscriber failed on %s", type(event).__name__)

    # ---- what the screens read ----------------------------------------------------------------

    @property
    def funnel(self) -> FunnelRecorder:
        """The session's funnel recorder (the app sets ``funnel.features``)."""
        return self._funnel

    @property
    def state(self) -> State:
        return self._state

    @property
    def kind(self) -> SessionKind | None:
        return self._kind

    @property
    def staff_id(self) -> str | None:
        return self._staff_id

    @property
    def language(self) -> str:
        return self._language

    @property
    def service(self) -> Service | None:
        return self._service

    @property
    def current_step(self) -> Step | None:
        if self._state is not State.STEP or self._service is None or self._step_id is None:
            return None
        return journey.step_by_id(self._service, self._step_id)

    @property
    def ending(self) -> Outcome | None:
        """In ``not_eligible``: the catalogue outcome the answers led to (title and body, the same
        text every channel shows); None in every other state."""
        if self._state is not State.NOT_ELIGIBLE or self._service is None:
            return None
        return outcome_for(self._service, self._store.answers())

    @property
    def errors(self) -> dict[str, validation.AnswerError]:
        return dict(self._errors)

    @property
    def idle_warning(self) -> bool:
        return self._timer.warning

    @property
    def draft(self) -> CaseDraft | None:
        return self._draft

    @property
    def resumed_reference(self) -> str | None:
        """The reference of the case this session continues (from a slip code), if any."""
        return self._resumed.reference if self._resumed is not None else None

    def seconds_left(self) -> float | None:
        return self._timer.seconds_left()

    def answers(self) -> dict[str, object]:
        return self._store.answers()

    def records(self) -> tuple[AnswerRecord, ...]:
        return self._store.records()

    def summary(self) -> list[tuple[Step, list[tuple[Any, object]]]]:
        """For check answers: each visible step with its visible fields and their answers."""
        if self._service is None:
            return []
        answers = self._store.answers()
        return [
            (step, [(f, answers.get(f.id)) for f in validation.visible_fields(step, answers)])
            for step in validation.visible_steps(self._service, answers)
        ]

    def _kiosk_services(self) -> list[Service]:
        services = self._catalogue.a_to_z(self._language)
        return [s for s in services if Channel.KIOSK in s.channels]

    def services_a_to_z(self) -> list[Service]:
        return self._kiosk_services()

    def list_life_events(self) -> list[LifeEvent]:
        """Life events with at least one service offered at the kiosk, in the current language."""
        used = {e for s in self._kiosk_services() for e in s.life_events}
        events = [e for e in self._catalogue.life_events.values() if e.id in used]
        return sorted(events, key=lambda e: e.title.get(self._language).casefold())

    def services_for_event(self, event_id: str) -> list[Service]:
        if event_id not in self._catalogue.life_events:
            raise UnknownLifeEvent(f"no life event {event_id!r} in the catalogue")
        return [s for s in self._kiosk_services() if event_id in s.life_events]

    def outcome_options(self) -> tuple[OutcomeKind, ...]:
        """Ways on from here for this service; asking staff is always one of them."""
        service = self._service
        if service is None:
            return ()
        options = [OutcomeKind.PHONE] if Channel.WEB in service.channels else []
        if service.documents:
            options.append(OutcomeKind.PRINT)
        return (*options, OutcomeKind.STAFF)

    @public_action
    def take_device_input(self) -> list[DeviceInput]:
        """The swipes and scans kept for the person since the last call (the buffer empties)."""
        return self._device_input.take()

    def snapshot(self) -> dict[str, Any]:
        """A plain dict of everything a screen (or a test) may show."""
        with self._lock:
            return {
                "state": self._state.value,
                "kind": self._kind.value if self._kind else None,
                "staff_id": self._staff_id,
                "language": self._language,
                "service_id": self._service.id if self._service else None,
                "step_id": self._step_id if self._state is State.STEP else None,
                "editing": self._edit_origin is not None,
                "answers": self._store.answers(),
                "errors": {k: getattr(e, "code", "invalid") for k, e in self._errors.items()},
                "idle_warning": self._timer.warning,
                "seconds_left": self._timer.seconds_left(),
                "reference": self._draft.reference if self._draft else None,
                "submit_failure": self._draft.failure if self._draft else None,
                "outcomes": [o.value for o in self._draft.outcomes] if self._draft else [],
                "device_input": len(self._device_input),
            }

    def __repr__(self) -> str:
        return f"Session(state={self._state.value}, kind={self._kind}, answers={len(self._store)})"

"""Funnel events from the session machine: where people start, how far they get, how they leave.

DESIGN.md data flow 5: the kiosk measures itself with events that carry no personal data — ids,
names from :mod:`catalogue.funnel`, times and numbers; never an answer, a reference or a case id.
The session machine calls :meth:`FunnelRecorder.transition` from its one place where state
changes (``Session._go``); what a transition means for the funnel is the table :data:`RULES`,
read top to bottom, every matching row applied.

A *funnel session* is one attempt at one service: it begins when a service is chosen (or a case is
resumed from a slip), reaches each step once (the first time only: going back and forth does not
count twice), and ends once, with a reason. Choosing another service ends the attempt
(``changed_service``) and begins another. Being told "not eligible" ends it (completed, by
GOV.UK's definition); going back from there to change the deciding answer begins another attempt
at the same service. Diagnostics sessions are never measured.

Every event carries the attempt's random ``session_id`` and ``started_at``, so central can count
it on the day the attempt started without finding any other event first, whatever order or day
they arrive in. ``duration_ms`` comes from the monotonic clock (a wall-clock jump cannot make a
session last a negative time); ``started_at``/``occurred_at`` from the wall clock.

Failure model: measurement must never hurt a citizen's visit. A sink that raises (the outbox's
disk is full) is logged by type and the session carries on; those events are lost, and nothing
else is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from catalogue import funnel
from catalogue.model import Service
from kiosk.clock import Clock
from kiosk.session.events import Wiped
from kiosk.session.states import Action, OutcomeKind, SessionKind, State

__all__ = ["RULES", "FunnelRecorder", "FunnelSink", "Rule", "features_of"]

log = logging.getLogger("kiosk.session.funnel")
S = State


class FunnelSink(Protocol):
    """Where funnel events go (the kiosk's outbox: :class:`kiosk.outbox.funnel.FunnelOutbox`)."""

    def record(self, events: list[dict[str, Any]]) -> None: ...


class SessionView(Protocol):
    """What the recorder reads of a session (:class:`kiosk.session.base.SessionBase` has it all;
    named here so that the base, which owns a recorder, and this module do not import each other)."""

    @property
    def service(self) -> Any: ...

    @property
    def kind(self) -> SessionKind: ...

    @property
    def current_step(self) -> Any: ...

    @property
    def draft(self) -> Any: ...

    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class Rule:
    """When ``action`` (None: any action) leads into one of ``into``, do ``effect``."""

    action: Action | None
    into: frozenset[State]
    effect: str


_SHOWS_A_STEP = frozenset({S.STEP, S.CHECK_ANSWERS})
RULES: tuple[Rule, ...] = (
    Rule(Action.CHOOSE_SERVICE, _SHOWS_A_STEP, "begin"),
    Rule(Action.BACK, frozenset({S.STEP}), "again"),
    Rule(None, _SHOWS_A_STEP, "reach"),
    Rule(Action.ASK_HELP, frozenset({S.SUBMITTING}), "help"),
    Rule(Action.SUBMISSION_SUCCEEDED, frozenset({S.OUTCOME}), "end:submitted"),
    Rule(Action.ANSWER, frozenset({S.NOT_ELIGIBLE}), "end:not_eligible"),
    Rule(Action.CHOOSE_OUTCOME, frozenset({S.FEEDBACK}), "handoff"),
    Rule(Action.END, frozenset({S.GOODBYE}), "end:back_to_start"),
    Rule(Action.WIPE, frozenset({S.ATTRACT}), "end:wiped"),
)
"""What each transition means for the funnel (see the module docstring)."""

_ROUTES = {OutcomeKind.PHONE: "phone", OutcomeKind.STAFF: "staff"}
_WIPES = {"idle": "idle_wipe"}


def features_of(settings: Any) -> list[str]:
    """Names of the accessibility features switched on in a
    :class:`kiosk.ui.accessibility.AccessibilitySettings` (read by attribute; never a value)."""
    on = []
    if getattr(settings, "text_size", 0):
        on.append("large_text")
    if getattr(settings, "theme", "standard") not in ("standard", None):
        on.append("high_contrast")
    if getattr(settings, "reach_mode", False):
        on.append("reach_mode")
    if getattr(settings, "audio", False):
        on.append("audio")
    return on


@dataclass
class _Attempt:
    session_id: str
    service: Service
    channel: str
    started_at: datetime
    started_mono: float
    reached: set[str] = field(default_factory=set)
    ended: bool = False
    reason: str | None = None


class FunnelRecorder:
    """One per session machine; holds the open attempt (ids and times only) between transitions."""

    def __init__(
        self,
        sink: FunnelSink | None,
        clock: Clock,
        channel: str = "kiosk",
        features: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.sink = sink
        self.clock = clock
        self.channel = channel
        self.features = features
        """Names of the accessibility features on now (set by the app; read at each start)."""
        self._attempt: _Attempt | None = None

    def transition(
        self, action: Action, old: State, new: State, session: SessionView, pending: list[Any]
    ) -> None:
        """Called by ``Session._go`` after every state change."""
        if self.sink is None:
            return
        out: list[dict[str, Any]] = []
        for rule in RULES:
            if (rule.action is None or rule.action is action) and new in rule.into:
                self._apply(rule.effect, session, pending, out)
        if out:
            try:
                self.sink.record(out)
            except Exception as exc:  # noqa: BLE001 - measurement never stops a citizen's visit
                log.warning("funnel events not recorded: %s", type(exc).__name__)

    # ---- effects --------------------------------------------------------------------------

    def _apply(self, effect: str, session: SessionView, pending: list[Any], out: list) -> None:
        attempt = self._attempt
        if effect == "begin":
            service = session.service
            if service is None or session.kind is SessionKind.DIAGNOSTICS:
                return
            if attempt is not None and not attempt.ended:
                if attempt.service.id == service.id:
                    return
                self._end("changed_service", out)
            self._begin(service, session, out)
        elif effect == "again":
            # Back from "not eligible" to change the deciding answer: that attempt was complete
            # (told the outcome); what follows is a new attempt at the same service.
            if attempt is not None and attempt.reason == "not_eligible" and session.service:
                self._begin(session.service, session, out)
        elif effect == "reach" and attempt is not None and not attempt.ended:
            step = session.current_step
            step_id = step.id if step is not None else funnel.CHECK_ANSWERS
            if step_id in attempt.reached or step_id not in funnel.step_ids(attempt.service):
                return
            attempt.reached.add(step_id)
            index = funnel.step_index(attempt.service, step_id)
            out.append(self._event("step", step_id=step_id, step_index=index))
        elif effect == "help" and attempt is not None and not attempt.ended:
            # "I need help" before sending: handed to staff with the answers so far.
            out.append(self._event("handoff", route="staff"))
            self._end("handed_off_staff", out)
        elif effect == "handoff" and attempt is not None:
            draft = session.draft
            if draft is not None and draft.submission.help:
                return  # counted when help was asked
            route = _ROUTES.get(draft.outcomes[-1]) if draft and draft.outcomes else None
            if route is not None:
                out.append(self._event("handoff", route=route))
        elif effect.startswith("end:"):
            reason = effect[4:]
            if reason == "wiped":
                why = next((e.reason for e in reversed(pending) if isinstance(e, Wiped)), "")
                reason = _WIPES.get(why, "wiped")
            self._end(reason, out)

    def _begin(self, service: Service, session: SessionView, out: list) -> None:
        channel = "assisted" if session.kind is SessionKind.ASSISTED else self.channel
        self._attempt = _Attempt(
            str(uuid.uuid4()), service, channel, self.clock.now(), self.clock.monotonic()
        )
        features = sorted(
            {f for f in (self.features() if self.features else ()) if f in funnel.FEATURES}
        )
        out.append(self._event("started", language=session.language, features=features))

    def _end(self, reason: str, out: list) -> None:
        attempt = self._attempt
        if attempt is None or attempt.ended:
            return
        attempt.ended, attempt.reason = True, reason
        elapsed = max(0.0, self.clock.monotonic() - attempt.started_mono)
        out.append(self._event("ended", reason=reason, duration_ms=int(elapsed * 1000)))

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        attempt = self._attempt
        assert attempt is not None
        return {
            "event_id": str(uuid.uuid4()),
            "session_id": attempt.session_id,
            "type": kind,
            "service_id": attempt.service.id,
            "channel": attempt.channel,
            "started_at": attempt.started_at.isoformat(),
            "occurred_at": self.clock.now().isoformat(),
            **fields,
        }

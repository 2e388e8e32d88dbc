"""The kiosk session core: one person at the kiosk, as a state machine with no UI.

attract → language → choose_service → step … → check_answers → submitting → outcome → feedback →
goodbye → attract; or attract → diagnostics → attract for a technician. The transition table is
:data:`kiosk.session.transitions.TRANSITIONS`; time comes from an injected :class:`kiosk.clock.Clock`.

Modules: ``machine`` (the :class:`Session`), ``transitions`` (its table), ``states`` (enums), ``events`` (what
subscribers hear), ``idle`` (warning/wipe timer), ``answers`` (answer records), ``device_input``
(buffered swipes/scans), ``drafts`` (submission, case draft, feedback), ``journey`` (step order
with conditional steps skipped), ``funnel`` (funnel events from the transitions: no answers).

Exception tree::

    Exception
     └── SessionError
          ├── IllegalTransition        (.state, .action, .allowed) an action the state does not allow
          └── InvalidRequest (also ValueError)  a legal action with an unacceptable argument
               ├── UnknownService
               ├── UnknownLifeEvent
               ├── UnknownStep
               └── UnsupportedLanguage

Citizens' validation errors are not exceptions: ``answer()`` returns them
(``catalogue.validation.AnswerError`` by field id) and the session stays on the step.
"""

from kiosk.session.answers import AnswerRecord, AnswerStore
from kiosk.session.device_input import DeviceInput
from kiosk.session.drafts import CaseDraft, Feedback, Submission
from kiosk.session.errors import (
    IllegalTransition,
    InvalidRequest,
    SessionError,
    UnknownLifeEvent,
    UnknownService,
    UnknownStep,
    UnsupportedLanguage,
)
from kiosk.session.events import Event, IdleWarning, IdleWarningCleared, StateChanged, Wiped
from kiosk.session.machine import Session
from kiosk.session.states import Action, ActorType, OutcomeKind, SessionKind, State
from kiosk.session.transitions import PERSON_STATES, TRANSITIONS

__all__ = [
    "PERSON_STATES",
    "TRANSITIONS",
    "Action",
    "ActorType",
    "AnswerRecord",
    "AnswerStore",
    "CaseDraft",
    "DeviceInput",
    "Event",
    "Feedback",
    "IdleWarning",
    "IdleWarningCleared",
    "IllegalTransition",
    "InvalidRequest",
    "OutcomeKind",
    "Session",
    "SessionError",
    "SessionKind",
    "State",
    "StateChanged",
    "Submission",
    "UnknownLifeEvent",
    "UnknownService",
    "UnknownStep",
    "UnsupportedLanguage",
    "Wiped",
]

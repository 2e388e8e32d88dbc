"""Errors of the session machine (the tree is drawn in :mod:`kiosk.session`)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "IllegalTransition",
    "InvalidRequest",
    "SessionError",
    "UnknownLifeEvent",
    "UnknownService",
    "UnknownStep",
    "UnsupportedLanguage",
]


class SessionError(Exception):
    """Base of every error the session raises."""


class IllegalTransition(SessionError):
    """An action that the current state does not allow: a bug in the caller, never the citizen's."""

    def __init__(self, state: str, action: str, allowed: Iterable[str], detail: str = "") -> None:
        self.state = str(state)
        self.action = str(action)
        self.allowed = tuple(str(a) for a in allowed)
        where = ", ".join(self.allowed) if self.allowed else "no state"
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"cannot {self.action} in state '{self.state}'{extra}; "
            f"{self.action} is allowed only in: {where}"
        )


class InvalidRequest(SessionError, ValueError):
    """A legal action with an argument the session cannot accept."""


class UnknownService(InvalidRequest):
    """No such service, or not offered at the kiosk."""


class UnknownLifeEvent(InvalidRequest):
    """No such life event in the catalogue."""


class UnknownStep(InvalidRequest):
    """No such step in the service, or the step is hidden by the answers given."""


class UnsupportedLanguage(InvalidRequest):
    """A language this kiosk is not configured for."""

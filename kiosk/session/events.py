"""What subscribers hear from the session. No event carries an answer or any personal data.

Subscribers are called on the thread that drove the session (the app's timer or a touch); the
Kivy app marshals them to its own thread (DESIGN.md: no worker thread touches a widget).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.session.states import State

__all__ = ["Event", "IdleWarning", "IdleWarningCleared", "StateChanged", "Wiped"]


@dataclass(frozen=True)
class StateChanged:
    old: State
    new: State
    action: str


@dataclass(frozen=True)
class IdleWarning:
    """Show "Do you need more time?"; the wipe comes after ``respond_s`` unless more_time()."""

    respond_s: float


@dataclass(frozen=True)
class IdleWarningCleared:
    """The person asked for more time (or touched the screen): hide the warning."""


@dataclass(frozen=True)
class Wiped:
    """Everything of the previous person is gone; ``reason`` is "idle", "end" or "requested"."""

    reason: str


Event = StateChanged | IdleWarning | IdleWarningCleared | Wiped

"""Appending to a case's one history from the handoff, web and staff channels — now the case
store's job (:mod:`central.cases.store`: lock, policy table, fold, append, projection).

These names stay importable from here for the modules that still reach the store through this path
(:mod:`central.handoff.resume`, :mod:`central.web.feedback_routes`, :mod:`central.web.start_routes`);
nothing here builds or inserts an event row.
"""

from __future__ import annotations

from central.cases.store import FoldError, append_event, event_values, fold_check, lock_case

__all__ = [
    "FoldError",
    "append_event",
    "event_values",
    "fold_check",
    "lock_case",
]

"""Funnel events in the outbox: offline sessions count too, and land on the day they happened.

Each transition's funnel events (:mod:`kiosk.session.funnel`) are one outbox row of kind
``funnel`` in the outbox's one stream :data:`FUNNEL_STREAM` (a pseudo case id: no local case, no
reference). The relay sends that stream like a case's events — oldest first, consecutive rows
merged into one ``POST /api/v1/funnel`` of up to
:data:`kiosk.outbox.store.MAX_EVENTS_PER_BATCH` events — and independently of every case, so a
case that central refuses never holds measurement back, nor the other way round.

The rows are sealed like every payload, though they hold no personal data: the outbox has one
rule for what is on disk, and no exception to reason about. While central is unreachable they
wait with the same backoff as cases; central files each event under the office-local day its
session started (``started_at`` travels in every event), so a day-late delivery changes nothing.

Failure model: :meth:`FunnelOutbox.record` raises what the outbox raises (``OutboxFull``); the
session's recorder catches it and carries on (measurement never stops a citizen's visit).
"""

from __future__ import annotations

from typing import Any

from kiosk.outbox.store import MAX_EVENTS_PER_BATCH, Outbox

__all__ = ["FUNNEL_STREAM", "FunnelOutbox"]

FUNNEL_STREAM = "funnel"
"""The outbox's ``case_id`` of funnel rows (never a UUID, so never a real case)."""


class FunnelOutbox:
    """The session's :class:`kiosk.session.funnel.FunnelSink` on a kiosk: the outbox + a relay."""

    def __init__(self, outbox: Outbox, wake: Any = None) -> None:
        self.outbox = outbox
        self.wake = wake
        """Called after a row is written (``Relay.wake``), or None."""

    def record(self, events: list[dict[str, Any]]) -> None:
        if not 1 <= len(events) <= MAX_EVENTS_PER_BATCH:
            raise ValueError(f"1 to {MAX_EVENTS_PER_BATCH} funnel events per row")
        with self.outbox._tx() as db:
            self.outbox._insert_op(db, FUNNEL_STREAM, "funnel", {"events": events})
        if self.wake is not None:
            self.wake()

    def case_depth(self) -> int:
        """Rows owed to central *for cases* (the heartbeat's ``outbox_depth``): funnel rows, one
        per screen change, would make a kiosk with a few unsent sessions look like a backlog of
        citizens' cases on the fleet page."""
        with self.outbox._lock:
            row = self.outbox._db.execute(
                "SELECT COUNT(*) FROM ops WHERE case_id != ?", (FUNNEL_STREAM,)
            ).fetchone()
        return int(row[0])

"""Hand-built funnel sessions for the measurement tests (no personal data, ever)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any


def session_events(
    service: str,
    start: datetime,
    *,
    steps: tuple[str, ...] = (),
    reason: str | None = None,
    duration_s: float | None = None,
    channel: str = "kiosk",
    features: tuple[str, ...] = (),
    language: str = "en",
    handoff: str | None = None,
) -> list[dict[str, Any]]:
    """The wire events of one funnel session: started, a step each, maybe ended and a handoff."""
    sid = str(uuid.uuid4())
    base = {"session_id": sid, "service_id": service, "channel": channel}
    base["started_at"] = start.isoformat()

    def event(kind: str, at: datetime, **fields: Any) -> dict[str, Any]:
        return {
            **base,
            "event_id": str(uuid.uuid4()),
            "type": kind,
            "occurred_at": at.isoformat(),
            **fields,
        }

    out = [event("started", start, language=language, features=list(features))]
    for i, step in enumerate(steps):
        out.append(
            event("step", start + timedelta(seconds=10 * (i + 1)), step_id=step, step_index=i)
        )
    if reason is not None:
        duration = duration_s if duration_s is not None else 10 * (len(steps) + 1)
        end = start + timedelta(seconds=duration)
        out.append(event("ended", end, reason=reason, duration_ms=int(duration * 1000)))
        if handoff is not None:
            out.append(event("handoff", end + timedelta(seconds=5), route=handoff))
    return out

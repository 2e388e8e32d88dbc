"""Raw funnel events are purged after ``Retention.funnel_event_days``; the rollups stay for good.

Pages and exports read rollups only (:mod:`central.measure.metrics`), so deleting raw events
loses no number. What it does lose is deduplication for those ids: an event replayed after its
raw row is gone would be counted again. Hence at least :data:`MIN_DAYS` (the idempotency window
every kiosk outbox is built for — a kiosk offline longer than that has bigger problems) and by
arrival time (``received_at``, indexed): a row is kept N days after central first saw it, however
late it happened. Deleted in chunks, each its own short transaction, like heartbeats.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from central.measure.models import FunnelEvent

log = logging.getLogger("central.retention")
CHUNK = 10_000
MIN_DAYS = 30
DEFAULT_DAYS = 90


def purge_events(engine: Engine, before: datetime, deadline: float | None = None) -> int:
    """Delete funnel events received before ``before``, :data:`CHUNK` at a time, until none is
    left or the monotonic ``deadline`` has passed; rows deleted."""
    total = 0
    oldest = (
        select(FunnelEvent.event_id)
        .where(FunnelEvent.received_at < before)
        .order_by(FunnelEvent.received_at)
        .limit(CHUNK)
    )
    while True:
        with engine.begin() as conn:
            ids = list(conn.scalars(oldest))
            if ids:
                conn.execute(delete(FunnelEvent).where(FunnelEvent.event_id.in_(ids)))
        total += len(ids)
        if len(ids) < CHUNK:
            return total
        if deadline is not None and time.monotonic() >= deadline:
            log.info("funnel event purge paused after %d rows: the rest at the next purge", total)
            return total

"""Metrics over a period, computed from the rollups only (never from raw events).

A period is a day (``2026-11-30``), an ISO week (``2026-W48``), a month (``2026-11``) or a quarter
(``2026-Q4``); its days are office-local days (every rollup row already is one). Reading a period
is one ``GROUP BY`` over at most days × services × channels × counters rows, whatever the number
of offices: every office together is read from the all-offices rows
(:data:`central.measure.record.ALL_OFFICES`, served by the primary key, which starts with the
day), one office from its own (index on office, day).

Definitions (per service × channel, and summed over channels):

* ``started``: funnel sessions that started in the period; ``ended``: by reason.
* ``completed``: ended ``submitted`` or ``not_eligible`` (GOV.UK 2015).
* ``completion_rate``: completed ÷ (completed + failed), where failed = every other ending except
  a handoff (``handed_off_*`` moved the attempt to another channel; counted under ``handoffs``).
  None when nothing ended.
* ``drop_off``: sessions that reached each step (catalogue order; the last is check answers).
* ``median_s`` / ``p90_s`` to complete: from the duration histogram of completed sessions,
  interpolated linearly inside a bucket (exact up to the bucket's width, see
  :data:`catalogue.funnel.DURATION_BUCKETS_S`).
* ``digital_take_up``: completions on digital channels (kiosk, web, assisted digital) ÷
  completions on all channels, per service. None with no completion.
* ``handoffs``: handed-off endings and after-submission handoffs, by route; ``features``: sessions
  that had each accessibility feature on.
* ``routes``: handoff conversion per route (:mod:`central.measure.handoffs`), on the day and
  channel of the offer: ``offered``, ``taken``, ``conversion`` = taken ÷ offered, ``median_wait_s``
  from offer to pick-up (banded like durations).
* ``outcome``: time to outcome, submitted → closed (:mod:`central.measure.handoffs`), on the day
  and channel it was sent: ``closed``, ``median_s``, ``p90_s`` (bands of hours to 30 days).
* ``queue``: the staff queue (:mod:`central.measure.handoffs`), on the day and channel the case
  entered it: ``picked_up``, ``median_wait_s``, ``p90_wait_s`` and ``over_service_level``, the
  share picked up after :data:`SERVICE_LEVEL_S`.
* ``satisfaction``: the one feedback question (:mod:`central.measure.feedback` folds it in, on the
  day it was given): ``responses``, ``satisfied`` (satisfied or very satisfied, 4–5), ``rate`` =
  satisfied ÷ responses (None with none), ``response_rate`` = responses ÷ sessions that ended in
  the period (None with none; feedback can outnumber endings on a channel that asks about cases
  started elsewhere, e.g. the phone after a kiosk handoff), ``scores`` by point.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from catalogue import funnel
from catalogue.model import Catalogue
from central.measure.models import FunnelRollup
from central.measure.record import ALL_OFFICES

__all__ = ["Period", "daily", "metrics", "quantile"]

R = FunnelRollup.__table__


@dataclass(frozen=True)
class Period:
    label: str
    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return cls(text, day, day)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return cls(text, first, first + timedelta(days=6))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            first = date(year, month, 1)
            nxt = date(year + month // 12, month % 12 + 1, 1)
            return cls(text, first, nxt - timedelta(days=1))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            year, q = int(m[1]), int(m[2])
            first = date(year, 3 * q - 2, 1)
            nxt = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
            return cls(text, first, nxt - timedelta(days=1))
        raise ValueError(f"period {text!r}: expected YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY-Qn")


def quantile(
    histogram: dict[int, int], q: float, buckets: tuple[int, ...] = funnel.DURATION_BUCKETS_S
) -> float | None:
    """The ``q`` quantile (seconds) of a duration histogram {bucket index: count}, interpolated
    linearly inside its bucket; the open last bucket answers its lower bound. None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank, seen = q * total, 0
    bounds = (0, *buckets)
    for index in range(len(bounds)):
        n = histogram.get(index, 0)
        if n and seen + n >= rank:
            if index >= len(buckets):
                return float(bounds[-1])
            low, high = bounds[index], bounds[index + 1]
            return low + (high - low) * (rank - seen) / n
        seen += n
    return float(bounds[-1])


OUTCOME_BUCKETS_S = tuple(h * 3600 for h in (1, 4, 8, 24, 48, 72, 120, 168, 240, 336, 504, 720))
"""Bands of the time to outcome (submitted → closed): 1 hour to 30 days; one more holds longer."""
SERVICE_LEVEL_S = 900
"""The staff queue's service level: picked up within 15 minutes (a band edge, so the share over
it is exact). Qmatic reports the share served above the level; so do we."""


def share_over(histogram: dict[int, int], seconds: float) -> float | None:
    """The share of a duration histogram above ``seconds`` (linear inside the band holding it;
    exact on a band edge). None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    bounds = (0, *funnel.DURATION_BUCKETS_S)
    over = 0.0
    for index, n in histogram.items():
        low = bounds[index] if index < len(bounds) else bounds[-1]
        high = bounds[index + 1] if index + 1 < len(bounds) else None
        if low >= seconds:
            over += n
        elif high is not None and high > seconds:
            over += n * (high - seconds) / (high - low)
    return over / total


def _channel_metrics(counts: dict[tuple[str, str], int], steps: tuple[str, ...]) -> dict[str, Any]:
    ended = {k: v for (m, k), v in counts.items() if m == "ended"}
    completed = sum(v for k, v in ended.items() if k in funnel.COMPLETED)
    handed = sum(v for k, v in ended.items() if k in funnel.HANDED_OFF)
    failed = sum(ended.values()) - completed - handed
    histogram: dict[int, int] = defaultdict(int)
    for (metric, key), v in counts.items():
        if metric == "duration":
            reason, _, bucket = key.rpartition(":")
            if reason in funnel.COMPLETED:
                histogram[int(bucket)] += v
    done_ms = sum(v for (m, k), v in counts.items() if m == "duration_ms" and k in funnel.COMPLETED)
    handoffs = {f"ended_{k}": v for k, v in ended.items() if k in funnel.HANDED_OFF}
    handoffs.update({k: v for (m, k), v in counts.items() if m == "handoff"})
    routes: dict[str, dict[str, Any]] = {}
    waits: dict[str, dict[int, int]] = defaultdict(dict)
    for (metric, key), v in counts.items():
        if metric in ("route_offered", "route_taken"):
            routes.setdefault(key, {"offered": 0, "taken": 0})[metric[6:]] += v
        elif metric == "route_wait":
            route, _, band = key.rpartition(":")
            waits[route][int(band)] = waits[route].get(int(band), 0) + v
    for route, r in routes.items():
        r["conversion"] = r["taken"] / r["offered"] if r["offered"] else None
        r["median_wait_s"] = quantile(waits.get(route, {}), 0.5)
    queue = {int(k): v for (m, k), v in counts.items() if m == "queue_wait"}
    outcome = {int(k): v for (m, k), v in counts.items() if m == "outcome_time"}
    scores = {int(k): v for (m, k), v in counts.items() if m == "feedback"}
    responses = sum(scores.values())
    satisfied = scores.get(4, 0) + scores.get(5, 0)
    endings = sum(ended.values())
    return {
        "started": counts.get(("started", ""), 0),
        "ended": dict(sorted(ended.items())),
        "completed": completed,
        "failed": failed,
        "completion_rate": completed / (completed + failed) if completed + failed else None,
        "drop_off": [{"step_id": s, "reached": counts.get(("step", s), 0)} for s in steps],
        "median_s": quantile(histogram, 0.5),
        "p90_s": quantile(histogram, 0.9),
        "mean_s": done_ms / 1000 / sum(histogram.values()) if histogram else None,
        "handoffs": dict(sorted(handoffs.items())),
        "features": {k: v for (m, k), v in sorted(counts.items()) if m == "feature"},
        "languages": {k: v for (m, k), v in sorted(counts.items()) if m == "language"},
        "routes": dict(sorted(routes.items())),
        "outcome": {
            "closed": counts.get(("outcome_closed", ""), 0),
            "median_s": quantile(outcome, 0.5, OUTCOME_BUCKETS_S),
            "p90_s": quantile(outcome, 0.9, OUTCOME_BUCKETS_S),
        },
        "queue": {
            "picked_up": counts.get(("queue_taken", ""), 0),
            "median_wait_s": quantile(queue, 0.5),
            "p90_wait_s": quantile(queue, 0.9),
            "over_service_level": share_over(queue, SERVICE_LEVEL_S),
        },
        "satisfaction": {
            "responses": responses,
            "satisfied": satisfied,
            "rate": satisfied / responses if responses else None,
            "response_rate": responses / endings if endings else None,
            "scores": dict(sorted(scores.items())),
        },
    }


def metrics(
    conn: Connection,
    period: Period,
    catalogue: Catalogue | None = None,
    *,
    office: str | None = None,
    service: str | None = None,
) -> dict[str, Any]:
    """Every metric of ``period`` (optionally one office, one service), per service and channel.

    ``{"period", "first", "last", "office", "service", "services": {service_id: {"channels":
    {channel: {...}}, "all": {...}, "digital_take_up": float | None}}}``."""
    query = (
        select(R.c.service_id, R.c.channel, R.c.metric, R.c.key, func.sum(R.c.value))
        .where(R.c.day >= period.first, R.c.day <= period.last)
        .group_by(R.c.service_id, R.c.channel, R.c.metric, R.c.key)
    )
    query = query.where(R.c.office == (ALL_OFFICES if office is None else office))
    if service is not None:
        query = query.where(R.c.service_id == service)
    per: dict[str, dict[str, dict[tuple[str, str], int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for service_id, channel, metric, key, value in conn.execute(query):
        per[service_id][channel][(metric, key)] += int(value)
    services: dict[str, Any] = {}
    for service_id in sorted(per):
        found = catalogue.services.get(service_id) if catalogue is not None else None
        steps = funnel.step_ids(found) if found is not None else ()
        if not steps:
            steps = tuple(
                sorted({k for c in per[service_id].values() for (m, k) in c if m == "step"})
            )
        channels = {ch: _channel_metrics(c, steps) for ch, c in sorted(per[service_id].items())}
        total: dict[tuple[str, str], int] = defaultdict(int)
        for c in per[service_id].values():
            for k, v in c.items():
                total[k] += v
        everything = _channel_metrics(total, steps)
        digital = sum(m["completed"] for ch, m in channels.items() if ch in funnel.DIGITAL_CHANNELS)
        services[service_id] = {
            "channels": channels,
            "all": everything,
            "digital_take_up": digital / everything["completed"]
            if everything["completed"]
            else None,
        }
    return {
        "period": period.label,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "office": office,
        "service": service,
        "services": services,
    }


def daily(
    conn: Connection,
    period: Period,
    *,
    office: str | None = None,
    service: str | None = None,
) -> list[dict[str, Any]]:
    """Each day of ``period``: sessions started, completed and failed, and the completion rate
    (the trend on the performance page). One ``GROUP BY`` over the same rollup rows."""
    query = (
        select(R.c.day, R.c.metric, R.c.key, func.sum(R.c.value))
        .where(R.c.day >= period.first, R.c.day <= period.last)
        .where(R.c.metric.in_(("started", "ended")))
        .where(R.c.office == (ALL_OFFICES if office is None else office))
        .group_by(R.c.day, R.c.metric, R.c.key)
    )
    if service is not None:
        query = query.where(R.c.service_id == service)
    per: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, metric, key, value in conn.execute(query):
        if metric == "started":
            per[day]["started"] += int(value)
        elif key in funnel.COMPLETED:
            per[day]["completed"] += int(value)
        elif key not in funnel.HANDED_OFF:
            per[day]["failed"] += int(value)
    out = []
    day = period.first
    while day <= period.last:
        n = per.get(day, {})
        done, failed = n.get("completed", 0), n.get("failed", 0)
        out.append(
            {
                "day": day.isoformat(),
                "started": n.get("started", 0),
                "completed": done,
                "failed": failed,
                "completion_rate": done / (done + failed) if done + failed else None,
            }
        )
        day += timedelta(days=1)
    return out

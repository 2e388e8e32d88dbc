"""Office Score and Service Score, by Boston's CityScore method, from the metrics and the targets.

Each metric that has a target (:mod:`central.measure.targets`) and a value in the period gets a
*ratio*: value ÷ target when higher is better, target ÷ value when lower is better — so 1 is on
target, above 1 better, below 1 worse. A score is the mean of its ratios:

* the **Service Score** of a service: its metrics' ratios (in one office, or across every office);
* the **Office Score**: every service's ratios in that office together (with no office chosen, the
  same over every office: the score of the whole service).

With the top and bottom five ratios, and for any day, the day's, ISO week's, month's and quarter's
scores (:func:`by_period`), like CityScore's daily/weekly/monthly/quarterly view.

Two choices of ours, beyond Boston's published method: each ratio is capped at
:data:`MAX_RATIO` (otherwise one metric near 0 — no drop-off, a 2-second median — makes the mean
infinite or swamps every other metric; Boston's metrics never reach 0), and a metric with no value
in the period (no completion, no feedback yet) is shown as "no data" and left out of the mean,
never counted as 0. Read from the rollups only, like every metric: a score for any period and
filter is one ``GROUP BY`` per period.

There is no drill-down from a score to the cases behind it: funnel rows cannot be joined to cases
by design (their session ids are keyed, :mod:`central.measure.web`), so a list of cases would need
a second, personal index of every session — not cheap, and not what a scorecard needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from catalogue import funnel
from catalogue.model import Catalogue
from central.measure.costs import UnitCosts, annotate
from central.measure.metrics import Period, metrics
from central.measure.targets import Target, Targets

__all__ = ["MAX_RATIO", "Entry", "by_period", "periods_of", "ratio", "score", "value_of"]

MAX_RATIO = 2.0
TOP = 5


@dataclass(frozen=True)
class Entry:
    service_id: str
    target: Target
    value: float | None
    ratio: float | None


def value_of(service: dict[str, Any], t: Target) -> float | None:
    """The value of ``t``'s metric in one service's metrics (None: no data)."""
    if t.metric == "digital_take_up":
        return service.get("digital_take_up")
    if t.metric == "cost_per_transaction":  # set by central.measure.costs.annotate
        return service.get("cost_per_transaction")
    row = service["channels"].get(t.channel) if t.channel else service["all"]
    if row is None:
        return None
    if t.metric == "completion_rate":
        return row["completion_rate"]
    if t.metric == "median_time_to_complete_s":
        return row["median_s"]
    if t.metric == "p90_time_to_complete_s":
        return row["p90_s"]
    if t.metric == "drop_off":
        step = t.step or funnel.CHECK_ANSWERS
        reached = next((d["reached"] for d in row["drop_off"] if d["step_id"] == step), None)
        if not row["started"] or reached is None:
            return None
        return max(0.0, 1 - reached / row["started"])
    if t.metric == "satisfaction":
        found = row.get("satisfaction") or {}
        return found.get("rate")
    return None


def ratio(value: float | None, t: Target) -> float | None:
    if value is None:
        return None
    if t.better == "higher":
        found = value / t.target
    else:
        found = MAX_RATIO if value == 0 else t.target / value
    return round(min(found, MAX_RATIO), 9)  # 1 - 4/5 is 0.19999…: equal ratios must tie


def _mean(entries: list[Entry]) -> float | None:
    ratios = [e.ratio for e in entries if e.ratio is not None]
    return sum(ratios) / len(ratios) if ratios else None


def score(found: dict[str, Any], targets: Targets) -> dict[str, Any]:
    """The scores of one :func:`central.measure.metrics.metrics` result.

    ``{"score": float | None, "services": {id: {"score", "entries"}}, "top": [...], "bottom":
    [...], "entries": [...]}`` — entries in the targets file's order within a service."""
    services: dict[str, Any] = {}
    every: list[Entry] = []
    for service_id, service in found["services"].items():
        entries = [
            Entry(service_id, t, v, ratio(v, t))
            for t in targets.for_service(service_id)
            for v in [value_of(service, t)]
        ]
        services[service_id] = {"score": _mean(entries), "entries": entries}
        every += entries
    scored = [e for e in every if e.ratio is not None]
    order = sorted(scored, key=lambda e: (-e.ratio, e.service_id, e.target.title))  # type: ignore[operator]
    low = sorted(scored, key=lambda e: (e.ratio, e.service_id, e.target.title))
    return {
        "score": _mean(every),
        "services": services,
        "entries": every,
        "top": order[:TOP],
        "bottom": low[:TOP],
    }


def periods_of(day: date) -> list[tuple[str, Period]]:
    """The day, its ISO week, its month and its quarter."""
    year, week, _ = day.isocalendar()
    return [
        ("Day", Period.parse(day.isoformat())),
        ("Week", Period.parse(f"{year}-W{week:02d}")),
        ("Month", Period.parse(day.strftime("%Y-%m"))),
        ("Quarter", Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")),
    ]


def by_period(
    conn: Connection,
    day: date,
    catalogue: Catalogue | None,
    targets: Targets,
    *,
    office: str | None = None,
    service: str | None = None,
    known: dict[str, Any] | None = None,
    costs: UnitCosts | None = None,
) -> list[dict[str, Any]]:
    """The score of the day, week, month and quarter holding ``day`` (one query each, but for a
    period whose metrics are given in ``known``, e.g. the page's own period)."""
    out = []
    for kind, period in periods_of(day):
        found = (known or {}).get(period.label)
        if found is None:
            found = metrics(conn, period, catalogue, office=office, service=service)
            annotate(found, costs)
        out.append({"kind": kind, "period": period.label, "score": score(found, targets)["score"]})
    return out

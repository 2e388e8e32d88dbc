"""One table of a period's metrics, for the performance page and for ``kiosk-central report``.

:func:`table` flattens :func:`central.measure.metrics.metrics` into rows — one per service ×
channel, then the service's ``all`` row — with :data:`COLUMNS`; the page and the export both use
it, so the page and the CSV cannot say different things.

Open data (``--format csv``, the shape GOV.UK services publish: one row per period, service and
channel, counts and rates in plain columns): any count from 1 to 4 is replaced by ``[c]``
(suppressed, the GSS convention), and so is any rate or time computed from fewer than 5 sessions
— a rate of 1 of 2 discloses both counts. ``--format json`` is the full, unsuppressed metrics,
for staff only.
"""

from __future__ import annotations

import csv
import io
from typing import Any

__all__ = ["COLUMNS", "SUPPRESSED", "SUPPRESS_BELOW", "open_data", "table", "to_csv"]

SUPPRESS_BELOW = 5
SUPPRESSED = "[c]"
COLUMNS = (
    "period",
    "start_date",
    "end_date",
    "office",
    "service_id",
    "channel",
    "sessions_started",
    "sessions_completed",
    "sessions_failed",
    "completion_rate",
    "median_time_to_complete_s",
    "p90_time_to_complete_s",
    "handed_off",
    "digital_take_up",
    "satisfaction_responses",
    "user_satisfaction",
    "satisfaction_response_rate",
    "cost_per_transaction",
)
COUNTS = (
    "sessions_started",
    "sessions_completed",
    "sessions_failed",
    "handed_off",
    "satisfaction_responses",
)
RATES = {
    "completion_rate": ("sessions_completed", "sessions_failed"),
    "median_time_to_complete_s": ("sessions_completed",),
    "p90_time_to_complete_s": ("sessions_completed",),
    "user_satisfaction": ("satisfaction_responses",),
    "satisfaction_response_rate": ("satisfaction_responses",),
}


def _row(result: dict[str, Any], service_id: str, channel: str, m: dict[str, Any]) -> dict:
    return {
        "period": result["period"],
        "start_date": result["first"],
        "end_date": result["last"],
        "office": result["office"] or "all",
        "service_id": service_id,
        "channel": channel,
        "sessions_started": m["started"],
        "sessions_completed": m["completed"],
        "sessions_failed": m["failed"],
        "completion_rate": m["completion_rate"],
        "median_time_to_complete_s": m["median_s"],
        "p90_time_to_complete_s": m["p90_s"],
        "handed_off": sum(m["handoffs"].values()),
        "digital_take_up": None,
        "satisfaction_responses": m["satisfaction"]["responses"],
        "user_satisfaction": m["satisfaction"]["rate"],
        "satisfaction_response_rate": m["satisfaction"]["response_rate"],
        "cost_per_transaction": None,
    }


def table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of :data:`COLUMNS` (numbers unrounded; None where there is nothing to divide)."""
    rows = []
    for service_id, service in result["services"].items():
        for channel, m in service["channels"].items():
            rows.append(_row(result, service_id, channel, m))
        total = _row(result, service_id, "all", service["all"])
        total["digital_take_up"] = service["digital_take_up"]
        total["cost_per_transaction"] = service.get("cost_per_transaction")
        rows.append(total)
    return rows


def open_data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with small counts, and what is computed from them, suppressed."""
    out = []
    for row in rows:
        shown = dict(row)
        for name in COUNTS:
            if 0 < row[name] < SUPPRESS_BELOW:
                shown[name] = SUPPRESSED
        for name, basis in RATES.items():
            if row[name] is not None and sum(row[b] for b in basis) < SUPPRESS_BELOW:
                shown[name] = SUPPRESSED
        for name in ("digital_take_up", "cost_per_transaction"):
            if row[name] is not None and row["sessions_completed"] < SUPPRESS_BELOW:
                shown[name] = SUPPRESSED
        out.append(shown)
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return buffer.getvalue()

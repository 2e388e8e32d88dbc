"""``/staff/performance``: every service's channels side by side, for analysts and admins.

Read from the rollups only (:mod:`central.measure.metrics`), so a page for any period and filter
costs one ``GROUP BY`` over counters, never a scan of events. No answer, reference or case is on
this page: only counts, rates and times. Numbers are shown unsuppressed (staff only); the open-data
export suppresses small counts (:mod:`central.measure.report`).

Each chart is an SVG drawn here on the server (no script, nothing from a CDN: the console's CSP
allows neither) with the same numbers in a table beside it, which is what a screen reader reads;
the SVG is ``role="img"`` with a title naming what it shows.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import select

from catalogue import funnel
from catalogue.model import Catalogue
from central.db.models import Device
from central.deps import CatalogueDep, ClockDep, SessionDep, end_reading, one_hop
from central.measure import costs as unit_costs
from central.measure import feedback as feedback_fold
from central.measure import report
from central.measure import scores as scoring
from central.measure import targets as target_file
from central.measure.metrics import Period, daily, metrics
from central.staff.routes import StaffCtx, forbidden, page

log = logging.getLogger("central.measure.pages")
router = APIRouter(prefix="/staff", include_in_schema=False)
PERMISSION = "performance"
CHART_WIDTH = 420
BAR_HEIGHT = 28
LABEL_WIDTH = 150
ROUTE_NAMES = {
    "kiosk_phone": "Kiosk → phone",
    "counter_phone": "Counter or phone line → phone",
    "kiosk_staff": "Kiosk → staff",
    "web_staff": "Web → staff",
    "slip_resume": "Slip → resumed",
    "web_kiosk": "Web → kiosk",
}
CHANNEL_NAMES = {
    "kiosk": "Kiosk",
    "web": "Web",
    "counter": "Counter",
    "phone": "Phone",
    "assisted": "Assisted digital",
    "all": "All channels",
}


def setup(app: FastAPI) -> None:
    """Read and check the score targets once (:mod:`central.measure.targets`). A broken file is
    logged problem by problem and the page says the scores are off; nothing else stops."""
    path = target_file.path_for(app.state.settings.catalogue_dir)
    catalogue = app.state.catalogue.catalogue if app.state.catalogue.loaded else None
    app.state.unit_costs = None
    costs_path = unit_costs.path_for(app.state.settings.catalogue_dir)
    if costs_path.is_file():
        try:
            app.state.unit_costs = unit_costs.load(costs_path, catalogue)
        except unit_costs.CostsError as exc:
            for problem in exc.problems:
                log.error("unit costs: %s", problem)
    app.state.targets, app.state.targets_problems = None, []
    if not path.is_file():
        app.state.targets_problems = [f"{path}: no targets file: no scores"]
        return
    try:
        app.state.targets = target_file.load(path, catalogue)
    except target_file.TargetsError as exc:
        app.state.targets_problems = [str(p) for p in exc.problems]
        for problem in exc.problems:
            log.error("targets: %s", problem)


def shown(metric: str, value: float | None) -> str:
    """A metric's value or target as the page writes it."""
    if value is None:
        return "no data"
    if metric == "cost_per_transaction":
        return f"{value:.2f}"
    if target_file.METRICS[metric][2]:
        return f"{value:.0%}"
    return f"{int(value // 60)} min {round(value % 60)} s"


def entry_row(e: scoring.Entry, known: Catalogue | None) -> dict[str, Any]:
    t = e.target
    return {
        "service": _title(known, e.service_id),
        "service_id": e.service_id,
        "metric": (
            f"Dropped off before “{_step_title(known, e.service_id, t.step or funnel.CHECK_ANSWERS)}”"
            if t.metric == "drop_off"
            else t.title
        ),
        "channel": CHANNEL_NAMES.get(t.channel or "all", t.channel),
        "value": shown(t.metric, e.value),
        "target": shown(t.metric, t.target),
        "better": "Higher" if t.better == "higher" else "Lower",
        "ratio": "–" if e.ratio is None else f"{e.ratio:.2f}",
    }


def score_view(
    conn: Any,
    found: dict[str, Any],
    period: Period,
    known: Catalogue | None,
    targets: target_file.Targets,
    office: str | None,
    service: str | None,
    today: date,
    costs: unit_costs.UnitCosts | None = None,
) -> dict[str, Any]:
    result = scoring.score(found, targets)
    day = min(period.last, today)  # a period still running: its scores up to today
    trend = scoring.by_period(
        conn, day, known, targets, office=office, service=service, known={period.label: found},
        costs=costs,
    )  # fmt: skip
    return {
        "score": result["score"],
        "services": [
            {
                "id": sid,
                "title": _title(known, sid),
                "score": s["score"],
                "entries": [entry_row(e, known) for e in s["entries"]],
            }
            for sid, s in result["services"].items()
        ],
        "top": [entry_row(e, known) for e in result["top"]],
        "bottom": [entry_row(e, known) for e in result["bottom"]],
        "trend": trend,
        "day": day.isoformat(),
    }


TREND_HEIGHT = 120


def trend_chart(days: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Geometry of one vertical bar per day: sessions started, the completed part darker."""
    if not any(d["started"] for d in days):
        return None
    top = max(d["started"] for d in days) or 1
    step = max(4, (CHART_WIDTH * 2 - 40) // max(1, len(days)))
    bars = []
    for i, d in enumerate(days):
        height = round(d["started"] / top * TREND_HEIGHT)
        done = round(min(d["completed"], d["started"]) / top * TREND_HEIGHT)
        bars.append(
            {**d, "x": 30 + i * step, "width": max(2, step - 2), "height": height, "done": done}
        )
    return {
        "days": days,
        "bars": bars,
        "width": 40 + len(days) * step,
        "height": TREND_HEIGHT + 20,
        "base": TREND_HEIGHT + 4,
        "top": top,
    }


def default_period(now: datetime) -> str:
    return now.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m")


def bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Geometry of one horizontal bar per channel: completion rate, 0–100 %."""
    out = []
    for i, row in enumerate(rows):
        rate = row["completion_rate"]
        width = 0 if rate is None else round(rate * (CHART_WIDTH - LABEL_WIDTH - 50))
        out.append(
            {
                "label": CHANNEL_NAMES.get(row["channel"], row["channel"]),
                "y": 8 + i * (BAR_HEIGHT + 8),
                "width": width,
                "text": "no endings" if rate is None else f"{rate:.0%}",
            }
        )
    return out


def _title(catalogue: Catalogue | None, service_id: str) -> str:
    service = catalogue.services.get(service_id) if catalogue is not None else None
    return service.title.en if service is not None else service_id


def _step_title(catalogue: Catalogue | None, service_id: str, step_id: str) -> str:
    if step_id == funnel.CHECK_ANSWERS:
        return "Check answers"
    service = catalogue.services.get(service_id) if catalogue is not None else None
    step = next((s for s in service.steps if s.id == step_id), None) if service else None
    return step.title.en if step is not None else step_id


@router.get("/performance")
@one_hop
def performance_page(
    ctx: StaffCtx, session: SessionDep, clock: ClockDep, catalogue: CatalogueDep, request: Request
) -> Response:
    if not ctx.may(PERMISSION):
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to performance.")
    params = request.query_params
    text = params.get("period", "").strip()[:20] or default_period(clock())
    office = params.get("office", "").strip()[:64] or None
    service = params.get("service", "").strip()[:100] or None
    offices = sorted(session.scalars(select(Device.office).distinct()))
    known = catalogue.catalogue if catalogue.loaded else None
    error = None
    try:
        period = Period.parse(text)
    except ValueError:
        period, error = None, "Enter a period like 2026-11, 2026-W48, 2026-Q4 or 2026-11-30"
    found: dict[str, Any] = {"services": {}}
    trend: dict[str, Any] | None = None
    zones = getattr(request.app.state, "office_zones", None)
    feedback_fold.fold_quietly(session.connection(), zones, clock())
    targets = getattr(request.app.state, "targets", None)
    scores = None
    if period is not None:
        found = metrics(session.connection(), period, known, office=office, service=service)
        trend = trend_chart(daily(session.connection(), period, office=office, service=service))
        costs = getattr(request.app.state, "unit_costs", None)
        unit_costs.annotate(found, costs)
        if targets is not None:
            conn = session.connection()
            today = clock().astimezone(ZoneInfo("Europe/London")).date()
            scores = score_view(conn, found, period, known, targets, office, service, today, costs)
    end_reading(session)
    services = []
    for service_id, result in found["services"].items():
        rows = report.table({**found, "services": {service_id: result}})
        channels = list(result["channels"])
        services.append(
            {
                "id": service_id,
                "title": _title(known, service_id),
                "rows": rows,
                "bars": bars(rows),
                "chart_height": 8 + len(rows) * (BAR_HEIGHT + 8),
                "channels": channels,
                "queue": result["all"]["queue"],
                "outcome": result["all"]["outcome"],
                "features": [
                    (name.replace("_", " ").capitalize(), [
                        result["channels"][ch]["features"].get(name, 0) for ch in channels
                    ])
                    for name in funnel.FEATURES
                    if result["all"]["features"].get(name)
                ],
                "routes": [
                    {"name": ROUTE_NAMES.get(route, route), **r}
                    for route, r in result["all"]["routes"].items()
                ],
                "steps": [
                    (_step_title(known, service_id, step["step_id"]), [
                        result["channels"][ch]["drop_off"][i]["reached"] for ch in channels
                    ])
                    for i, step in enumerate(result["all"]["drop_off"])
                ],
            }
        )  # fmt: skip
    choices = sorted(known.services.values(), key=lambda s: s.title.en) if known else []
    return page(
        "staff/performance.html",
        status=400 if error else 200,
        me=ctx,
        period=text,
        office=office,
        service=service,
        offices=offices,
        choices=choices,
        services=services,
        error=error,
        names=CHANNEL_NAMES,
        chart_width=CHART_WIDTH,
        bar_height=BAR_HEIGHT,
        label_width=LABEL_WIDTH,
        first=found.get("first"),
        last=found.get("last"),
        scores=scores,
        trend=trend,
        currency=getattr(getattr(request.app.state, "unit_costs", None), "currency", None),
        targets_off=bool(getattr(request.app.state, "targets_problems", [])),
    )

"""The fleet page of the staff console (``/staff/fleet``): every kiosk of the office, worst first.

For technicians (whose role has ``fleet`` and nothing else: they land here after signing in) and
admins. One office lists every kiosk. Across all offices (admins, without ``?office=``) the page
lists each office's counts and only the kiosks needing attention, at most :data:`ATTENTION_ROWS`:
10,000 kiosks in full made a 3.5 MB page taking 0.8 s. Read only: nothing here changes a row.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from central.deps import ClockDep, SessionDep, end_reading, one_hop
from central.fleet import alerts, api, availability, bundle_api, console, health, rollout
from central.fleet.waiters import Waiters
from central.staff.routes import StaffCtx, forbidden, page

router = APIRouter(prefix="/staff", include_in_schema=False)
ATTENTION_ROWS = 500
AVAILABILITY_WINDOW = timedelta(days=7)
"""The fleet page's availability column: in service over the office's opening hours, last 7 days."""


def setup(app: FastAPI) -> None:
    """Fleet operations plug in here: the device API (enrolment, commands) and the admin pages."""
    app.state.enrol_limiter = api.enrol_limiter(lambda: app.state.clock())
    app.state.command_waiters = Waiters(app.state.sessionmaker, lambda: app.state.clock())
    app.include_router(api.router)
    app.include_router(console.router)
    app.include_router(bundle_api.api)
    app.include_router(bundle_api.console)


@router.get("/fleet")
@one_hop
def fleet_page(ctx: StaffCtx, session: SessionDep, clock: ClockDep, request: Request) -> Response:
    if not ctx.may("fleet"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to the fleet view.")
    office: str | None = ctx.user.office
    if ctx.may("all_offices"):
        office = request.query_params.get("office", "").strip()[:64] or None
    now = clock()
    kiosks = health.fleet(session, office, now)
    week = availability.summary(session, now - AVAILABILITY_WINDOW, now, now, office)
    open_alerts = alerts.open_alerts(session.connection(), office)[:ATTENTION_ROWS]
    bundle_versions = rollout.versions(session, office)
    end_reading(session)
    listed = kiosks
    needing = sum(k.status != "ok" for k in kiosks)
    if office is None:  # every office: the counts, and the kiosks that need someone
        listed = [k for k in kiosks if k.status != "ok"][:ATTENTION_ROWS]
    return page(
        "staff/fleet.html",
        me=ctx,
        kiosks=kiosks,
        listed=listed,
        needing=needing,
        offices=health.by_office(kiosks) if office is None else [],
        office=office,
        now=now,
        summary=health.summary(kiosks),
        versions=health.versions(kiosks),
        bundle_versions=bundle_versions,
        silent_after_s=int(health.SILENT_AFTER.total_seconds()),
        backlog=health.BACKLOG,
        alerts=open_alerts,
        available={k.device_id: k.availability for k in week},
        fleet_available=availability.pooled(week),
    )

"""The fleet page of the staff console (``/staff/fleet``): every kiosk of the office, worst first.

For technicians (whose role has ``fleet`` and nothing else: they land here after signing in) and
admins (every office, or one with ``?office=``). Read only: nothing here changes a row.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from central.deps import ClockDep, SessionDep
from central.fleet import health
from central.handoff.txn import end_reading, one_hop
from central.staff.routes import StaffCtx, forbidden, page

router = APIRouter(prefix="/staff", include_in_schema=False)


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
    end_reading(session)
    return page(
        "staff/fleet.html",
        me=ctx,
        kiosks=kiosks,
        office=office,
        now=now,
        summary=health.summary(kiosks),
        versions=health.versions(kiosks),
        silent_after_s=int(health.SILENT_AFTER.total_seconds()),
        backlog=health.BACKLOG,
    )

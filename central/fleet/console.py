"""The fleet's admin pages in the staff console (issue 14 items 1-2).

* ``/staff/fleet/enrol``: make a single-use enrolment code for an office (and a kiosk name); the
  answer shows the typed code and its QR once.
* ``/staff/fleet/kiosks/{device_id}``: one kiosk — its latest heartbeat and activity, buttons that
  queue commands, the commands with their states and results, and the audit trail.
* ``/staff/fleet/commands/{id}/upload``: what a command brought back (the readiness report PDF, a
  screenshot), kept for its time; every view is audited.

Technicians and admins see a kiosk (``fleet``); only admins (``all_offices``: they run every
office) make codes and queue commands. Every POST takes its form through the console's own guard
(:func:`central.staff.routes.staff_form`: the session's CSRF token and our origin).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from central.db.models import Device, DeviceStatus
from central.deps import ClockDep, SessionDep, end_reading, one_hop
from central.fleet import audit as fleet_audit
from central.fleet import commands, enrolment
from central.fleet.models import COMMAND_KINDS
from central.staff import auth
from central.staff.routes import StaffCtx, StaffForm, console_page, forbidden, page

router = APIRouter(prefix="/staff/fleet", include_in_schema=False)


def is_admin(ctx: auth.StaffContext) -> bool:
    return ctx.may("fleet") and ctx.may("all_offices")


def actor(ctx: auth.StaffContext) -> str:
    return f"staff:{ctx.user.id}"


def _device(session: Session, ctx: auth.StaffContext, device_id: str) -> Device | Response:
    device = session.get(Device, device_id[:64])
    if device is None or not ctx.may_see_office(device.office):
        return page("staff/message.html", 404, me=ctx, title="Not found", body="No such kiosk.")
    return device


@router.get("/enrol")
@one_hop
def enrol_page(ctx: StaffCtx, session: SessionDep, clock: ClockDep, request: Request) -> Response:
    if not is_admin(ctx):
        return forbidden(ctx, "Only an admin makes enrolment codes.")
    office = request.query_params.get("office", "").strip()[:64]
    codes = enrolment.recent_codes(session, office or None, clock())
    end_reading(session)
    return console_page("staff/fleet_enrol.html", ctx, made=None, codes=codes, office=office,
                        name="", error=None, now=clock())  # fmt: skip


@router.post("/enrol")
@one_hop
def make_code(ctx: StaffCtx, session: SessionDep, clock: ClockDep, form: StaffForm) -> Response:
    if not is_admin(ctx):
        return forbidden(ctx, "Only an admin makes enrolment codes.")
    office, name = form.get("office", "").strip(), form.get("name", "").strip()
    try:
        made = enrolment.make_code(session, office, name or None, actor(ctx), clock())
    except ValueError as exc:
        session.rollback()
        return console_page("staff/fleet_enrol.html", ctx, 422, made=None, codes=[],
                            office=office, name=name, error=str(exc), now=clock())  # fmt: skip
    session.commit()
    # The code is shown in this answer only (no redirect: it is stored hashed).
    response = console_page("staff/fleet_enrol.html", ctx, made=made,
                            qr=enrolment.qr_svg(made.code), codes=[], office=office, name=name,
                            error=None, now=clock())  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/kiosks/{device_id}")
@one_hop
def kiosk_page(
    device_id: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep, request: Request
) -> Response:
    if not ctx.may("fleet"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to the fleet view.")
    device = _device(session, ctx, device_id)
    if not isinstance(device, Device):
        return device
    now = clock()
    commands.expire(session, now)
    session.commit()
    listed = commands.for_device(session, device.id)
    uploads = commands.uploads_of(session, [c.id for c in listed], now)
    trail = fleet_audit.for_device(session, device.id)
    beat = session.get(DeviceStatus, device.id)
    seen = commands.activity(session, device.id)
    end_reading(session)
    return console_page(
        "staff/fleet_kiosk.html",
        ctx,
        device=device,
        beat=beat,
        activity=seen,
        screenshot_refusal=commands.screenshot_refusal(seen, now),
        commands=listed,
        uploads=uploads,
        audit=trail,
        kinds=[(k, commands.LABELS[k]) for k in COMMAND_KINDS],
        admin=is_admin(ctx),
        error=request.query_params.get("error", "")[:300],
        now=now,
    )


@router.post("/kiosks/{device_id}/commands")
@one_hop
def queue_command(
    device_id: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep, form: StaffForm
) -> Response:
    if not is_admin(ctx):
        return forbidden(ctx, "Only an admin sends commands to kiosks.")
    device = _device(session, ctx, device_id)
    if not isinstance(device, Device):
        return device
    kind = form.get("kind", "")
    args = {}
    if kind == "out_of_service":
        args = {"message": {"en": form.get("message_en", ""), "cy": form.get("message_cy", "")}}
    try:
        commands.queue(session, device.id, kind, args, actor(ctx), clock())
    except commands.CommandRefused as exc:
        session.commit()  # a refused screenshot is audited too
        from urllib.parse import quote

        return RedirectResponse(
            f"/staff/fleet/kiosks/{device.id}?error={quote(str(exc))}", status_code=303
        )
    session.commit()
    return RedirectResponse(f"/staff/fleet/kiosks/{device.id}", status_code=303)


@router.get("/commands/{command_id}/upload")
@one_hop
def upload(command_id: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep) -> Response:
    if not ctx.may("fleet"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to the fleet view.")
    command = session.get(commands.DeviceCommand, command_id[:32])
    device = session.get(Device, command.device_id) if command is not None else None
    if device is None or not ctx.may_see_office(device.office):
        return page("staff/message.html", 404, me=ctx, title="Not found", body="Nothing here.")
    found = commands.view_upload(session, command_id, actor(ctx), clock())
    if found is None:
        return page("staff/message.html", 404, me=ctx, title="Not found",
                    body="Nothing was uploaded, or it is no longer kept.")  # fmt: skip
    data, content_type, kind = found.data, found.content_type, command.kind  # type: ignore[union-attr]
    session.commit()
    suffix = "pdf" if content_type == "application/pdf" else "png"
    return Response(
        data,
        media_type=content_type,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{kind}-{command_id}.{suffix}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'",
        },
    )

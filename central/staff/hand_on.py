"""Handing a counter or phone-line case on to the citizen: a QR code for their phone, or a slip.

**Phone.** ``POST /staff/new/<case>/handoff`` creates the same handoff a kiosk creates — the same
writer (:mod:`central.handoff.batch`), secret, display code, expiry and tries — with this member of
staff as its originator (``staff:<id>``) and the case's channel (``counter``/``phone``) on its
event. The page shows the QR code (the link's secret after ``#``) and, for a citizen on a call, the
typed way: ``<base>/h`` and the code ``HHHHH-XXXX-XXXX``. The citizen's phone claims it at ``/h``
exactly as from a kiosk and then shows its code; the staff page (``/staff/handoffs/<id>``, polled
by ``static/staff_handoff.js``, or "Check again") then asks the kiosk's question — "is it their
phone?": the citizen reads the code on their phone, staff compare and confirm (the phone's case
opens) or cancel (the phone's session is revoked). Only staff of the handoff's office may.

**Slip.** ``POST /staff/new/<case>/slip``: the citizen chooses a second factor (PIN, date of birth,
last 3 digits of their phone number) and tells it to staff; a resume code
(:func:`central.handoff.resume.create_resume_code`, 30 days) is shown on a printable page with the
web address (``<base>/resume``) — the same code a kiosk's slip carries, opened at ``/resume`` or at
any kiosk of the office.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.outcomes import outcome_for
from central.cases.store import FoldError, lock_case
from central.db.models import Case, CaseEvent
from central.deps import ClockDep, SessionDep, one_hop
from central.handoff import batch, codes, resume
from central.handoff import service as handoffs
from central.handoff.errors import HandoffStateError
from central.handoff.models import STAFF_ORIGIN, Handoff, WebSession
from central.handoff.service import Policy
from central.problems import ProblemError
from central.qr import qr_svg
from central.staff import auth, funnel
from central.staff.desk import AtDeskDep, Desk, desk_case, desk_page, staff_message
from central.staff.routes import StaffCtx, StaffForm, forbidden
from central.web.i18n import long_date

router = APIRouter(include_in_schema=False)


def _hand_on_page(
    request: Request,
    ctx: auth.StaffContext,
    desk: Desk,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    chosen: str = "",
) -> HTMLResponse:
    return desk_page(
        request,
        "staff/new_case_hand_on.html",
        ctx,
        desk,
        status,
        kinds=resume.FACTOR_KINDS,
        errors=errors or [],
        chosen=chosen,
    )


@router.get("/staff/new/{case_id}/hand-on", response_class=HTMLResponse)
@one_hop
def hand_on_page(at: AtDeskDep, session: SessionDep) -> Response:
    request, ctx = at.request, at.ctx
    desk = at.desk(session)
    if desk.case.status == "closed":
        return RedirectResponse(f"/staff/cases/{desk.case.id}", status_code=303)
    return _hand_on_page(request, ctx, desk)


@router.post("/staff/new/{case_id}/handoff", response_class=HTMLResponse)
async def handoff_post(
    request: Request, case_id: str, ctx: StaffCtx, clock: ClockDep, form: StaffForm
) -> Response:
    """Create the handoff (the kiosk's, made by staff) and show its QR code and typed code."""

    def find() -> Desk | HTMLResponse:
        with request.app.state.sessionmaker() as session:
            return desk_case(request, session, ctx, case_id)

    desk = await run_in_threadpool(find)
    if not isinstance(desk, Desk):
        return desk
    policy: Policy = request.app.state.handoff_policy
    order = batch.CreateOrder(desk.case.id, ctx.principal, clock(), policy, channel=desk.channel)
    try:
        issued = await batch.submit(request.app.state.handoff_writer, order, "handoff")
    except ProblemError as exc:
        return staff_message(
            ctx, exc.status, "Not handed on", "The case cannot be handed on now. Try again."
        )
    base = request.app.state.settings.base_url.rstrip("/")
    welsh = "?lang=cy" if desk.lang == "cy" else ""
    link = f"{base}/h{welsh}#{issued.secret}"
    handoff = issued.handoff
    return desk_page(
        request,
        "staff/new_case_qr.html",
        ctx,
        desk,
        handoff=handoff,
        qr=qr_svg(link, "QR code for the citizen's phone"),
        link=link,
        typed_url=f"{base}/h{welsh}",
        code=codes.kiosk_code(handoff.short_id, issued.display_code),
        minutes=policy.ttl_seconds // 60,
    )


def _handoff_for(
    session: Session, ctx: auth.StaffContext, handoff_id: str
) -> Handoff | HTMLResponse:
    """A handoff made by staff of this member's office (404 for anything else, alike)."""
    if not ctx.may("assign"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) may not work on cases.")
    try:
        handoff = session.get(Handoff, uuid.UUID(handoff_id))
    except ValueError:
        handoff = None
    if (
        handoff is None
        or not handoff.device_id.startswith(STAFF_ORIGIN)
        or not ctx.may_see_office(handoff.office)
    ):
        return staff_message(ctx, 404, "No such handoff", "No handoff with that id in your office.")
    return handoff


def _phone_code(session: Session, handoff: Handoff) -> str | None:
    """The code the claiming phone shows (kept on its web session once claimed)."""
    shown = session.scalar(
        select(WebSession.display_code).where(
            WebSession.handoff_id == handoff.id, WebSession.display_code.is_not(None)
        )
    )
    return codes.kiosk_code(handoff.short_id, shown) if shown else None


@router.get("/staff/handoffs/{handoff_id}", response_class=HTMLResponse)
@one_hop
def handoff_page(
    request: Request, handoff_id: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep
) -> Response:
    handoff = _handoff_for(session, ctx, handoff_id)
    if not isinstance(handoff, Handoff):
        return handoff
    policy: Policy = request.app.state.handoff_policy
    status = handoff.status_at(clock(), policy.max_code_attempts)
    desk = desk_case(request, session, ctx, str(handoff.case_id))
    if not isinstance(desk, Desk):
        return desk
    return desk_page(
        request,
        "staff/handoff.html",
        ctx,
        desk,
        handoff=handoff,
        state=status,
        phone_code=_phone_code(session, handoff) if status == "claimed" else None,
    )


@router.get("/staff/handoffs/{handoff_id}/status")
@one_hop
def handoff_status(
    request: Request, handoff_id: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep
) -> Response:
    """``{"status": …}`` for the page's poller (``static/staff_handoff.js``)."""
    handoff = _handoff_for(session, ctx, handoff_id)
    if not isinstance(handoff, Handoff):
        return JSONResponse({"status": "unknown"}, status_code=404)
    policy: Policy = request.app.state.handoff_policy
    status = handoff.status_at(clock(), policy.max_code_attempts)
    return JSONResponse({"status": status}, headers={"Cache-Control": "no-store"})


def decide(
    session: Session,
    handoff: Handoff,
    ctx: auth.StaffContext,
    now: datetime,
    *,
    confirm: bool,
) -> None:
    """The kiosk's confirm/decline step (:func:`central.handoff.service.decide`), taken by a
    member of staff: the ``handed_off`` event is the staff member's, on the case's channel. Raises
    :class:`HandoffStateError` when the handoff cannot be decided now. The caller commits."""
    case = session.get(Case, handoff.case_id)
    origin = case.origin_channel if case is not None else None
    channel = origin if origin in ("counter", "phone") else "staff"
    if not handoffs.decide(
        session,
        handoff,
        now,
        confirm=confirm,
        channel=channel,
        actor_type="staff",
        actor_id=ctx.user.id,
    ):
        raise HandoffStateError("The handoff cannot be decided now.")


def _decide_route(
    request: Request,
    session: Session,
    ctx: auth.StaffContext,
    handoff_id: str,
    now: datetime,
    confirm: bool,
) -> Response:
    handoff = _handoff_for(session, ctx, handoff_id)
    if not isinstance(handoff, Handoff):
        return handoff
    try:
        decide(session, handoff, ctx, now, confirm=confirm)
    except (HandoffStateError, FoldError):
        session.rollback()
    else:
        if confirm:
            case = session.get(Case, handoff.case_id)
            if case is not None and case.origin_channel in ("counter", "phone"):
                funnel.record(request, session, case, "ended", now, reason="handed_off_phone")
        session.commit()
    return RedirectResponse(f"/staff/handoffs/{handoff.id}", status_code=303)


@router.post("/staff/handoffs/{handoff_id}/confirm")
@one_hop
def confirm_post(
    request: Request,
    handoff_id: str,
    ctx: StaffCtx,
    session: SessionDep,
    clock: ClockDep,
    form: StaffForm,
) -> Response:
    """The citizen's phone shows the code staff see: it is theirs; the case opens on it."""
    return _decide_route(request, session, ctx, handoff_id, clock(), True)


@router.post("/staff/handoffs/{handoff_id}/decline")
@one_hop
def decline_post(
    request: Request,
    handoff_id: str,
    ctx: StaffCtx,
    session: SessionDep,
    clock: ClockDep,
    form: StaffForm,
) -> Response:
    """Not their phone, or cancel: the handoff ends and any session it made is revoked."""
    return _decide_route(request, session, ctx, handoff_id, clock(), False)


@router.post("/staff/new/{case_id}/slip", response_class=HTMLResponse)
@one_hop
def slip_post(at: AtDeskDep, session: SessionDep, form: StaffForm) -> Response:
    """A resume code with the second factor the citizen chose, on a printable page."""
    request, ctx, clock = at.request, at.ctx, at.clock
    desk = at.desk(session)
    kind = form.get("factor_kind", "")
    if kind not in resume.FACTOR_KINDS:
        errors = [("f-factor_kind", "Choose what the citizen will use to open the code")]
        return _hand_on_page(request, ctx, desk, 400, errors)
    now = clock()
    policy: Policy = request.app.state.handoff_policy
    factor = form.get(f"factor_{kind}", "")
    try:
        case, issued = resume.issue_for(
            session,
            desk.case.id,
            kind,
            factor,
            now,
            policy,
            channel=desk.channel,
            actor_type="staff",
            actor_id=ctx.user.id,
        )
    except resume.FactorError as exc:
        session.rollback()
        return _hand_on_page(request, ctx, desk, 400, [(f"f-factor_{kind}", str(exc))], kind)
    except FoldError:
        session.rollback()
        return staff_message(ctx, 409, "No slip", "This case cannot be handed on any more.")
    if case.status == "open":  # handed on before it was sent: the funnel session ends here
        funnel.record(request, session, case, "ended", now, reason="handed_off_phone")
    session.commit()
    base = request.app.state.settings.base_url.rstrip("/")
    return desk_page(
        request,
        "staff/new_case_slip.html",
        ctx,
        desk,
        case=case,
        code=issued.code,
        kind=kind,
        resume_url=f"{base}/resume",
        until=long_date(issued.until, desk.lang),
        until_en=long_date(issued.until, "en"),
    )


def _ending(request: Request, session: Session, case: Case) -> str:
    """Where the citizen at the desk or on the call is, for the feedback question."""
    if case.status in ("submitted", "closed"):
        return "completed"
    service = request.app.state.catalogue.service(case.service_id)
    if service is not None and outcome_for(service, dict(case.answers or {})) is not None:
        return "not_eligible"
    handed = session.scalar(
        select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.type == "handed_off")
    )
    return "handed_off" if handed is not None else "abandoned"


@router.post("/staff/new/{case_id}/feedback")
@one_hop
def feedback_post(at: AtDeskDep, session: SessionDep, form: StaffForm) -> Response:
    """The one feedback question, asked by staff at the end (the citizen answers, staff record
    it): ``feedback_given`` on the case's channel, the member of staff as the one who recorded
    it. Then the case's page, where it shows in the timeline."""
    from central import feedback
    from central.web.case_routes import read_feedback

    request, ctx, clock = at.request, at.ctx, at.clock
    desk = at.desk(session)
    score, comment, errors = read_feedback(form, desk.lang)
    if errors:
        return desk_page(
            request,
            "staff/new_case_feedback.html",
            ctx,
            desk,
            400,
            errors=errors,
        )
    ending = _ending(request, session, lock_case(session, desk.case.id) or desk.case)
    try:
        desk.append(
            session,
            ctx.user.id,
            feedback.EVENT_TYPE,
            feedback.payload(score, ending, comment),
            clock(),
        )
    except FoldError:
        session.rollback()
    else:
        session.commit()
    return RedirectResponse(f"/staff/cases/{desk.case.id}", status_code=303)


@router.get("/staff/new/{case_id}/feedback", response_class=HTMLResponse)
@one_hop
def feedback_page(at: AtDeskDep, session: SessionDep) -> Response:
    request, ctx = at.request, at.ctx
    desk = at.desk(session)
    return desk_page(request, "staff/new_case_feedback.html", ctx, desk, errors=[])

"""Counter and phone line: a member of staff starts a case for a citizen at the desk or on a call.

``/staff/new`` (choose the channel — ``counter`` or ``phone`` —, the citizen's language and the
service) → the case is created through the one case-create path (:func:`central.case_create
.start_case` and the app's case writer, exactly like a kiosk's or a web start's), the staff member
as actor, the staff member's office as the case's office → the steps of the service rendered from
the catalogue (the same field partial as the web's pages, ``web/fields.html``) and read by the same
validation (:mod:`central.web.forms` over :mod:`catalogue.validation`: the kiosk's messages, word for
word) → check answers → send → the reference and the service's next steps.

Every event is written with the case's channel (``counter`` or ``phone``), actor ``staff`` and the
member's id, so the office's history reads like any other case's. The case can be handed on at any
point (:mod:`central.staff.hand_on`): a QR code for the citizen's phone, or a printed slip.

Who may: roles with the ``assign`` permission (``staff`` and ``admin``), on cases of their own office
(admins everywhere) that started at the counter or on the phone line. Every POST takes its form
through :data:`central.staff.routes.StaffForm` (CSRF token and origin).
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalogue.funnel import CHECK_ANSWERS
from catalogue.model import Service
from catalogue.outcomes import deciding_step, outcome_for
from central.auth.principal import Principal
from central.case_create import Answer, start_case
from central.cases.store import FoldError
from central.db.models import Case
from central.deps import ClockDep, SessionDep, one_hop
from central.problems import ProblemError
from central.staff import auth, funnel
from central.staff.desk import (
    CHANGED,
    EDITABLE,
    LANGS,
    STAFF_CHANNELS,
    AtDeskDep,
    Desk,
    changed_meanwhile,
    desk_page,
    offered,
    staff_message,
    staff_page,
)
from central.staff.routes import StaffCtx, StaffForm, forbidden
from central.web import forms

router = APIRouter(prefix="/staff/new", include_in_schema=False)

START_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _services(request: Request) -> list[Service]:
    catalogue = request.app.state.catalogue
    if not catalogue.loaded:
        return []
    return [
        s
        for s in catalogue.catalogue.a_to_z("en")
        if any(offered(s, channel) for channel in STAFF_CHANNELS)
    ]


def _start_page(
    request: Request,
    ctx: auth.StaffContext,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    form = form or {}
    start = form.get("start", "")
    return staff_page(
        request,
        "staff/new_case.html",
        ctx,
        status,
        services=_services(request),
        channels=STAFF_CHANNELS,
        langs=LANGS,
        chosen=form,
        start=start if START_KEY.fullmatch(start) else secrets.token_urlsafe(16),
        errors=errors or [],
    )


@router.get("", response_class=HTMLResponse)
@one_hop
def new_case_page(request: Request, ctx: StaffCtx) -> Response:
    if not ctx.may("assign"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) may not start cases.")
    return _start_page(request, ctx)


async def create_case(
    request: Request,
    principal: Principal,
    *,
    service_id: str,
    channel: str,
    lang: str,
    start_key: str,
    now: Any,
) -> Answer:
    """The case writer's answer for a case started by staff (:func:`central.case_create
    .start_case`): 201, its replay, or the problem a refusal is."""
    return await start_case(
        request.app,
        principal,
        case_id=uuid.uuid5(uuid.NAMESPACE_URL, f"staff-start:{principal.id}:{start_key}"),
        start_key=start_key,
        service_id=service_id,
        channel=channel,
        actor_type="staff",
        actor_id=principal.id,
        payload={"office": principal.office, "channel": channel, "language": lang},
        path="/staff/new",
        hashed={"service_id": service_id, "channel": channel},
        now=now,
    )


@router.post("")
async def new_case_post(
    request: Request, ctx: StaffCtx, clock: ClockDep, form: StaffForm
) -> Response:
    """Create the case (channel counter or phone, actor this member of staff) and open its first
    step."""
    if not ctx.may("assign"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) may not start cases.")
    channel = form.get("channel", "")
    lang = form.get("lang", "en")
    service = request.app.state.catalogue.service(form.get("service", ""))
    errors: list[tuple[str, str]] = []
    if channel not in STAFF_CHANNELS:
        errors.append(("f-channel", "Choose where the citizen is: at the counter or on the phone"))
    if lang not in LANGS:
        errors.append(("f-lang", "Choose the citizen's language"))
    if service is None:
        errors.append(("f-service", "Choose a service"))
    elif channel in STAFF_CHANNELS and not offered(service, channel):
        errors.append(("f-service", "This service cannot be started by staff"))
    start = form.get("start", "")
    if errors or service is None or not START_KEY.fullmatch(start):
        return _start_page(request, ctx, 400, errors, form)
    try:
        answer = await create_case(
            request,
            ctx.principal,
            service_id=service.id,
            channel=channel,
            lang=lang,
            start_key=start,
            now=clock(),
        )
    except ProblemError:  # the writer is busy or the database away: nothing was created
        return staff_message(ctx, 503, "Not started", "The case could not be started. Try again.")
    if answer.status != 201:
        return staff_message(ctx, 503, "Not started", "The case could not be started. Try again.")
    case_id = json.loads(answer.body)["id"]

    def measure() -> None:  # the funnel: started, and the first step reached
        with request.app.state.sessionmaker() as session:
            case = session.get(Case, uuid.UUID(case_id))
            if case is not None and service.steps:
                now = clock()
                funnel.record(request, session, case, "started", now, language=lang)
                funnel.record(request, session, case, "step", now, step_id=service.steps[0].id)
                session.commit()

    await run_in_threadpool(measure)
    return RedirectResponse(f"/staff/new/{case_id}/next", status_code=303)


@router.get("/{case_id}/next", response_class=HTMLResponse)
@one_hop
def next_page(at: AtDeskDep, session: SessionDep) -> Response:
    desk = at.editable(session)
    if outcome_for(desk.service, desk.answers) is not None:  # type: ignore[arg-type]
        return RedirectResponse(f"/staff/new/{desk.case.id}/outcome", status_code=303)
    nxt = forms.next_step(desk.service, desk.answers)  # type: ignore[arg-type]
    where = f"step/{nxt.id}" if nxt else "check"
    return RedirectResponse(f"/staff/new/{desk.case.id}/{where}", status_code=303)


def _step_page(
    request: Request,
    ctx: auth.StaffContext,
    desk: Desk,
    step: Any,
    values: dict[str, Any],
    errors: list[Any],
    status: int = 200,
) -> HTMLResponse:
    return desk_page(
        request,
        "staff/new_case_step.html",
        ctx,
        desk,
        status,
        **forms.fields_context(step, values, errors),
    )


@router.get("/{case_id}/step/{step_id}", response_class=HTMLResponse)
@one_hop
def step_page(at: AtDeskDep, step_id: str, session: SessionDep) -> Response:
    request, ctx = at.request, at.ctx
    desk = at.editable(session)
    step = forms.find_step(desk.service, step_id, desk.answers)  # type: ignore[arg-type]
    if step is None:
        return RedirectResponse(f"/staff/new/{desk.case.id}/next", status_code=303)
    return _step_page(request, ctx, desk, step, desk.answers, [])


@router.post("/{case_id}/step/{step_id}")
@one_hop
def step_post(at: AtDeskDep, step_id: str, session: SessionDep, form: StaffForm) -> Response:
    """The step's answers, read by the catalogue's own rules; an ``answers_changed`` event on the
    case's channel with this member of staff as actor."""
    request, ctx, clock = at.request, at.ctx, at.clock
    desk = at.editable(session)
    answers = desk.answers
    step = forms.find_step(desk.service, step_id, answers)  # type: ignore[arg-type]
    if step is None:
        return RedirectResponse(f"/staff/new/{desk.case.id}/next", status_code=303)
    if changed_meanwhile(desk, form):  # nothing overwritten: the page as the case is now
        first = forms.visible_fields(step, answers)
        anchor = f"f-{first[0].id}" if first else "main"
        return _step_page(request, ctx, desk, step, answers, [(anchor, CHANGED)], 409)
    now = clock()
    patch, errors = forms.read_step(desk.service, step, form, answers, now.date())  # type: ignore[arg-type]
    if errors:
        shown = forms.shown_again(step, form, answers, patch, errors)
        return _step_page(request, ctx, desk, step, shown, errors, 400)
    changed = {k: v for k, v in patch.items() if answers.get(k) != v}
    merged = {k: v for k, v in (answers | patch).items() if v is not None}
    if changed:
        try:
            case = desk.append(session, ctx.user.id, "answers_changed", {"answers": changed}, now)
        except FoldError:
            session.rollback()
            return RedirectResponse(f"/staff/new/{desk.case.id}/done", status_code=303)
        merged = dict(case.answers)
    if outcome_for(desk.service, merged) is not None:  # type: ignore[arg-type]
        funnel.record(request, session, desk.case, "ended", now, reason="not_eligible")
        session.commit()  # the catalogue's outcome, e.g. not eligible: stop asking
        return RedirectResponse(f"/staff/new/{desk.case.id}/outcome", status_code=303)
    nxt = forms.next_step(desk.service, merged)  # type: ignore[arg-type]
    reached = nxt.id if nxt else CHECK_ANSWERS
    funnel.record(request, session, desk.case, "step", now, step_id=reached)
    session.commit()
    where = f"step/{nxt.id}" if nxt else "check"
    return RedirectResponse(f"/staff/new/{desk.case.id}/{where}", status_code=303)


def _check_page(
    request: Request, ctx: auth.StaffContext, desk: Desk, errors: list[Any], status: int = 200
) -> HTMLResponse:
    rows = forms.check_rows(desk.service, desk.answers, desk.lang)  # type: ignore[arg-type]
    return desk_page(
        request,
        "staff/new_case_check.html",
        ctx,
        desk,
        status,
        rows=rows,
        errors=errors,
    )


@router.get("/{case_id}/check", response_class=HTMLResponse)
@one_hop
def check_page(at: AtDeskDep, session: SessionDep) -> Response:
    request, ctx = at.request, at.ctx
    desk = at.editable(session)
    if (
        forms.next_step(desk.service, desk.answers) is not None  # type: ignore[arg-type]
        or outcome_for(desk.service, desk.answers) is not None  # type: ignore[arg-type]
    ):
        return RedirectResponse(f"/staff/new/{desk.case.id}/next", status_code=303)
    return _check_page(request, ctx, desk, [])


@router.get("/{case_id}/outcome", response_class=HTMLResponse)
@one_hop
def outcome_page(at: AtDeskDep, session: SessionDep) -> Response:
    """The ending the answers lead to ("not eligible", the catalogue's ``[[outcomes]]``): the
    same words every channel says, to read to the citizen; the deciding question to change."""
    request, ctx = at.request, at.ctx
    desk = at.editable(session)
    found = outcome_for(desk.service, desk.answers)  # type: ignore[arg-type]
    if found is None:
        return RedirectResponse(f"/staff/new/{desk.case.id}/next", status_code=303)
    return desk_page(
        request,
        "staff/new_case_outcome.html",
        ctx,
        desk,
        outcome=found,
        step=deciding_step(desk.service, found, desk.answers),  # type: ignore[arg-type]
    )


@router.post("/{case_id}/submit")
@one_hop
def submit(at: AtDeskDep, session: SessionDep, form: StaffForm) -> Response:
    request, ctx, clock = at.request, at.ctx, at.clock
    desk = at.editable(session)
    if changed_meanwhile(desk, form):
        return _check_page(request, ctx, desk, [("main", CHANGED)], 409)
    now = clock()
    errors = forms.check_complete(desk.service, desk.answers, now.date())  # type: ignore[arg-type]
    if outcome_for(desk.service, desk.answers) is not None:  # type: ignore[arg-type]
        return RedirectResponse(f"/staff/new/{desk.case.id}/outcome", status_code=303)
    if errors or forms.next_step(desk.service, desk.answers) is not None:  # type: ignore[arg-type]
        return _check_page(request, ctx, desk, errors, 400)
    try:
        case = desk.append(session, ctx.user.id, "submitted", {}, now)
    except FoldError:
        session.rollback()
    else:
        funnel.record(request, session, case, "ended", now, reason="submitted")
        session.commit()
    return RedirectResponse(f"/staff/new/{desk.case.id}/done", status_code=303)


@router.get("/{case_id}/done", response_class=HTMLResponse)
@one_hop
def done_page(at: AtDeskDep, session: SessionDep) -> Response:
    request, ctx = at.request, at.ctx
    desk = at.desk(session)
    if desk.case.status in EDITABLE and desk.service is not None:
        return RedirectResponse(f"/staff/new/{desk.case.id}/next", status_code=303)
    return desk_page(
        request,
        "staff/new_case_done.html",
        ctx,
        desk,
    )


def setup(app: FastAPI) -> None:
    """Also serve the hand-on routes (QR code for the phone, printed slip) and the page of
    feedback without a case."""
    from central.staff import feedback_page, hand_on

    app.include_router(hand_on.router)
    app.include_router(feedback_page.router)

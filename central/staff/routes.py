"""The staff console (HTML, under ``/staff``). Every change is an event: channel ``staff``, actor
``staff`` and the member's id. Role and office are checked on every route. Every POST takes its form
through a guard — :data:`StaffForm` (the session's CSRF token and our own origin) or, for the login,
:data:`LoginForm` (the login page's token) — which answers the 403 page before the route runs; a
test enumerates the app's staff POST routes and fails on one without a guard.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.queue import waiting_cases
from central.cases.store import append_event, lock_case
from central.cases_service import find_by_reference
from central.db.models import Case, CaseEvent
from central.deps import ClockDep, SessionDep, SettingsDep, end_reading, one_hop
from central.handoff import codes
from central.handoff.errors import RateLimited
from central.handoff.models import AttemptCounter, Handoff
from central.handoff.ratelimit import AttemptLimiter, address_key
from central.handoff.routes import give_back_attempt, take_attempt
from central.handoff.service import CODE_PURPOSE
from central.measure.zones import OfficeZones
from central.problems import AnswerInstead
from central.staff import auth, labels
from central.staff.models import StaffUser
from central.web import forms
from central.web.citizen import FormDep, same_origin
from central.web.render import SECURITY_HEADERS, env

router = APIRouter(prefix="/staff", include_in_schema=False)


def page(template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    html = env.get_template(template).render(**ctx)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def console_page(
    template: str, me: auth.StaffContext, status: int = 200, **values: Any
) -> HTMLResponse:
    """A :func:`page` for the signed-in member ``me``, with their session's CSRF token for its
    forms."""
    return page(template, status, me=me, csrf=me.session_row.csrf_token, **values)


def current(request: Request, session: SessionDep) -> auth.StaffContext:
    ctx = auth.staff_for(session, request.cookies.get(auth.COOKIE), request.app.state.clock())
    end_reading(session)
    if ctx is None:
        raise AnswerInstead(RedirectResponse("/staff/login", status_code=303))
    return ctx


StaffCtx = Annotated[auth.StaffContext, Depends(current)]


def forbidden(ctx: auth.StaffContext | None, why: str) -> HTMLResponse:
    return page("staff/message.html", 403, me=ctx, title="Not allowed", body=why)


async def staff_form(request: Request, ctx: StaffCtx, form: FormDep) -> dict[str, str]:
    """Dependency of every staff POST but the login: the form, when it carries this session's CSRF
    token and comes from our own origin; otherwise the 403 page answers instead of the route."""
    if not same_origin(request) or not auth.csrf_ok(ctx.session_row.csrf_token, form.get("csrf")):
        raise AnswerInstead(
            forbidden(ctx, "The form has expired. Go back, reload the page and try again.")
        )
    return form


async def login_form(request: Request, form: FormDep) -> dict[str, str]:
    """The login's guard: the token the login page set in its cookie, and our own origin."""
    token = request.cookies.get(auth.LOGIN_CSRF_COOKIE)
    if not same_origin(request) or not auth.csrf_ok(token, form.get("csrf")):
        raise AnswerInstead(forbidden(None, "The form has expired. Open the login page again."))
    return form


StaffForm = Annotated[dict[str, str], Depends(staff_form)]
LoginForm = Annotated[dict[str, str], Depends(login_form)]


@router.get("/login", response_class=HTMLResponse)
@one_hop
def login_page(request: Request, settings: SettingsDep) -> Response:
    token = secrets.token_urlsafe(24)
    response = page("staff/login.html", me=None, csrf=token, error=None, username="")
    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        path="/staff",
    )
    return response


def setup(app: FastAPI) -> None:
    app.state.login_lockout = auth.login_lockout(clock=lambda: app.state.clock())
    """Per staff account, in the database (see :mod:`central.staff.auth`)."""


def _login_refused(form: dict[str, str], status: int, error: str) -> HTMLResponse:
    return page(
        "staff/login.html",
        status,
        me=None,
        csrf=form.get("csrf"),
        error=error,
        username=form.get("username", ""),
    )


def _locked_message(until: datetime | None) -> str:
    when = f" until {until:%H:%M} UTC" if until is not None else " for a while"
    return (
        f"Too many wrong passwords for this username: it is locked{when}. "
        "Wait, or ask an administrator to unlock it."
    )


@router.post("/login")
@one_hop
def login_post(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep, form: LoginForm
) -> Response:
    """Both limits are taken before the password is checked (each one atomic statement in the
    database, committed): the client address's (10 failed a minute) and the username's (the
    lockout, :mod:`central.staff.auth`). A refusal that checked nothing gives back what it took."""
    username = form.get("username", "")
    address = "staff-login:" + address_key(request.client.host if request.client else None)
    account = auth.account_key(username)
    lockout: AttemptLimiter = request.app.state.login_lockout
    try:
        take_attempt(request, session, address)
    except RateLimited:
        return _login_refused(form, 429, "Too many attempts from your network. Wait a minute.")
    if lockout.take(session, account) is not None:
        give_back_attempt(request, session, address)
        session.commit()
        return _login_refused(form, 429, _locked_message(lockout.locked_until(session, account)))
    made = auth.login(session, username, form.get("password", ""), clock())
    if made is None:
        session.commit()
        error = "The username or password is not right."
        until = lockout.locked_until(session, account)
        if until is not None:  # this was the last try
            error += " " + _locked_message(until)
        return _login_refused(form, 401, error)
    lockout.reset(session, account)
    give_back_attempt(request, session, address)
    session.commit()
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(
        auth.COOKIE,
        made[1],
        max_age=auth.SESSION_HOURS * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        path="/",
    )
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/staff")
    return response


@router.get("/accounts", response_class=HTMLResponse)
@one_hop
def accounts(ctx: StaffCtx, session: SessionDep, clock: ClockDep, request: Request) -> Response:
    """Admins: every staff account, locked ones first, with an Unlock button where a username
    has wrong passwords counted."""
    if not ctx.may("accounts"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) does not manage staff accounts.")
    lockout: AttemptLimiter = request.app.state.login_lockout
    users = session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
    by_hash = {lockout.key_hash(auth.account_key(u.username)): u for u in users}
    counters = {
        row.key_hash: row
        for row in session.scalars(
            select(AttemptCounter).where(AttemptCounter.key_hash.in_(list(by_hash)))
        )
    }
    now = clock()
    rows = []
    for digest, user in by_hash.items():
        row = counters.get(digest)
        until = row.locked_until if row is not None else None
        rows.append(
            {
                "username": user.username,
                "role": user.role,
                "office": user.office,
                "failures": row.failures if row is not None else 0,
                "locked_until": until if until is not None and until > now else None,
            }
        )
    rows.sort(key=lambda a: (a["locked_until"] is None, not a["failures"], a["username"]))
    return console_page(
        "staff/accounts.html",
        ctx,
        accounts=rows,
        minutes=auth.LOCKOUT_MINUTES,
    )


@router.post("/accounts/unlock")
@one_hop
def unlock_account(
    ctx: StaffCtx, session: SessionDep, request: Request, form: StaffForm
) -> Response:
    """Lift a username's lockout (forget its wrong passwords)."""
    if not ctx.may("accounts"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) does not manage staff accounts.")
    auth.unlock(session, form.get("username", ""), request.app.state.login_lockout)
    session.commit()
    return RedirectResponse("/staff/accounts", status_code=303)


@router.post("/logout")
@one_hop
def logout(ctx: StaffCtx, session: SessionDep, clock: ClockDep, form: StaffForm) -> Response:
    row = session.merge(ctx.session_row)
    row.revoked_at = clock()
    session.commit()
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(auth.COOKIE, path="/")
    return response


@router.get("", response_class=HTMLResponse)
@one_hop
def queue(ctx: StaffCtx, session: SessionDep, clock: ClockDep, request: Request) -> Response:
    if not ctx.may("queue"):
        if ctx.may("fleet"):  # a technician: the kiosks are their work
            return RedirectResponse("/staff/fleet", status_code=303)
        if ctx.may("performance"):  # an analyst: the numbers are theirs
            return RedirectResponse("/staff/performance", status_code=303)
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to cases.")
    office = (
        request.query_params.get("office", ctx.user.office)
        if ctx.may("all_offices")
        else ctx.user.office
    )
    cases = waiting_cases(session, office)
    return console_page(
        "staff/queue.html",
        ctx,
        cases=cases,
        office=office,
        now=clock(),
        error=request.query_params.get("error"),
    )


def _find(session: Session, ctx: auth.StaffContext, text: str, now: Any) -> Case | None:
    case = find_by_reference(session, text)
    if case is None:
        # The kiosk code (HHHHH-XXXX-XXXX) names its handoff; its last 8 letters alone also do.
        parts = codes.split_kiosk_code(text)
        handle, display = parts if parts else (None, text)
        normal = codes.normalise_code(display, codes.DISPLAY_CODE_LETTERS)
        if normal is not None:
            found = session.scalars(
                select(Handoff).where(
                    Handoff.code_hash == codes.hash_secret(normal, CODE_PURPOSE),
                    Handoff.expires_at > now,
                    Handoff.declined_at.is_(None),
                    *([Handoff.short_id == handle] if handle else []),
                )
            ).all()
            found = [h for h in found if ctx.may_see_office(h.office)]
            case = session.get(Case, found[0].case_id) if len(found) == 1 else None
    if case is None or not ctx.may_see_office(case.origin_office):
        return None
    return case


@router.post("/pickup")
@one_hop
def pickup(ctx: StaffCtx, session: SessionDep, clock: ClockDep, form: StaffForm) -> Response:
    if not ctx.may("view"):
        return forbidden(ctx, "Your role has no access to cases.")
    now = clock()
    case = _find(session, ctx, form.get("lookup", ""), now)
    if case is None:
        return RedirectResponse("/staff?error=notfound", status_code=303)
    if case.status == "waiting_for_staff" and ctx.may("assign"):
        locked = lock_case(session, case.id)
        append_event(
            session,
            locked,
            type="assigned",
            payload={"staff_id": ctx.user.id},
            channel="staff",
            actor_type="staff",
            actor_id=ctx.user.id,
            now=now,
        )  # type: ignore[arg-type]
        session.commit()
    return RedirectResponse(f"/staff/cases/{case.id}", status_code=303)


def case_or_404(session: Session, ctx: auth.StaffContext, case_id: str) -> Case | HTMLResponse:
    """The case when ``case_id`` names one this member may see, else the "no such case" page
    (404) — the same answer for a malformed id, an unknown id and another office's case."""
    try:
        case = session.get(Case, uuid.UUID(case_id))
    except ValueError:
        case = None
    if case is None or not ctx.may_see_office(case.origin_office):
        return page(
            "staff/message.html",
            404,
            me=ctx,
            title="No such case",
            body="No case with that id in your office.",
        )
    return case


@router.get("/cases/{case_id}", response_class=HTMLResponse)
@one_hop
def case_page(case_id: str, ctx: StaffCtx, session: SessionDep, request: Request) -> Response:
    if not ctx.may("view"):
        return forbidden(ctx, "Your role has no access to cases.")
    case = case_or_404(session, ctx, case_id)
    if not isinstance(case, Case):
        return case
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    ).all()
    svc = request.app.state.catalogue.service(case.service_id)
    zones = getattr(request.app.state, "office_zones", None) or OfficeZones()
    names = labels.staff_names(session, [e.actor_id for e in events] + [case.assigned_to])
    fields = {f.id: f.label.en for step in svc.steps for f in step.fields} if svc else {}
    return console_page(
        "staff/case.html",
        ctx,
        case=case,
        timeline=labels.timeline(events, names, zones.zone(case.origin_office), fields),
        language=labels.language_label(labels.case_language(events)),
        assigned=names.get(case.assigned_to or "", case.assigned_to),
        service=svc,
        answer_rows=_answer_rows(svc, dict(case.answers or {})),
        error=request.query_params.get("error"),
    )


def _answer_rows(service: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value as a person reads it) for each answer, in the service's order; answers the
    catalogue no longer knows are still shown, under their field id, so staff never miss one."""
    if service is None:
        return [(key, str(value)) for key, value in answers.items()]
    rows: list[tuple[str, str]] = []
    known: set[str] = set()
    for step in service.steps:
        for f in step.fields:
            known.add(f.id)
            if f.id in answers:
                rows.append((f.label.en, forms.display_value(f, answers[f.id], "en")))
    rows += [(key, str(value)) for key, value in answers.items() if key not in known]
    return rows

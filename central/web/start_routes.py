"""The web front door: a citizen starts any service at home, with no kiosk at any point.

``/`` (home: services by life event, a link to A–Z, ways back in) → ``/services`` (A–Z) or
``/life-events/<id>`` → ``/start/<service>`` (what you need, what it costs: the catalogue's ``help``)
→ ``/start/<service>/office`` (the office, or "I'm not sure" routed by ``config/offices.toml``) →
the case is created through the one case-create path (:mod:`central.web.drafts`, channel ``web``,
actor ``citizen``) with a fresh web session cookie, exactly like a handoff claim's → the existing
step / check answers / done pages of :mod:`central.web.case_routes`.

On any step (and at check answers) the citizen may:

* **save and come back** (``/case/save``): they choose a second factor (PIN, date of birth, last 3
  digits of their phone number) and get a resume code (:func:`central.handoff.resume
  .create_resume_code`, its event on channel ``web``); ``/resume`` (web) or a kiosk opens the case
  again, on the step where they left (``/case/next``). The saved page shows the code as a QR code
  too (the bare code, as a kiosk's slip carries it), which a kiosk of the case's office reads with
  its scanner on the attract screen or under "I have a code" (issue 12 item 3). The code carries
  the page's language (and what a kiosk's handoff to this phone carried: text size, colours...),
  so the kiosk opens the step that way (issue 19 item 6). Drafts nobody touches for 30 days are
  purged (:func:`central.web.drafts.purge`, run with the other retention);
* **ask for help** (``/case/help``): a ``help_requested`` event puts the case, with everything answered
  so far, in the staff queue of its office (the same event the kiosk's "ask staff" sends); the page
  says the reference and what happens next.

Every page is in English and Welsh (``?lang=cy`` or the language cookie). Nothing personal is logged.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from catalogue.model import Channel, Field, FieldType, Service, Text
from catalogue.validation import AnswerError, normalise
from central.db.models import Case
from central.deps import ClockDep, SessionDep, SettingsDep, one_hop
from central.handoff import resume
from central.handoff import service as handoffs
from central.handoff.history import FoldError
from central.handoff.ratelimit import AttemptLimiter, address_key
from central.measure import web as web_funnel
from central.qr import qr_svg
from central.web import drafts, forms
from central.web import offices as office_config
from central.web.case_routes import (
    EDITABLE,
    Citizen,
    CitizenDep,
    PostingCitizenDep,
    _editable,
    _gate,
    _page,
)
from central.web.citizen import FormDep, SameOriginDep, set_session_cookie
from central.web.i18n import long_date, t
from central.web.render import render, request_lang

log = logging.getLogger("central.web.start")
router = APIRouter(include_in_schema=False)

NOT_SURE = "not-sure"
STARTS_PER_HOUR = 60
"""New web cases one client address may start in an hour (anyone may start one, so this bounds
what a script can write; a replayed double click counts too). Kept in the database like every
other limit (:mod:`central.handoff.ratelimit`)."""
START_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
POSTCODE_FIELD = Field("postcode", FieldType.POSTCODE, Text("Postcode", "Cod post"))


def setup(app: FastAPI) -> None:
    """Read and check the offices once. A broken file is logged and the start pages say the
    service cannot be started online; the rest of central is unaffected."""
    app.state.web_start_limiter = AttemptLimiter(
        STARTS_PER_HOUR, 3600.0, clock=lambda: app.state.clock(), scope="web-start"
    )
    path = office_config.path_for(app.state.settings.catalogue_dir)
    try:
        app.state.web_offices = office_config.load(path)
    except office_config.OfficesError as exc:
        app.state.web_offices = None
        for problem in exc.problems:
            log.error("offices: %s", problem)


def _offices(request: Request) -> office_config.Offices | None:
    return getattr(request.app.state, "web_offices", None)


def office_name(request: Request, office_id: str) -> str:
    offices = _offices(request)
    office = offices.get(office_id) if offices else None
    return office.name.get(request_lang(request)) if office else office_id


def _online(request: Request) -> list[Service]:
    """Services that can be started on the web, A to Z in the page language."""
    catalogue = request.app.state.catalogue
    if not catalogue.loaded:
        return []
    lang = request_lang(request)
    return [s for s in catalogue.catalogue.a_to_z(lang) if Channel.WEB in s.channels]


def _notice(request: Request, status: int, title_key: str, body_key: str) -> HTMLResponse:
    return render(request, "web/notice.html", status, title_key=title_key, body_key=body_key)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    services = _online(request)
    catalogue = request.app.state.catalogue
    events = []
    if catalogue.loaded:
        for event in catalogue.catalogue.life_events.values():
            if any(event.id in s.life_events for s in services):
                events.append(event)
    return render(request, "web/home.html", events=events, any_services=bool(services))


@router.get("/services", response_class=HTMLResponse)
def a_to_z(request: Request) -> HTMLResponse:
    return render(request, "web/services.html", services=_online(request), event=None)


@router.get("/life-events/{event_id}", response_class=HTMLResponse)
def life_event(request: Request, event_id: str) -> HTMLResponse:
    catalogue = request.app.state.catalogue
    event = catalogue.catalogue.life_events.get(event_id) if catalogue.loaded else None
    if event is None:
        return _notice(request, 404, "page_not_found_title", "no_service_body")
    services = [s for s in _online(request) if event_id in s.life_events]
    return render(request, "web/services.html", services=services, event=event)


def _startable(request: Request, service_id: str) -> Service | Response:
    """The service, or the page that says why it cannot be started online."""
    service = request.app.state.catalogue.service(service_id)
    if service is None:
        return _notice(request, 404, "no_service_title", "no_service_body")
    if Channel.WEB not in service.channels:
        return _notice(request, 404, "not_online_title", "not_online_body")
    if _offices(request) is None:
        return _notice(request, 503, "start_closed_title", "start_closed_body")
    return service


@router.get("/start/{service_id}", response_class=HTMLResponse)
def start_page(request: Request, service_id: str) -> Response:
    service = _startable(request, service_id)
    if isinstance(service, Response):
        return service
    return render(request, "web/start.html", service=service)


def _office_page(
    request: Request,
    service: Service,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    chosen: str = "",
    postcode: str = "",
    start: str | None = None,
) -> HTMLResponse:
    offices = _offices(request)
    assert offices is not None
    return render(
        request,
        "web/office.html",
        status,
        service=service,
        offices=offices.offices,
        not_sure=NOT_SURE,
        errors=errors or [],
        chosen=chosen,
        postcode=postcode,
        start=start or secrets.token_urlsafe(16),
    )


@router.get("/start/{service_id}/office", response_class=HTMLResponse)
def office_page(request: Request, service_id: str) -> Response:
    service = _startable(request, service_id)
    if isinstance(service, Response):
        return service
    return _office_page(request, service)


@router.post("/start/{service_id}/office", dependencies=[SameOriginDep])
async def office_post(
    request: Request,
    service_id: str,
    form: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Route the case to an office, create it (channel ``web``) and open its first step."""
    service = _startable(request, service_id)
    if isinstance(service, Response):
        return service
    offices = _offices(request)
    assert offices is not None
    lang = request_lang(request)
    chosen = form.get("office", "")
    postcode = form.get("postcode", "").strip()[:20]
    start = form.get("start", "")
    if not START_KEY.fullmatch(start):
        start = secrets.token_urlsafe(16)
    now = clock()
    errors: list[tuple[str, str]] = []
    office = offices.get(chosen) if chosen != NOT_SURE else None
    if chosen == NOT_SURE:
        try:
            code = normalise(POSTCODE_FIELD, postcode, now.date()) if postcode else None
            office = offices.for_postcode(code)
        except AnswerError as exc:
            errors.append(("f-postcode", exc.message.get(lang)))
    elif office is None:
        errors.append(("f-office", t(lang, "err_office")))
    if errors or office is None:
        return _office_page(request, service, 400, errors, chosen, postcode, start)
    limiter: AttemptLimiter = request.app.state.web_start_limiter
    client = address_key(request.client.host if request.client else None)
    try:
        wait = await run_in_threadpool(limiter.take, session, client)  # commits
    except Exception as exc:  # noqa: BLE001 - the database is away: nothing was created
        log.warning("web start limit unreadable: %s", type(exc).__name__)
        return _notice(request, 503, "start_closed_title", "start_busy")
    if wait is not None:
        refused = _notice(request, 429, "start_closed_title", "start_limited")
        refused.headers["Retry-After"] = str(int(wait))
        return refused
    try:
        answer = await drafts.create(
            request.app, service_id=service.id, office=office.id, start_key=start, now=now,
            lang=request_lang(request),
        )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - busy writer or database away: nothing was created
        log.warning("web start not stored: %s", type(exc).__name__)
        return _notice(request, 503, "start_closed_title", "start_busy")
    case_id = drafts.created_case_id(answer)
    if case_id is None:
        if answer.status == 422:  # the service left the catalogue since the page was shown
            return _notice(request, 404, "no_service_title", "no_service_body")
        return _notice(request, 503, "start_closed_title", "start_busy")
    policy = request.app.state.handoff_policy

    def open_session() -> str | None:
        case = session.get(Case, case_id)
        if case is None:
            return None
        _, token = handoffs.new_web_session(session, case, None, now, policy)
        web_funnel.start(session, web_funnel.WebMeasure.of_app(request.app), case, now, lang)
        session.commit()
        return token

    token = await run_in_threadpool(open_session)
    if token is None:
        return _notice(request, 503, "start_closed_title", "start_busy")
    response = RedirectResponse("/case/next", status_code=303)
    set_session_cookie(response, token, settings.secure_cookies, policy.web_session_seconds)
    return response


@router.get("/case/next", response_class=HTMLResponse)
@one_hop
def next_page(request: Request, c: CitizenDep) -> Response:
    """Where the citizen left: the first step not yet done, else check answers."""
    gate = _gate(request, c)
    if gate is not None:
        return gate
    if c.service is None:
        return _page(request, "web/gone.html", c, 410)
    if c.case.status not in EDITABLE:
        return RedirectResponse("/case/status", status_code=303)
    nxt = forms.next_step(c.service, dict(c.case.answers or {}))
    return RedirectResponse(f"/case/step/{nxt.id}" if nxt else "/case/check", status_code=303)


def _open_or_else(request: Request, c: Citizen) -> Response | None:
    if c.service is None and _gate(request, c) is None:
        return _page(request, "web/gone.html", c, 410)
    return _editable(request, c)


def _save_page(request: Request, c: Citizen, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("errors", [])
    ctx.setdefault("chosen", "")
    return _page(request, "web/save.html", c, status, kinds=resume.FACTOR_KINDS, **ctx)


@router.get("/case/save", response_class=HTMLResponse)
@one_hop
def save_page(request: Request, c: CitizenDep) -> Response:
    return _open_or_else(request, c) or _save_page(request, c)


@router.post("/case/save")
@one_hop
def save_post(
    request: Request, c: PostingCitizenDep, session: SessionDep, clock: ClockDep, form: FormDep
) -> Response:
    other = _open_or_else(request, c)
    if other is not None:
        return other
    lang = request_lang(request)
    kind = form.get("factor_kind", "")
    if kind not in resume.FACTOR_KINDS:
        return _save_page(request, c, 400, errors=[("f-factor_kind", t(lang, "err_factor_kind"))])
    now = clock()
    policy = request.app.state.handoff_policy
    factor = form.get(f"factor_{kind}", "")
    try:
        _, issued = resume.issue_for(
            session,
            c.case.id,
            kind,
            factor,
            now,
            policy,
            channel="web",
            actor_type="citizen",
            actor_id=str(c.web.id),
            preferences=resume.web_preferences(session, c.web, lang),
        )
    except resume.FactorError:
        session.rollback()
        return _save_page(
            request, c, 400, errors=[(f"f-factor_{kind}", t(lang, f"ferr_{kind}"))], chosen=kind
        )
    except FoldError:
        session.rollback()
        return RedirectResponse("/case/status", status_code=303)
    session.commit()
    base = str(request.app.state.settings.base_url).rstrip("/")
    return _page(
        request,
        "web/saved.html",
        c,
        code=issued.code,
        qr=qr_svg(issued.code, t(lang, "saved_code")),
        until=long_date(issued.until, lang),
        resume_url=f"{base}/resume",
        factor=t(lang, f"fk_{kind}"),
        office=office_name(request, c.case.origin_office),
    )


@router.get("/case/help", response_class=HTMLResponse)
@one_hop
def help_page(request: Request, c: CitizenDep) -> Response:
    other = _open_or_else(request, c)
    if other is not None:
        return other
    return _page(
        request, "web/help.html", c, office=office_name(request, c.case.origin_office), errors=[]
    )


@router.post("/case/help")
@one_hop
def help_post(
    request: Request, c: PostingCitizenDep, session: SessionDep, clock: ClockDep
) -> Response:
    """The kiosk's "ask staff", from the web: the case joins its office's staff queue."""
    gate = _gate(request, c)
    if gate is not None:
        return gate
    if c.case.status not in EDITABLE:
        return RedirectResponse("/case/status", status_code=303)
    try:
        case = c.append(session, "help_requested", {"from": "web"}, clock())
    except FoldError:
        session.rollback()
        return RedirectResponse("/case/status", status_code=303)
    measure = web_funnel.WebMeasure.of_app(request.app)
    web_funnel.end(session, measure, case, clock(), "handed_off_staff")
    session.commit()
    return RedirectResponse("/case/help/sent", status_code=303)


@router.get("/case/help/sent", response_class=HTMLResponse)
@one_hop
def help_sent(request: Request, c: CitizenDep) -> Response:
    gate = _gate(request, c)
    if gate is not None:
        return gate
    if c.case.status not in ("waiting_for_staff", "with_staff"):
        return RedirectResponse("/case", status_code=303)
    return _page(
        request,
        "web/helped.html",
        c,
        office=office_name(request, c.case.origin_office),
        errors=[],
        thanks=request.query_params.get("thanks") == "1",
    )

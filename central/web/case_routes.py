"""The citizen's pages of their one case: overview, steps, check answers, confirmation, status,
feedback. Every change is an event (channel ``web``, actor ``citizen``, actor id = the web session
id — not personal data) appended to the case's one history.

A session made by a handoff opens the case only once the originating kiosk has confirmed it: until
then the phone shows the display code and office to compare with the kiosk (cross-device BCP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from catalogue.funnel import CHECK_ANSWERS
from catalogue.model import Service
from catalogue.outcomes import deciding_step, outcome_for
from central import feedback as feedback_shape
from central.cases.store import FoldError, append_event, lock_case
from central.db.models import Case
from central.deps import ClockDep, SessionDep, end_reading, one_hop
from central.handoff import codes
from central.handoff import service as handoffs
from central.handoff.models import STAFF_ORIGIN, Handoff, WebSession
from central.measure import web as web_funnel
from central.problems import AnswerInstead
from central.web import feedback_routes, forms
from central.web.citizen import (
    FormDep,
    csrf_for,
    csrf_ok,
    forbidden,
    same_origin,
    session_token,
)
from central.web.i18n import t
from central.web.render import render, request_lang

router = APIRouter(prefix="/case", include_in_schema=False)

EDITABLE = ("open", "waiting_for_staff", "with_staff")


@dataclass
class Citizen:
    web: WebSession
    token: str
    case: Case
    service: Service | None
    handoff: Handoff | None

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)

    def append(self, session: Session, type_: str, payload: dict[str, Any], now: datetime) -> Case:
        """Lock the case and append an event of this citizen (channel ``web``, actor id the web
        session's id) to its history; the case as it now is. Raises :class:`FoldError` when the
        case cannot take it. The caller commits."""
        case = lock_case(session, self.case.id)
        assert case is not None
        append_event(
            session,
            case,
            type=type_,
            payload=payload,
            channel="web",
            actor_type="citizen",
            actor_id=str(self.web.id),
            now=now,
        )
        return case


def citizen(request: Request, session: SessionDep) -> Citizen:
    now = request.app.state.clock()
    token = session_token(request)
    web = handoffs.web_session_for(session, token, now)
    if web is None:  # ended: the feedback question when it timed out (feedback_routes)
        raise AnswerInstead(feedback_routes.ended_page(request, session, token, now))
    case = session.get(Case, web.case_id)
    handoff = session.get(Handoff, web.handoff_id) if web.handoff_id else None
    assert case is not None and token is not None
    svc = request.app.state.catalogue.service(case.service_id)
    end_reading(session)
    return Citizen(web, token, case, svc, handoff)


CitizenDep = Annotated[Citizen, Depends(citizen)]


async def posting_citizen(request: Request, c: CitizenDep, form: FormDep) -> Citizen:
    """The guard of every POST under ``/case``: the citizen, once the POST comes from our own
    origin and carries the session's CSRF token; else the 403 page, before the endpoint runs."""
    if not same_origin(request) or not csrf_ok(c.token, form.get("csrf")):
        raise AnswerInstead(forbidden(request))
    return c


PostingCitizenDep = Annotated[Citizen, Depends(posting_citizen)]


def _gate(request: Request, c: Citizen, checked: bool = False) -> Response | None:
    """The compare-with-the-kiosk page until the kiosk confirms; None once the case may open."""
    if c.handoff is None or c.handoff.confirmed_at is not None:
        return None
    return render(
        request,
        "web/compare.html",
        display_code=codes.kiosk_code(c.handoff.short_id, c.web.display_code or ""),
        office=c.handoff.office,
        not_yet=checked,
        csrf=c.csrf,
        by_staff=c.handoff.device_id.startswith(STAFF_ORIGIN),  # counter or phone line
    )


def _shown(request: Request, errors: list[Any]) -> list[tuple[str, str]]:
    """Errors as (input id, message in the page language) for the templates."""
    lang = request_lang(request)
    return [
        (e.anchor, e.message.get(lang)) if isinstance(e, forms.FieldError) else e for e in errors
    ]


def _page(
    request: Request, template: str, c: Citizen, status: int = 200, **ctx: Any
) -> HTMLResponse:
    if "errors" in ctx:
        ctx["errors"] = _shown(request, ctx["errors"])
    return render(request, template, status, case=c.case, service=c.service, csrf=c.csrf, **ctx)


@router.get("", response_class=HTMLResponse)
@one_hop
def overview(request: Request, c: CitizenDep) -> Response:
    gate = _gate(request, c, checked=request.query_params.get("checked") == "1")
    if gate is not None:
        return gate
    if c.case.status not in EDITABLE or c.service is None:
        return RedirectResponse("/case/status", status_code=303)
    answers = dict(c.case.answers or {})
    steps = [(s, forms.step_done(s, answers)) for s in forms.visible_steps(c.service, answers)]
    nxt = forms.next_step(c.service, answers)
    return _page(request, "web/overview.html", c, steps=steps, next_step=nxt)


def _editable(request: Request, c: Citizen) -> Response | None:
    gate = _gate(request, c)
    if gate is not None:
        return gate
    if c.case.status not in EDITABLE or c.service is None:
        return RedirectResponse("/case/status", status_code=303)
    return None


def _step_page(
    request: Request, c: Citizen, step: Any, values: dict[str, Any], errors: list, status: int = 200
) -> HTMLResponse:
    return _page(request, "web/step.html", c, status, **forms.fields_context(step, values, errors))


@router.get("/step/{step_id}", response_class=HTMLResponse)
@one_hop
def step_page(request: Request, step_id: str, c: CitizenDep) -> Response:
    other = _editable(request, c)
    if other is not None:
        return other
    answers = dict(c.case.answers or {})
    step = forms.find_step(c.service, step_id, answers)  # type: ignore[arg-type]
    if step is None:
        return RedirectResponse("/case", status_code=303)
    return _step_page(request, c, step, answers, [])


@router.post("/step/{step_id}")
@one_hop
def step_post(
    request: Request,
    step_id: str,
    c: PostingCitizenDep,
    session: SessionDep,
    clock: ClockDep,
    form: FormDep,
) -> Response:
    other = _editable(request, c)
    if other is not None:
        return other
    answers = dict(c.case.answers or {})
    step = forms.find_step(c.service, step_id, answers)  # type: ignore[arg-type]
    if step is None:
        return RedirectResponse("/case", status_code=303)
    now = clock()
    patch, errors = forms.read_step(c.service, step, form, answers, now.date())  # type: ignore[arg-type]
    merged = {k: v for k, v in (answers | patch).items() if v is not None}
    if errors:
        shown = forms.shown_again(step, form, answers, patch, errors)  # what was typed
        return _step_page(request, c, step, shown, errors, 400)
    changed = {k: v for k, v in patch.items() if answers.get(k) != v}
    if changed:
        try:
            case = c.append(session, "answers_changed", {"answers": changed}, now)
        except FoldError:
            return RedirectResponse("/case/status", status_code=303)
        session.commit()
        merged = dict(case.answers)
    measure = web_funnel.WebMeasure.of_app(request.app)
    if outcome_for(c.service, merged) is not None:  # type: ignore[arg-type]
        web_funnel.end(session, measure, c.case, now, "not_eligible", bool(changed))
        session.commit()
        return RedirectResponse("/case/outcome", status_code=303)  # e.g. not eligible: stop here
    nxt = forms.next_step(c.service, merged)  # type: ignore[arg-type]
    reached = nxt.id if nxt else CHECK_ANSWERS
    web_funnel.reach(session, measure, c.case, now, reached, bool(changed))
    session.commit()
    return RedirectResponse(f"/case/step/{nxt.id}" if nxt else "/case/check", status_code=303)


@router.get("/outcome", response_class=HTMLResponse)
@one_hop
def outcome_page(request: Request, c: CitizenDep) -> Response:
    """The ending the answers lead to ("not eligible", catalogue ``[[outcomes]]``): the same text
    as every channel shows; Back returns to the deciding question."""
    other = _editable(request, c)
    if other is not None:
        return other
    return _outcome(request, c, [])


def _outcome(request: Request, c: Citizen, errors: list, status: int = 200) -> Response:
    """The outcome page, with the one feedback question (ending ``not_eligible``)."""
    answers = dict(c.case.answers or {})
    found = outcome_for(c.service, answers)  # type: ignore[arg-type]
    if found is None:
        return RedirectResponse("/case", status_code=303)
    step = deciding_step(c.service, found, answers)  # type: ignore[arg-type]
    thanks = request.query_params.get("thanks") == "1"
    return _page(
        request,
        "web/outcome.html",
        c,
        status,
        outcome=found,
        step=step,
        errors=errors,
        thanks=thanks,
    )


@router.get("/check", response_class=HTMLResponse)
@one_hop
def check_page(request: Request, c: CitizenDep) -> Response:
    other = _editable(request, c)
    if other is not None:
        return other
    answers = dict(c.case.answers or {})
    if outcome_for(c.service, answers) is not None:  # type: ignore[arg-type]
        return RedirectResponse("/case/outcome", status_code=303)
    if forms.next_step(c.service, answers) is not None:  # type: ignore[arg-type]
        return RedirectResponse("/case", status_code=303)
    return _check(request, c, answers, [])


def _check(
    request: Request, c: Citizen, answers: dict[str, Any], errors: list, status: int = 200
) -> HTMLResponse:
    rows = forms.check_rows(c.service, answers, request_lang(request))  # type: ignore[arg-type]
    return _page(request, "web/check.html", c, status, rows=rows, errors=errors)


@router.post("/submit")
@one_hop
def submit(
    request: Request, c: PostingCitizenDep, session: SessionDep, clock: ClockDep, form: FormDep
) -> Response:
    other = _editable(request, c)
    if other is not None:
        return other
    now = clock()
    answers = dict(c.case.answers or {})
    if outcome_for(c.service, answers) is not None:  # type: ignore[arg-type]
        return RedirectResponse("/case/outcome", status_code=303)  # nothing to send
    errors = forms.check_complete(c.service, answers, now.date())  # type: ignore[arg-type]
    if errors or forms.next_step(c.service, answers) is not None:  # type: ignore[arg-type]
        return _check(request, c, answers, errors, 400)
    try:
        case = c.append(session, "submitted", {}, now)
    except FoldError:
        return RedirectResponse("/case/status", status_code=303)
    web_funnel.end(session, web_funnel.WebMeasure.of_app(request.app), case, now, "submitted")
    session.commit()
    return RedirectResponse("/case/done", status_code=303)


@router.get("/done", response_class=HTMLResponse)
@one_hop
def done(request: Request, c: CitizenDep) -> Response:
    gate = _gate(request, c)
    if gate is not None:
        return gate
    if c.case.status in EDITABLE:
        return RedirectResponse("/case", status_code=303)
    return _page(
        request, "web/done.html", c, errors=[], thanks=request.query_params.get("thanks") == "1"
    )


@router.get("/status", response_class=HTMLResponse)
@one_hop
def status(request: Request, c: CitizenDep) -> Response:
    gate = _gate(request, c)
    if gate is not None:
        return gate
    return _page(request, "web/status.html", c, status_key="st_" + c.case.status)


def _ending(case: Case, service: Service | None) -> str | None:
    """Where the citizen is, for the feedback question: sent, handed to staff, or told by the
    catalogue's outcome that they are not eligible."""
    if case.status in ("submitted", "closed"):
        return "completed"
    if case.status in ("waiting_for_staff", "with_staff"):
        return "handed_off"
    if service is not None and outcome_for(service, dict(case.answers or {})) is not None:
        return "not_eligible"
    return None


def read_feedback(form: dict[str, str], lang: str) -> tuple[int, str | None, list]:
    """(score, comment, errors) of a posted feedback form (:mod:`central.feedback`)."""
    errors: list[tuple[str, str]] = []
    raw = form.get("score", "")
    score = int(raw) if raw in ("1", "2", "3", "4", "5") else 0
    if not score:
        errors.append(("f-score", t(lang, "err_score")))
    comment = form.get("comment", "").strip()
    if len(comment) > feedback_shape.MAX_COMMENT:
        errors.append(("f-comment", t(lang, "err_comment_long")))
    return score, comment or None, errors


@router.post("/feedback")
@one_hop
def feedback(
    request: Request, c: PostingCitizenDep, session: SessionDep, clock: ClockDep, form: FormDep
) -> Response:
    """The one feedback question, at the end of the web journey (sent, or handed to staff): a
    ``feedback_given`` event on channel ``web``. The comment is never logged."""
    gate = _gate(request, c)
    if gate is not None:
        return gate
    ending = _ending(c.case, c.service)
    if ending is None:
        return RedirectResponse("/case", status_code=303)
    page = {"completed": "/case/done", "not_eligible": "/case/outcome"}.get(
        ending, "/case/help/sent"
    )
    lang = request_lang(request)
    score, comment, errors = read_feedback(form, lang)
    if errors:
        if ending == "completed":
            return _page(request, "web/done.html", c, 400, errors=errors, thanks=False)
        if ending == "not_eligible":
            return _outcome(request, c, errors, 400)
        from central.web.start_routes import office_name

        office = office_name(request, c.case.origin_office)
        return _page(request, "web/helped.html", c, 400, errors=errors, thanks=False, office=office)
    try:
        c.append(
            session,
            feedback_shape.EVENT_TYPE,
            feedback_shape.payload(score, ending, comment),
            clock(),
        )
    except FoldError:
        session.rollback()
        return RedirectResponse("/case/status", status_code=303)
    session.commit()
    return RedirectResponse(f"{page}?thanks=1", status_code=303)

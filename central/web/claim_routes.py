"""Ways in for a citizen: the QR link (``/h#secret``), the typed kiosk code, the printed slip.

The typed way is what the kiosk says under its QR code, word for word: "Or go to <base>/h and
enter HHHHH-XXXX-XXXX" (``?lang=cy`` in the address when the kiosk speaks Welsh, so the page does
too). ``/h`` asks for that one code and nothing else: its first 5 letters name the handoff, the
other 8 are the display code checked against the handoff's hash, a wrong one counted against that
handoff (5 tries) and the client — why the handle is inside the code is in
:func:`central.handoff.codes.new_short_id`.

Each success sets a fresh HttpOnly session cookie and answers ``303`` to the token-free ``/case``, so
no secret is ever in a URL after use. The secret reaches the server only as a form field posted by
a tiny script (``static/claim.js``) that reads it from the fragment — fragments never reach server
logs or Referer headers.

A slip (``/resume``) opens its case in the language its code carries (the ``preferences`` a kiosk's
slip or a web save stored with it), not the language this browser last showed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalogue.model import LANGUAGES
from central.cases.store import FoldError, append_event, lock_case
from central.deps import ClockDep, SessionDep, SettingsDep, one_hop
from central.handoff import batch, codes, resume, service
from central.handoff.errors import (
    HandoffAlreadyClaimed,
    HandoffError,
    HandoffExpired,
    HandoffNotFound,
    RateLimited,
    WrongCode,
)
from central.handoff.models import ResumeCode
from central.handoff.ratelimit import address_key
from central.handoff.routes import (
    check_rate,
    count_failure,
    give_back_attempt,
    keeps_attempt,
    take_attempt,
)
from central.problems import ProblemError
from central.web.citizen import SameOriginDep, set_session_cookie
from central.web.i18n import t
from central.web.render import LANG_COOKIE, render, request_lang

router = APIRouter(include_in_schema=False)

Text40 = Annotated[str, Form(max_length=40)]


def _client(request: Request) -> str:
    return "web:" + address_key(request.client.host if request.client else None)


def _into_case(
    request: Request, token: str, settings, policy: service.Policy, carried: str | None = None
) -> RedirectResponse:
    """Into the claimed case, in the language the claim page was shown in (the kiosk puts the
    citizen's language in the QR link, ``?lang=cy``; the forms carry it on) — or, for a slip, in
    the language the code carries (``carried``, see :func:`_carried_language`)."""
    response = RedirectResponse("/case", status_code=303)
    set_session_cookie(response, token, settings.secure_cookies, policy.web_session_seconds)
    lang = carried if carried in LANGUAGES else request.query_params.get("lang")
    if lang in ("en", "cy"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def _carried_language(row: ResumeCode) -> str | None:
    """The language a slip or a web save carries (its row's ``preferences``, issue 19 item 6): the
    case opens in the language the citizen used last, whatever language the ``/resume`` page of
    this browser happened to be in. Anything else in the row (or no row preferences, as on codes
    made before migration 0011) leaves the page's language."""
    preferences = row.preferences if isinstance(row.preferences, dict) else {}
    language = preferences.get("language")
    return language if language in LANGUAGES else None


def _error_key(exc: HandoffError, slip: bool = False) -> str:
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, WrongCode):
        return "err_wrong_factor" if slip else "err_wrong_code"
    if isinstance(exc, HandoffAlreadyClaimed):
        return "err_claimed"
    if isinstance(exc, HandoffExpired):
        return "err_slip_expired" if slip else "err_expired"
    if isinstance(exc, HandoffNotFound):
        return "err_slip" if slip else "err_no_code"
    return "err_link"


@router.get("/h", response_class=HTMLResponse)
def claim_page(request: Request) -> HTMLResponse:
    return render(request, "web/claim.html", errors=[], code="")


@router.post("/h/claim", dependencies=[SameOriginDep])
async def claim_with_secret(
    request: Request,
    settings: SettingsDep,
    clock: ClockDep,
    secret: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The QR link's claim, written by the handoff writer (:mod:`central.handoff.batch`) with
    every other claim and handoff of the moment: one transaction, the cookie only after it."""
    policy = request.app.state.handoff_policy
    order = batch.ClaimOrder(secret, clock(), policy)
    try:
        await check_rate(request, _client(request))
        claim = await batch.submit(request.app.state.handoff_writer, order, "claim")
    except HandoffError as exc:
        if isinstance(exc, HandoffNotFound):
            await count_failure(request, _client(request))
        key = "err_link" if isinstance(exc, HandoffNotFound) else _error_key(exc)
        return render(
            request, "web/message.html", exc.status, title_key="claim_title", body_key=key
        )
    except FoldError:  # the case cannot take a handoff any more (staff closed it)
        return render(
            request, "web/message.html", 409, title_key="claim_title", body_key="err_case_closed"
        )
    except ProblemError as exc:  # the writer is busy or the database away: nothing was claimed
        response = render(
            request, "web/message.html", exc.status, title_key="claim_title", body_key="err_busy"
        )
        response.headers.update(exc.headers or {})
        return response
    return _into_case(request, claim.token, settings, policy)


@router.get("/h/{short_id}", response_class=HTMLResponse)
def code_page(request: Request, short_id: str) -> HTMLResponse:
    """The old typed-fallback address (``/h/<short id>``): the same one-code page as ``/h``."""
    return render(request, "web/claim.html", errors=[], code="", typed=True)


@router.post("/h/code", dependencies=[SameOriginDep])
@one_hop
def claim_with_code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    code: Text40 = "",
) -> Response:
    """The kiosk code, typed: found by its handle (its row locked, as every claimer does first),
    then checked and claimed by :func:`central.handoff.service.claim_by_code`, which counts a wrong
    one against the handoff. An unknown handle counts against the client, like a wrong code."""
    lang = request_lang(request)
    errors: list[tuple[str, str]] = []
    parts = codes.split_kiosk_code(code)
    if not code.strip():
        errors.append(("f-code", t(lang, "err_code_missing")))
    elif parts is None:
        errors.append(("f-code", t(lang, "err_code_format")))
    status = 400
    if parts is not None:
        handle, display = parts
        policy = request.app.state.handoff_policy
        try:
            take_attempt(request, session, _client(request))
            handoff = service.find_by_short_id(session, handle)
            claim = service.claim_by_code(session, handoff, display, clock(), policy)
            give_back_attempt(request, session, _client(request))
            session.commit()
            return _into_case(request, claim.token, settings, policy)
        except HandoffError as exc:
            if not keeps_attempt(exc):
                give_back_attempt(request, session, _client(request))
            status = exc.status
            message = t(lang, _error_key(exc))
            if isinstance(exc, WrongCode):
                message += " " + t(lang, "attempts_left", n=exc.extra.get("attempts_left", 0))
            errors.append(("f-code", message))
        except FoldError:  # the case cannot take a handoff any more: nothing was written
            give_back_attempt(request, session, _client(request))
            status = 409
            errors.append(("f-code", t(lang, "err_case_closed")))
    return render(request, "web/claim.html", status, errors=errors, code=code, typed=True)


@router.get("/resume", response_class=HTMLResponse)
def resume_page(request: Request) -> HTMLResponse:
    return render(request, "web/resume.html", errors=[], code="")


@router.post("/resume", dependencies=[SameOriginDep])
@one_hop
def resume_with_slip(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    code: Text40 = "",
    factor: Text40 = "",
) -> Response:
    lang = request_lang(request)
    errors: list[tuple[str, str]] = []
    if not code.strip():
        errors.append(("f-code", t(lang, "err_resume_code")))
    if not factor.strip():
        errors.append(("f-factor", t(lang, "err_factor")))
    status = 400
    if not errors:
        policy = request.app.state.handoff_policy
        now = clock()
        try:
            take_attempt(request, session, _client(request))
            row = resume.redeem(session, code, factor, now, policy)
            session.commit()  # the right factor's give-back holds, whatever follows
            carried = _carried_language(row)
            case = lock_case(session, row.case_id)
            assert case is not None
            web, token = service.new_web_session(session, case, None, now, policy)
            append_event(
                session,
                case,
                type="handed_off",
                payload={"to": "web", "stage": "resumed", "via": "slip"},
                channel="web",
                actor_type="citizen",
                actor_id=str(web.id),
                now=now,
            )
            give_back_attempt(request, session, _client(request))
            session.commit()
            response = _into_case(request, token, settings, policy, carried)
            response.headers["location"] = "/case/next"  # on the step where they left
            return response
        except HandoffError as exc:
            if not keeps_attempt(exc):
                give_back_attempt(request, session, _client(request))
            status = exc.status
            message = t(lang, _error_key(exc, slip=True))
            if isinstance(exc, WrongCode):
                message += " " + t(lang, "attempts_left", n=exc.extra.get("attempts_left", 0))
            anchor = "f-code" if isinstance(exc, HandoffNotFound) else "f-factor"
            errors.append((anchor, message))
        except resume.FactorError:
            give_back_attempt(request, session, _client(request))
            errors.append(("f-factor", t(lang, "err_bad_factor")))
        except FoldError:
            session.rollback()  # nothing of the refused resume is kept
            give_back_attempt(request, session, _client(request))
            status = 409
            errors.append(("f-code", t(lang, "err_slip_expired")))
    return render(request, "web/resume.html", status, errors=errors, code=code)

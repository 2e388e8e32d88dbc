"""The one feedback question when a web session has timed out (ending ``timed_out``).

A citizen whose web session ended (nothing happened for its lifetime) sees "This session has
ended" (:func:`central.web.case_routes.citizen`). For :data:`LAPSED_HOURS` after the end, that page
also asks the feedback question, once: the browser still holds the lapsed cookie, which opens
nothing any more but names the case the feedback belongs to. ``POST /feedback/ended`` (same origin,
and the CSRF token derived from that cookie) appends ``feedback_given`` with ending ``timed_out`` on
channel ``web`` and clears the cookie. A second answer for the same session is thanked and not
stored again. The comment is never logged (:mod:`central.feedback`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from central import feedback as feedback_shape
from central.db.models import CaseEvent
from central.deps import ClockDep, SessionDep, one_hop
from central.handoff import codes
from central.handoff.history import FoldError, append_event, lock_case
from central.handoff.models import WebSession
from central.handoff.service import WEB_SESSION_PURPOSE
from central.web.citizen import (
    FormDep,
    SameOriginDep,
    clear_session_cookie,
    csrf_for,
    csrf_ok,
    forbidden,
    session_token,
)
from central.web.render import render, request_lang

router = APIRouter(include_in_schema=False)

LAPSED_HOURS = 24
ACTION = "/feedback/ended"


def lapsed_session(session: Session, token: str | None, now: datetime) -> WebSession | None:
    """The web session ``token`` names when it ran out (not revoked) less than
    :data:`LAPSED_HOURS` ago; None otherwise."""
    if not token or len(token) > 200:
        return None
    presented = codes.hash_secret(token, WEB_SESSION_PURPOSE)
    row = session.scalar(select(WebSession).where(WebSession.token_hash == presented))
    if row is None or not codes.same_hash(row.token_hash, presented) or row.revoked_at:
        return None
    if not now - timedelta(hours=LAPSED_HOURS) < row.expires_at <= now:
        return None
    return row


def _answered(session: Session, web: WebSession) -> bool:
    return (
        session.scalar(
            select(CaseEvent.id).where(
                CaseEvent.case_id == web.case_id,
                CaseEvent.type == feedback_shape.EVENT_TYPE,
                CaseEvent.actor_id == str(web.id),
            )
        )
        is not None
    )


def ended_page(request: Request, session: Session, token: str | None, now: datetime) -> Response:
    """The "session has ended" page (401), with the feedback question when the session lapsed
    recently and gave none yet (the cookie is then kept for the answer; otherwise cleared)."""
    web = lapsed_session(session, token, now)
    ask = web is not None and not _answered(session, web)
    extra: dict[str, Any] = {}
    if ask:
        assert token is not None
        extra = {"feedback_action": ACTION, "csrf": csrf_for(token), "errors": [], "thanks": False}
    response = render(
        request,
        "web/message.html",
        401,
        title_key="ended_title",
        body_key="timed_out_body" if web is not None else "ended_body",
        **extra,
    )
    if not ask:
        clear_session_cookie(response)
    return response


@router.post(ACTION, dependencies=[SameOriginDep])
@one_hop
def feedback_after_time_out(
    request: Request, session: SessionDep, clock: ClockDep, form: FormDep
) -> Response:
    token = session_token(request)
    if not csrf_ok(token, form.get("csrf")):
        return forbidden(request)
    now = clock()
    web = lapsed_session(session, token, now)
    if web is None:
        return ended_page(request, session, token, now)
    lang = request_lang(request)
    from central.web.case_routes import read_feedback

    score, comment, errors = read_feedback(form, lang)
    if errors:
        return render(
            request,
            "web/message.html",
            400,
            title_key="ended_title",
            body_key="timed_out_body",
            feedback_action=ACTION,
            csrf=form.get("csrf", ""),
            errors=errors,
            thanks=False,
        )
    if not _answered(session, web):
        case = lock_case(session, web.case_id)
        assert case is not None
        try:
            append_event(
                session,
                case,
                type=feedback_shape.EVENT_TYPE,
                payload=feedback_shape.payload(score, "timed_out", comment),
                channel="web",
                actor_type="citizen",
                actor_id=str(web.id),
                now=now,
            )
        except FoldError:
            session.rollback()
        else:
            session.commit()
    response: HTMLResponse = render(
        request,
        "web/message.html",
        200,
        title_key="ended_title",
        body_key="fb_thanks",
    )
    clear_session_cookie(response)
    return response

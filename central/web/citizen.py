"""The citizen's cookie session and form protection.

The cookie holds a random token (the row keeps its hash); it is HttpOnly, SameSite=Lax and Secure
unless the settings say otherwise (plain-http tests). Forms carry a CSRF token derived from the
session token (so it needs no storage and cannot be forged without the cookie), and every POST must
come from our own origin when the browser says where it comes from.

The guards: every POST of the web channel depends on :data:`SameOriginDep` (the ways in, which have
no session yet) or on ``central.web.case_routes.PostingCitizenDep`` (origin and CSRF token); a
refused POST gets the 403 page before the endpoint runs, so nothing changes.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse

from central.handoff import codes
from central.problems import AnswerInstead
from central.web.render import render

COOKIE = "case_session"
CSRF_PURPOSE = "web-csrf"


def set_session_cookie(response: Response, token: str, secure: bool, max_age: int) -> None:
    response.set_cookie(
        COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="lax", path="/"
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def session_token(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def csrf_for(token: str) -> str:
    return codes.hash_secret(token, CSRF_PURPOSE)[:32]


def csrf_ok(token: str | None, presented: str | None) -> bool:
    if not token or not presented:
        return False
    return hmac.compare_digest(csrf_for(token).encode(), presented.encode())


def same_origin(request: Request) -> bool:
    """False when the browser says the POST comes from another origin (Origin, else Referer)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    host = request.headers.get("host", "")
    return urlsplit(source).netloc == host


def forbidden(request: Request) -> HTMLResponse:
    """The page for a refused POST (another origin, or a missing or wrong CSRF token)."""
    return render(request, "web/message.html", 403, title_key="error_title", body_key="forbidden")


async def require_same_origin(request: Request) -> None:
    """The guard of a POST that has no session yet: the 403 page when it comes from elsewhere."""
    if not same_origin(request):
        raise AnswerInstead(forbidden(request))


SameOriginDep = Depends(require_same_origin)


async def posted_form(request: Request) -> dict[str, str]:
    """The form fields (each cut to 4,000 characters). Read here, in an async dependency, so the
    endpoints stay sync and do their database work in one thread hop (see central.deps.one_hop)."""
    return {k: str(v)[:4000] for k, v in (await request.form()).items()}


FormDep = Annotated[dict[str, str], Depends(posted_form)]

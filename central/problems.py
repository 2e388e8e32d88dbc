"""RFC 9457 problem details: every error this service answers is ``application/problem+json``.

Raise :class:`ProblemError` anywhere inside a request; the handlers installed by
:func:`install_problem_handlers` turn it — and FastAPI's validation errors, malformed JSON, 404/405 and
any unexpected exception — into a problem response.

The last resort is :class:`LastResort`, a pure ASGI middleware just inside Starlette's own
``ServerErrorMiddleware``: it answers any unexpected exception with a 500 problem and logs one line,
the exception's type name and the route's template — no message, no traceback, no locals (they may
hold a citizen's answers, a token or SQL parameters). The exception stops there: it is not
re-raised, so neither Starlette nor uvicorn logs it again ("Exception in ASGI application").

``PROBLEM_RESPONSES`` (and :func:`problem_responses`) document the problem responses in OpenAPI.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("central.problems")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://omnikiosk.example/problems/"

_TITLES = {
    400: "Bad request",
    401: "Unauthorised",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """The body of every error response (RFC 9457); extension members allowed."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemError(Exception):
    """Raise to answer a problem. ``slug`` becomes the problem type URI; ``extra`` adds members."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def from_error(exc: ProblemError, instance: str | None = None) -> JSONResponse:
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        headers=exc.headers,
        instance=instance,
        **exc.extra,
    )


def _validation_errors(exc: RequestValidationError) -> tuple[bool, list[dict[str, str]]]:
    """(is the body malformed JSON?, [{"field": "a.b", "message": ...}])."""
    malformed = False
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        errors.append({"field": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    return malformed, errors


class AnswerInstead(Exception):
    """Raised by a dependency of an HTML route when the request must get another response than
    the route's — a redirect to the login, a 403 page, a "your session has ended" page; the app
    answers with :attr:`response` as it is (the web channel and the staff console share it)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(AnswerInstead)
    async def _instead(_: Request, exc: AnswerInstead) -> Response:
        return exc.response

    @app.exception_handler(ClientDisconnect)
    async def _gone(_: Request, __: ClientDisconnect) -> Response:
        # The client left while we read its body: nobody reads this answer and nothing failed
        # here. 499 (nginx's "client closed request") so the access log does not say 500.
        return Response(status_code=499)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return from_error(exc, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        malformed, errors = _validation_errors(exc)
        if malformed:
            return problem_response(
                400, "The request body is not valid JSON.", slug="malformed-json"
            )
        return problem_response(
            422, "The request does not match the schema.", slug="validation", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if detail == _TITLES.get(exc.status_code) or detail in ("Not Found", "Method Not Allowed"):
            detail = None
        return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # e.g. PostgreSQL refusing a NUL character or an out-of-range number: the input's fault.
        return problem_response(
            422, "The request holds a value the database cannot store.", slug="unstorable-value"
        )


class LastResort:
    """See the module docstring. Add it last (outermost of the app's own middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            # The client went away while we read its body: nobody is left to answer and nothing
            # failed on our side. 499 (nginx's "client closed request") for the access log only.
            if not started:
                await send({"type": "http.response.start", "status": 499, "headers": []})
                await send({"type": "http.response.body", "body": b""})
        except Exception as exc:  # noqa: BLE001 - the last resort: type name only, never re-raised
            path = getattr(scope.get("route"), "path", None) or "(no route)"
            log.error("unhandled %s in %s %s", type(exc).__name__, scope.get("method"), path)
            if started:
                return  # too late for a response: the server closes the connection
            response = problem_response(500, "Something went wrong on our side.", slug="internal")
            await response(scope, receive, send)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the given problem statuses."""
    return {
        status: {
            "description": _TITLES.get(status, "Error"),
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


PROBLEM_RESPONSES = problem_responses(400, 401, 413, 422, 500)
"""Problems any authenticated JSON route can answer."""

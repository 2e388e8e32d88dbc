"""The edge: request bodies are bounded before any handler or parser sees them.

:class:`BodySizeLimit` — size. A declared ``Content-Length`` over the limit is refused at once (413); a
chunked body is counted as it streams and refused as soon as it passes the limit, so a client can
never make us buffer more than ``max_bytes``.

:class:`JsonGuard` — shape. A JSON body must be UTF-8, nested at most :data:`MAX_JSON_DEPTH` deep and
hold no lone surrogate or NUL escape (:func:`json_body_problem`); otherwise a short problem answers
(400 ``malformed-json``/``json-too-deep``, 422 ``invalid-text``) instead of a parser's recursion
error and its traceback. A form body (``application/x-www-form-urlencoded``) must hold no NUL
(``%00``): forms are percent-decoded as UTF-8 with errors replaced, so they cannot carry a lone
surrogate, but NUL would reach the database (PostgreSQL refuses it, SQLite would store it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(BaseException):
    """A BaseException on purpose: frameworks turn any ``Exception`` raised while reading the body
    into a 400, and this must reach :class:`BodySizeLimit` to become a 413."""


def _problem_bytes(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "https://omnikiosk.example/problems/body-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"The request body exceeds {limit} bytes.",
            "max_bytes": limit,
        }
    ).encode()


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        body = _problem_bytes(self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)


MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays/objects a JSON body may have (ours need 4; hostile ones 1000)."""

_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)
"""A string literal (skipped whole) or a bracket (counted)."""
_ESCAPES = re.compile(
    r"\\(?:u([dD][89a-fA-F][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|(u0000)|.)", re.S
)
"""One escape sequence; group 1: a surrogate's code, group 2: the low half that pairs with it,
group 3: NUL."""


class BadJsonBody(BaseException):
    """A BaseException for the same reason as :class:`BodyTooLarge`: it must reach
    :class:`JsonGuard` through the framework's body reading."""

    def __init__(self, status: int, slug: str, title: str, detail: str) -> None:
        super().__init__(slug)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail


def json_body_problem(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> BadJsonBody | None:
    """What is wrong with a JSON body that a parser would accept but nothing after it should see,
    or None: bytes that are not UTF-8 (RFC 8259 §8.1), nesting deeper than ``max_depth``, a
    ``\\u`` escape of a lone surrogate half (``json.loads`` turns ``"\\ud800"`` into a string
    that cannot be encoded again — stored, it breaks every later read) or of NUL. Costs one
    regular-expression pass; nothing is parsed, so no depth of nesting can exhaust the stack."""
    try:
        text = body.decode("utf-8")  # strict: encoded surrogates and stray bytes are refused too
    except UnicodeDecodeError:
        return BadJsonBody(400, "malformed-json", "Bad request", "The request body is not UTF-8.")
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return BadJsonBody(
                    400,
                    "json-too-deep",
                    "Bad request",
                    f"The JSON body is nested more than {max_depth} levels deep.",
                )
        elif char in "]}":
            depth -= 1
    if "\\u" in text:
        for match in _ESCAPES.finditer(text):
            if match.group(1) is not None and (
                match.group(2) is None or match.group(1)[1] in "cdefCDEF"
            ):
                return _bad_text("a lone surrogate (\\ud800–\\udfff)")
            if match.group(3) is not None:
                return _bad_text("a NUL character (\\u0000)")
    return None


def _bad_text(what: str) -> BadJsonBody:
    return BadJsonBody(
        422, "invalid-text", "Unprocessable content", f"The JSON body holds {what}; text cannot."
    )


def form_body_problem(body: bytes) -> BadJsonBody | None:
    """What is wrong with an url-encoded form body, or None: a NUL, raw or ``%00``."""
    if b"%00" in body or b"\x00" in body:
        return BadJsonBody(
            422,
            "invalid-text",
            "Unprocessable content",
            "The form holds a NUL character; text cannot.",
        )
    return None


def _checker(scope: Scope) -> Callable[[bytes], BadJsonBody | None] | None:
    """How to check this request's body: as JSON when FastAPI would parse it as JSON (no content
    type, ``application/json`` or ``application/*+json``), as a form when url-encoded, else not."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            if media == b"application/x-www-form-urlencoded":
                return form_body_problem
            json_ = media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
            return json_body_problem if json_ else None
    return json_body_problem


class JsonGuard:
    """Checks a JSON request body with :func:`json_body_problem` (a form body with
    :func:`form_body_problem`) the first time the app reads it, and answers the problem (400/422,
    a few hundred bytes) instead of letting it reach the parser.

    Lazy on purpose: a route that refuses the request before reading its body (the heartbeat
    without a bearer token) never has it read. Sits inside :class:`BodySizeLimit`, so what it
    buffers is bounded by the size limit."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        check = _checker(scope) if scope["type"] == "http" else None
        if check is None:
            await self.app(scope, receive, send)
            return
        max_depth = self.max_depth
        if check is json_body_problem:
            check = lambda body: json_body_problem(body, max_depth)  # noqa: E731
        read = False
        started = False

        async def checked_receive() -> Message:
            nonlocal read
            if read:
                return await receive()
            chunks = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    read = True
                    return message  # the client went away
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            read = True
            body = b"".join(chunks)
            problem = check(body) if body else None
            if problem is not None:
                raise problem
            return {"type": "http.request", "body": body, "more_body": False}

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, checked_receive, tracking_send)
        except BadJsonBody as problem:
            if not started:
                await _send_problem(send, problem)


async def _send_problem(send: Send, problem: BadJsonBody) -> None:
    body = json.dumps(
        {
            "type": "https://omnikiosk.example/problems/" + problem.slug,
            "title": problem.title,
            "status": problem.status,
            "detail": problem.detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

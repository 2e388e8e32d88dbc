"""The last-resort middleware: a client that goes away mid-body is not a server error."""

from __future__ import annotations

import asyncio
import logging

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from central.problems import LastResort


async def _reads_body(request: Request) -> Response:
    await request.body()
    return Response("read")


def _call(app, messages: list[dict], path: str = "/step", headers=None) -> list[dict]:  # type: ignore[no-untyped-def]
    sent: list[dict] = []
    incoming = iter(messages)

    async def receive() -> dict:
        return next(incoming)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers or [],
             "query_string": b"", "scheme": "http", "server": ("testserver", 80),
             "client": ("127.0.0.1", 1234), "root_path": ""}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return sent


def test_a_client_gone_mid_body_is_no_error_line(caplog: pytest.LogCaptureFixture) -> None:
    """Behind a bare app (no handler of ours): the last resort does not log it as an error."""
    app = LastResort(Starlette(routes=[Route("/step", _reads_body, methods=["POST"])]))
    caplog.set_level(logging.INFO)
    gone = _call(app, [{"type": "http.request", "body": b"a=", "more_body": True},
                       {"type": "http.disconnect"}])  # fmt: skip
    assert gone[0]["type"] == "http.response.start"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    whole = _call(app, [{"type": "http.request", "body": b"a=1", "more_body": False}])
    assert whole[0]["status"] == 200


def test_the_app_answers_a_client_gone_mid_form_with_499(
    app, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """Inside the app (a form read by a route's dependency, as the web step pages do): 499 in the
    access log, no error line, nothing else touched."""
    caplog.set_level(logging.INFO)
    headers = [(b"content-type", b"application/x-www-form-urlencoded"), (b"host", b"testserver")]
    gone = _call(
        app,
        [
            {"type": "http.request", "body": b"username=a", "more_body": True},
            {"type": "http.disconnect"},
        ],
        path="/staff/login",
        headers=headers,
    )
    assert gone[0]["type"] == "http.response.start" and gone[0]["status"] == 499
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

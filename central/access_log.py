"""One access log line per request, with nothing personal in it.

Why our own and not uvicorn's: uvicorn's access line carries the client address and the raw path
with its query string. Paths here hold handoff short ids and case ids, query strings can hold
codes, and an address is personal data. This line has the method, the **route template** the
request matched (``/api/v1/cases/{case_id}``, never the id itself; ``(unmatched)`` when no route
did), the status and the time taken — enough to see load, errors and slow routes, nothing that
identifies a citizen or could open a case.

Failure model: a request that raises before answering is logged with status 500 and the exception
re-raised unchanged (the app's last-resort handler and the server deal with it); a client that goes
away is logged with the status already sent, or 0 when nothing was. Logging itself never fails a
request (``logging`` swallows handler errors).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "LOGGER_NAME", "route_template"]

LOGGER_NAME = "central.access"
log = logging.getLogger(LOGGER_NAME)


def route_template(scope: Scope) -> str:
    """The path pattern of the route that matched, never the concrete path."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    if not isinstance(path, str):
        return "(unmatched)"
    return scope.get("root_path", "") + path


class AccessLog:
    """Pure ASGI middleware: one ``METHOD TEMPLATE STATUS MS`` line per HTTP request."""

    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 0

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        except BaseException:
            status = status or 500
            raise
        finally:
            if log.isEnabledFor(logging.INFO):
                took_ms = (self.clock() - started) * 1000
                log.info(
                    "%s %s %d %.1fms",
                    scope.get("method", "?"),
                    route_template(scope),
                    status,
                    took_ms,
                )

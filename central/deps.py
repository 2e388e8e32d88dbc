"""FastAPI dependencies shared by every router: the DB session, settings, catalogue, clock.

Everything hangs off ``app.state`` (set by :func:`central.app.create_app`), so tests build an app per
database and nothing is global.

One transaction owner per request: :data:`SessionDep` opens the request's one session and
:func:`one_hop` around the route commits it on return and rolls it back on any exception; a route
may commit earlier itself (e.g. before rendering a refusal it wants kept). Services below — the case
store (:mod:`central.cases.store`), the handoff service, the staff desk — never commit or roll
back. Two deliberate exceptions, each its own owner: the group-commit writers
(:mod:`central.groupcommit`; one transaction per batch, or per item on the plain path), and an
attempt reservation (:func:`central.handoff.service.take_attempt`), committed at once so that it
holds across processes whatever the request does next.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from central.catalogue_service import CatalogueService
from central.settings import Settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's one session. Routes commit explicitly; anything uncommitted is rolled back.

    Async on purpose, like the other dependencies here: creating a session does no I/O, and a sync
    dependency would cost a thread-pool hop per request. Closing returns the connection to the pool
    (the endpoint has already committed or rolled back, see :func:`one_hop`).

    Use it through :data:`SessionDep` (scope "function": closed before the response is sent, so a
    SQLite transaction never outlives the handler). Never open a second session in a request: on
    SQLite every transaction takes the write lock at BEGIN, so a second one would wait for the first.
    """
    session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.close()


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_catalogue(request: Request) -> CatalogueService:
    return request.app.state.catalogue


async def get_clock(request: Request) -> Callable[[], datetime]:
    """The server clock (injected in tests)."""
    return request.app.state.clock


SESSION_CONCURRENCY = 6
"""Requests holding a DB session at once, per process. More only adds GIL contention: a thread
holding SQLite's write lock (or a PostgreSQL row lock) then gets 1/N of the interpreter, and every
other request queues behind it. Waiting here costs no worker thread."""

SessionDep = Annotated[
    Session, Depends(get_session, scope="function", max_concurrency=SESSION_CONCURRENCY)
]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogueDep = Annotated[CatalogueService, Depends(get_catalogue)]
ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]

F = TypeVar("F", bound=Callable[..., Any])


def end_reading(session: Session) -> None:
    """End a dependency's read transaction before it returns (see :func:`one_hop`)."""
    if session.in_transaction():
        session.commit()


def _finish(session: Session | None, ok: bool) -> None:
    if session is None or not session.in_transaction():
        return
    if ok:
        session.commit()
    else:
        session.rollback()


def one_hop(func: F) -> F:
    """Commit the endpoint's ``session`` argument on return, roll it back on any exception —
    inside the endpoint's own thread-pool hop (or coroutine).

    Why: on SQLite every transaction takes the write lock at ``BEGIN IMMEDIATE`` (see
    :mod:`central.db.base`). FastAPI runs each sync dependency, the sync endpoint and the session's
    teardown as *separate* hops through a bounded thread pool. A transaction left open at the end
    of one hop holds the lock while its request waits for a free thread — and under load every
    thread may be waiting for that lock: a deadlock broken only by the busy timeout. So
    dependencies that read end their transaction before returning (:func:`end_reading`), and
    endpoints are wrapped by this."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            session = kwargs.get("session")
            try:
                result = await func(*args, **kwargs)
            except BaseException:
                _finish(session, ok=False)
                raise
            _finish(session, ok=True)
            return result

        return run_async  # type: ignore[return-value]

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        session = kwargs.get("session")
        try:
            result = func(*args, **kwargs)
        except BaseException:
            _finish(session, ok=False)
            raise
        _finish(session, ok=True)
        return result

    return run  # type: ignore[return-value]

"""FastAPI dependencies shared by every router: the DB session, settings, catalogue, clock.

Everything hangs off ``app.state`` (set by :func:`central.app.create_app`), so tests build an app per
database and nothing is global.
"""

from __future__ import annotations

import functools
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


def one_hop(func: F) -> F:
    """For sync endpoints: commit the ``session`` argument on return, roll it back on any
    exception — inside the endpoint's own thread-pool hop, so no SQLite write lock is held while
    the request waits for the next hop (the session's teardown)."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        session: Session | None = kwargs.get("session")
        try:
            result = func(*args, **kwargs)
        except BaseException:
            if session is not None:
                session.rollback()
            raise
        if session is not None and session.in_transaction():
            session.commit()
        return result

    return run  # type: ignore[return-value]

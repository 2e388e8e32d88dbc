"""Keep every database transaction inside one thread hop of the request.

Why: on SQLite every transaction takes the write lock at ``BEGIN IMMEDIATE`` (see
:mod:`central.db.base`). FastAPI runs each sync dependency, the sync endpoint and the session's
teardown as *separate* hops through a bounded thread pool. A transaction left open at the end of one
hop holds the lock while its request waits for a free thread — and under load every thread may be
waiting for that lock: a deadlock broken only by the busy timeout (``database is locked``).

So dependencies that read end their transaction before returning (:func:`end_reading`), and
endpoints are wrapped by :func:`one_hop`, which commits on return and rolls back on any exception,
in the endpoint's own hop.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from central.auth import Principal, require_device
from central.deps import SessionDep

F = TypeVar("F", bound=Callable[..., Any])


def end_reading(session: Session) -> None:
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
    """Commit (or roll back) the endpoint's ``session`` argument before the endpoint returns."""
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


def device_principal(request: Request, session: SessionDep) -> Principal:
    """:func:`central.auth.require_device`, with its read transaction ended in its own hop."""
    try:
        return require_device(request, session)
    finally:
        end_reading(session)


KioskDep = Annotated[Principal, Depends(device_principal)]

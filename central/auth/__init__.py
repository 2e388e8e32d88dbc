"""Authentication: who may call which route.

* :func:`require_device` — kiosk bearer tokens (:mod:`central.auth.devices`).
* :func:`require_staff` — a hook. If the module ``central.staff.auth`` exists and defines
  ``authenticate_staff(request, session) -> Principal`` (raising ``ProblemError(401/403)`` itself),
  that is used. Until then a device token stands in, so the queue route is usable and tested.
* :func:`require_device_or_staff` — either (:func:`device_or_staff` is its route dependency: a
  device token verified within the cache TTL, see :mod:`central.auth.token_cache`, skips the
  thread-pool hop and the database read).

Rule for every dependency that reads the database: end the transaction (``session.commit()``)
before returning. FastAPI runs the route on another thread-pool thread, and on SQLite an open
transaction holds the write lock; a full pool of requests waiting for that lock would deadlock.

Errors: every failure is a ``central.problems.ProblemError`` with status 401 (or 403).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from central.auth.devices import DeviceDep, cached_device, require_device
from central.auth.principal import Principal
from central.deps import SessionDep
from central.problems import ProblemError

STAFF_AUTH_MODULE = "central.staff.auth"


@cache
def _staff_authenticator() -> Callable[[Request, Session], Principal] | None:
    try:
        module: Any = importlib.import_module(STAFF_AUTH_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and STAFF_AUTH_MODULE.startswith(exc.name):
            return None
        raise
    return getattr(module, "authenticate_staff", None)


def require_staff(request: Request, session: SessionDep) -> Principal:
    """Dependency: the member of staff calling (see module docstring for the hook)."""
    impl = _staff_authenticator()
    if impl is not None:
        try:
            principal = impl(request, session)
        finally:
            session.commit()  # never hold a transaction across the thread-pool hop (see devices)
        request.state.principal = principal
        return principal
    return require_device(request, session)


def require_device_or_staff(request: Request, session: SessionDep) -> Principal:
    """A bearer token means a device (and must be valid); otherwise a staff session."""
    if request.headers.get("authorization"):
        return require_device(request, session)
    return require_staff(request, session)


async def _cached_or_checked(
    request: Request, check: Callable[[Request, Session], Principal]
) -> Principal:
    """A device token verified within the token cache's TTL answers here, on the event loop — no
    thread-pool hop, no transaction, no session (so an async route such as the case create holds
    no session slot); anything else runs ``check`` on the thread pool with a session of its own,
    closed before the route runs."""
    if request.headers.get("authorization"):
        principal = cached_device(request)
        if principal is not None:
            return principal

    def in_own_session() -> Principal:
        with request.app.state.sessionmaker() as session:
            return check(request, session)

    return await run_in_threadpool(in_own_session)


async def device_or_staff(request: Request) -> Principal:
    """:func:`require_device_or_staff` as the route dependency (see :func:`_cached_or_checked`)."""
    return await _cached_or_checked(request, require_device_or_staff)


async def device_only(request: Request) -> Principal:
    """:func:`require_device` as the route dependency (see :func:`_cached_or_checked`)."""
    return await _cached_or_checked(request, require_device)


StaffDep = Annotated[Principal, Depends(require_staff)]
AnyPrincipalDep = Annotated[Principal, Depends(device_or_staff)]
KioskDep = Annotated[Principal, Depends(device_only)]
"""A kiosk's bearer token only (no staff session), without a thread-pool hop when cached."""

__all__ = [
    "AnyPrincipalDep",
    "DeviceDep",
    "KioskDep",
    "Principal",
    "ProblemError",
    "StaffDep",
    "require_device",
    "require_device_or_staff",
    "require_staff",
]

"""Shared by the POST-guard tests of the web channel and the staff console: the app's POST routes
of a package, the guards a route depends on, and every row of the database (what a refused POST
must leave exactly as it was)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext, iter_route_contexts
from sqlalchemy import select

from central.db.base import Base
from central.web.testkit import Kit

EVIL = {"Origin": "https://evil.example"}


def post_routes(app: FastAPI, package: str) -> list[RouteContext]:
    """The app's POST routes whose endpoints live in ``package`` (paths as the app serves them)."""
    return [
        r
        for r in iter_route_contexts(app.routes)
        if "POST" in (r.methods or ())
        and r.endpoint is not None
        and r.endpoint.__module__.startswith(package)
    ]


def guards(
    dependant: Dependant | None, known: Collection[Callable[..., Any]]
) -> set[Callable[..., Any]]:
    """The ``known`` guard dependencies ``dependant`` depends on, however deep."""
    found: set[Callable[..., Any]] = set()
    for sub in dependant.dependencies if dependant is not None else ():
        if sub.call in known:
            found.add(sub.call)
        found |= guards(sub, known)
    return found


def rows(kit: Kit) -> dict[str, list[tuple[Any, ...]]]:
    with kit.sessions() as s:
        return {
            t.name: sorted(map(tuple, s.execute(select(t)).all()), key=repr)
            for t in Base.metadata.sorted_tables
        }


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]

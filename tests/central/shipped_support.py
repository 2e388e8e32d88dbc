"""Kits on the shipped catalogue (``config/services``) for the tests that drive real services
through the pages — the web start, the staff desk, the web funnel — and the answers that fill the
shipped ``change-of-address`` step by step."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from central.catalogue_service import CatalogueService
from central.settings import REPO_ROOT
from central.web.testkit import Kit, build, fresh_postgres

SERVICES = REPO_ROOT / "config" / "services"
ADDRESS_STEPS = {
    "about-you": {
        "full_name": "Ann Example",
        "ni_number": "JG 10 37 59 A",
        "date_of_birth-day": "27",
        "date_of_birth-month": "3",
        "date_of_birth-year": "1985",
    },
    "new-address": {
        "address_line_1": "1 High Street",
        "town": "Cardiff",
        "postcode": "CF10 1AA",
        "date_moved-day": "1",
        "date_moved-month": "11",
        "date_moved-year": "2026",
    },
    "household": {"others_on_benefits": "yes", "others_count": "2"},
    "contact": {"contact_by": "phone", "phone": "07700 900982"},
}
"""The form posts that fill ``change-of-address``, step by step (the web's and the desk's inputs)."""


def shipped_kit(url: str, prepare: Callable[[Kit], object] | None = None) -> Kit:
    """A kit on ``url`` serving the shipped catalogue; ``prepare(kit)`` then (users, say)."""
    kit = build(url)
    kit.app.state.catalogue = CatalogueService.load(SERVICES)
    if prepare is not None:
        prepare(kit)
    return kit


@contextmanager
def kit_on(
    db: str, sqlite_file: Path, what: str, prepare: Callable[[Kit], object] | None = None
) -> Iterator[Kit]:
    """:func:`shipped_kit` on ``db`` — ``"sqlite"`` (``sqlite_file``) or ``"postgresql"`` (a fresh
    database) — disposed afterwards. PostgreSQL unreachable: the test is skipped, saying that
    ``what`` did NOT run on it."""
    if db == "sqlite":
        kit = shipped_kit(f"sqlite:///{sqlite_file}", prepare)
        yield kit
        kit.engine.dispose()
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable: {what} on it did NOT run")
        kit = shipped_kit(url, prepare)
        yield kit
        kit.engine.dispose()


def form_value(page: str, name: str) -> str:
    """The value of the input ``name`` (a hidden ``start`` or ``csrf`` token) on a page."""
    return re.search(rf'name="{name}" value="([^"]*)"', page)[1]  # type: ignore[index]

"""Signing in to the staff console over HTTP, as the tests of its pages do."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from central.web.testkit import Kit

PASSWORD = "correct horse battery"
"""The password the tests give every member of staff they create."""


def csrf(page: str) -> str:
    """The CSRF token of the page's forms."""
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]


def staff_client(kit: Kit, username: str, password: str = PASSWORD) -> TestClient:
    """A browser signed in as ``username`` (through the login page and its token)."""
    client = TestClient(kit.app, follow_redirects=False)
    page = client.get("/staff/login").text
    form = {"csrf": csrf(page), "username": username, "password": password}
    r = client.post("/staff/login", data=form)
    assert r.status_code == 303, r.text
    return client

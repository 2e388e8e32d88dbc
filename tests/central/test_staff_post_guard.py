"""Every POST of the staff console is guarded: the routes are enumerated from the app itself, each
must depend on its guard (the session's CSRF token, or the login page's), and a cross-origin POST,
one without the token or with a forged one, is refused with the 403 page and changes no row. The
same POST from our own origin with the token then succeeds, so the refusal is the guard's doing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC

import pytest
from fastapi.testclient import TestClient
from post_guard_support import EVIL, csrf, guards, post_routes, rows
from staff_support import PASSWORD, staff_client

from central.db.models import Case
from central.handoff.ratelimit import AttemptLimiter
from central.staff.auth import create_user
from central.staff.routes import login_form, staff_form
from central.web.testkit import Kit, build

Setup = tuple[TestClient, dict[str, str], str]
"""A browser, a form that would succeed, and the URL to post it to."""


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'staff-guard.db'}")
    kit.app.state.attempt_limiter = AttemptLimiter(1000, 60)
    with kit.sessions() as s:
        create_user(s, "alice", PASSWORD, "staff", kit.office)
        s.commit()
    return kit


def signed_in(kit: Kit) -> tuple[TestClient, str]:
    """A member of staff's browser, and the CSRF token of its session's forms."""
    client = staff_client(kit, "alice")
    return client, csrf(client.get("/staff").text)


def queued_case_id(kit: Kit) -> str:
    """A case the kiosk handed to staff (waiting in the queue)."""
    case = kit.new_case({"full_name": "Ann Example"})
    event = {"event_id": str(uuid.uuid4()), "type": "help_requested", "payload": {},
             "occurred_at": kit.clock().astimezone(UTC).isoformat()}  # fmt: skip
    r = TestClient(kit.app).post(
        f"/api/v1/cases/{case.id}/events", headers=kit.auth, json={"events": [event]}
    )
    assert r.status_code < 300, r.text
    return str(case.id)


def login(kit: Kit) -> Setup:
    client = TestClient(kit.app, follow_redirects=False)
    token = csrf(client.get("/staff/login").text)
    return client, {"csrf": token, "username": "alice", "password": PASSWORD}, "/staff/login"


def logout(kit: Kit) -> Setup:
    client, token = signed_in(kit)
    return client, {"csrf": token}, "/staff/logout"


def pickup(kit: Kit) -> Setup:
    client, token = signed_in(kit)
    case_id = queued_case_id(kit)
    with kit.sessions() as s:
        reference = s.get(Case, uuid.UUID(case_id)).reference  # type: ignore[union-attr]
    return client, {"csrf": token, "lookup": reference}, "/staff/pickup"


def on_case(action: str, **fields: str) -> Callable[[Kit], Setup]:
    def setup(kit: Kit) -> Setup:
        client, token = signed_in(kit)
        return client, {"csrf": token, **fields}, f"/staff/cases/{queued_case_id(kit)}/{action}"

    return setup


def unlock(kit: Kit) -> Setup:
    """An admin lifting the count of a username that had a wrong password."""
    with kit.sessions() as s:
        create_user(s, "root", PASSWORD, "admin", kit.office)
        s.commit()
    stranger = TestClient(kit.app, follow_redirects=False)
    form = {"csrf": csrf(stranger.get("/staff/login").text), "username": "bob", "password": "x"}
    assert stranger.post("/staff/login", data=form).status_code == 401
    client = staff_client(kit, "root")
    token = csrf(client.get("/staff").text)
    return client, {"csrf": token, "username": "bob"}, "/staff/accounts/unlock"


def desk_case(kit: Kit, client: TestClient, token: str) -> str:
    """A case a member of staff started at the counter (its id)."""
    page = client.get("/staff/new").text
    start = re.search(r'name="start" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = {"csrf": token, "start": start, "channel": "counter", "service": "change-of-address"}
    r = client.post("/staff/new", data=form | {"lang": "en"})
    assert r.status_code == 303, r.text
    return r.headers["location"].split("/")[3]


def new_case(kit: Kit) -> Setup:
    client, token = signed_in(kit)
    page = client.get("/staff/new").text
    start = re.search(r'name="start" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = {"csrf": token, "start": start, "channel": "phone", "service": "change-of-address"}
    return client, form | {"lang": "cy"}, "/staff/new"


def on_desk_case(action: str, **fields: str) -> Callable[[Kit], Setup]:
    def setup(kit: Kit) -> Setup:
        client, token = signed_in(kit)
        case_id = desk_case(kit, client, token)
        if action == "submit":
            form = {"csrf": token, "full_name": "Ann Example"}
            client.post(f"/staff/new/{case_id}/step/name", data=form)
            form = {"csrf": token, "address_line": "1 High St", "postcode": "CF10 1AA"}
            client.post(f"/staff/new/{case_id}/step/address", data=form)
            form = {"csrf": token, "contact_method": "post"}
            client.post(f"/staff/new/{case_id}/step/contact", data=form)
        return client, {"csrf": token, **fields}, f"/staff/new/{case_id}/{action}"

    return setup


def on_handoff(decision: str) -> Callable[[Kit], Setup]:
    def setup(kit: Kit) -> Setup:
        client, token = signed_in(kit)
        case_id = desk_case(kit, client, token)
        r = client.post(f"/staff/new/{case_id}/handoff", data={"csrf": token})
        handoff = re.search(r'data-handoff="([^"]+)"', r.text)[1]  # type: ignore[index]
        code = re.search(r'data-testid="handoff-code">([^<]+)<', r.text)[1]  # type: ignore[index]
        phone = TestClient(kit.app, follow_redirects=False)
        assert phone.post("/h/code", data={"code": code}).status_code == 303
        return client, {"csrf": token}, f"/staff/handoffs/{handoff}/{decision}"

    return setup


SHOWN_ONCE = {"/staff/new/{case_id}/handoff", "/staff/new/{case_id}/slip"}
"""POSTs answered with the page itself (200), not a redirect: what they show (a handoff's secret
in its QR code, a slip's resume code) is shown once and never stored in clear."""

# path → a browser and a form that would succeed
CASES: dict[str, Callable[[Kit], Setup]] = {
    "/staff/new": new_case,
    "/staff/new/{case_id}/step/{step_id}": on_desk_case("step/name", full_name="Ann Example"),
    "/staff/new/{case_id}/submit": on_desk_case("submit"),
    "/staff/new/{case_id}/handoff": on_desk_case("handoff"),
    "/staff/new/{case_id}/slip": on_desk_case("slip", factor_kind="pin", factor_pin="4821"),
    "/staff/new/{case_id}/feedback": on_desk_case("feedback", score="3"),
    "/staff/handoffs/{handoff_id}/confirm": on_handoff("confirm"),
    "/staff/handoffs/{handoff_id}/decline": on_handoff("decline"),
    "/staff/login": login,
    "/staff/logout": logout,
    "/staff/pickup": pickup,
    "/staff/cases/{case_id}/notes": on_case("notes", text="Called the citizen back."),
    "/staff/cases/{case_id}/assign": on_case("assign"),
    "/staff/cases/{case_id}/close": on_case("close", outcome="Address changed."),
    "/staff/accounts/unlock": unlock,
}


def test_every_staff_post_route_depends_on_its_guard(kit: Kit) -> None:
    posts = post_routes(kit.app, "central.staff.")
    assert {r.path for r in posts} == set(CASES), "a staff POST route without a guard test"
    for route in posts:
        expected = login_form if route.path == "/staff/login" else staff_form
        assert guards(route.dependant, (login_form, staff_form)) == {expected}, route.path


@pytest.mark.parametrize("path", sorted(CASES))
def test_a_forged_staff_post_is_refused_and_changes_nothing(kit: Kit, path: str) -> None:
    client, form, url = CASES[path](kit)
    without = {k: v for k, v in form.items() if k != "csrf"}
    forged = [
        (form, EVIL),
        (form, {"Referer": "https://evil.example/page"}),
        (without, {}),
        (form | {"csrf": "forged"}, {}),
    ]
    before = rows(kit)
    for data, headers in forged:
        r = client.post(url, data=data, headers=headers)
        assert r.status_code == 403, (path, headers, r.status_code)
        assert "Not allowed" in r.text
        assert "staff_session" not in r.headers.get("set-cookie", "")
        assert rows(kit) == before, f"a refused POST to {path} changed the database"
    ok = client.post(url, data=form)
    expected = 200 if path in SHOWN_ONCE else 303
    assert ok.status_code == expected, (path, ok.status_code, ok.text[:300])
    assert rows(kit) != before

"""Every POST of the web channel is guarded: the routes are enumerated from the app itself, each
must depend on a guard, and a cross-origin POST (and, under /case, a POST without the session's
CSRF token) is refused with the 403 page and changes no row, sets no cookie. The same POST from our
own origin with the token then succeeds, so the refusal is the guard's doing, not a bad form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from post_guard_support import EVIL, csrf, guards, post_routes, rows

from central.handoff.ratelimit import AttemptLimiter
from central.web.case_routes import posting_citizen
from central.web.citizen import require_same_origin
from central.web.testkit import Kit, build


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'guard.db'}")
    kit.app.state.attempt_limiter = AttemptLimiter(1000, 60)
    return kit


def handoff(kit: Kit, api: TestClient, answers: dict[str, Any] | None = None) -> dict[str, Any]:
    case = kit.new_case(answers or {"full_name": "Ann Example"})
    r = api.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth)
    assert r.status_code == 201, r.text
    return r.json()


def in_case(kit: Kit, answers: dict[str, Any]) -> TestClient:
    """A phone holding a confirmed session on a fresh case with ``answers``."""
    phone = TestClient(kit.app, follow_redirects=False)
    h = handoff(kit, phone, answers)
    secret = h["verification_uri_complete"].split("#")[1]
    assert phone.post("/h/claim", data={"secret": secret}).status_code == 303
    assert phone.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).status_code == 200
    return phone


COMPLETE = {
    "full_name": "Ann Example",
    "address_line": "1 High St",
    "postcode": "CF10 1AA",
    "contact_method": "post",
}


def claim_secret(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = TestClient(kit.app, follow_redirects=False)
    h = handoff(kit, phone)
    return phone, {"secret": h["verification_uri_complete"].split("#")[1]}, False


def claim_code(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = TestClient(kit.app, follow_redirects=False)
    h = handoff(kit, phone)
    return phone, {"code": h["display_code"]}, False


def resume_slip(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = TestClient(kit.app, follow_redirects=False)
    case = kit.new_case({"full_name": "Ann Example"})
    r = phone.post(
        f"/api/v1/cases/{case.id}/resume-codes",
        headers=kit.auth,
        json={"factor_kind": "dob", "factor_value": "27/03/1985"},
    )
    assert r.status_code == 201, r.text
    return phone, {"code": r.json()["code"], "factor": "27/03/1985"}, False


def step(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = in_case(kit, {"full_name": "Ann Example"})
    token = csrf(phone.get("/case/step/address").text)
    return phone, {"address_line": "1 High St", "postcode": "CF10 1AA", "csrf": token}, True


def submit(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = in_case(kit, COMPLETE)
    return phone, {"csrf": csrf(phone.get("/case/check").text)}, True


def feedback(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = in_case(kit, COMPLETE)
    token = csrf(phone.get("/case/check").text)
    assert phone.post("/case/submit", data={"csrf": token}).status_code == 303
    return phone, {"score": "5", "comment": "Quick.", "csrf": token}, True


def feedback_ended(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    """The feedback question on the "session has ended" page of a session that timed out."""
    phone = in_case(kit, {"full_name": "Ann Example"})
    kit.clock.advance(3 * 3600)  # past the web session's 2 hours
    page = phone.get("/case")
    assert page.status_code == 401 and 'action="/feedback/ended"' in page.text
    return phone, {"score": "2", "csrf": csrf(page.text)}, True


def start_office(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    """The web front door's office choice, which creates the case (no session yet)."""
    return TestClient(kit.app, follow_redirects=False), {"office": "CARDIFF"}, False


def save(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = in_case(kit, {"full_name": "Ann Example"})
    token = csrf(phone.get("/case/save").text)
    return phone, {"factor_kind": "pin", "factor_pin": "4821", "csrf": token}, True


def need_help(kit: Kit) -> tuple[TestClient, dict[str, str], bool]:
    phone = in_case(kit, {"full_name": "Ann Example"})
    return phone, {"csrf": csrf(phone.get("/case/help").text)}, True


# path → (phone, a form that would succeed, whether the route also needs the CSRF token)
CASES: dict[str, Callable[[Kit], tuple[TestClient, dict[str, str], bool]]] = {
    "/h/claim": claim_secret,
    "/h/code": claim_code,
    "/resume": resume_slip,
    "/case/step/{step_id}": step,
    "/case/submit": submit,
    "/case/feedback": feedback,
    "/start/{service_id}/office": start_office,
    "/case/save": save,
    "/case/help": need_help,
    "/feedback/ended": feedback_ended,
}
CONCRETE = {
    "/case/step/{step_id}": "/case/step/address",
    "/start/{service_id}/office": "/start/change-of-address/office",
}
SUCCESS = {"/case/save": 200, "/feedback/ended": 200}  # a code shown once; thanks for feedback


def test_every_web_post_route_depends_on_a_guard(kit: Kit) -> None:
    posts = post_routes(kit.app, "central.web.")
    assert {r.path for r in posts} == set(CASES), "a web POST route without a guard test"
    for route in posts:
        found = guards(route.dependant, (require_same_origin, posting_citizen))
        assert found, f"POST {route.path} has no guard"
        if route.path.startswith("/case"):
            assert posting_citizen in found, f"POST {route.path} does not check the CSRF token"


@pytest.mark.parametrize("path", sorted(CASES))
def test_a_forged_post_is_refused_and_changes_nothing(kit: Kit, path: str) -> None:
    phone, form, needs_csrf = CASES[path](kit)
    url = CONCRETE.get(path, path)
    forged: list[tuple[dict[str, str], dict[str, str]]] = [(form, EVIL)]
    forged.append((form, {"Referer": "https://evil.example/page"}))
    if needs_csrf:
        forged.append(({k: v for k, v in form.items() if k != "csrf"}, {}))
        forged.append((form | {"csrf": "forged"}, {}))
    before = rows(kit)
    for data, headers in forged:
        r = phone.post(url, data=data, headers=headers)
        assert r.status_code == 403, (path, headers, r.status_code)
        assert "set-cookie" not in r.headers or "case_session" not in r.headers["set-cookie"]
        assert rows(kit) == before, f"a refused POST to {path} changed the database"
    ok = phone.post(url, data=form)
    assert ok.status_code == SUCCESS.get(path, 303), (path, ok.status_code, ok.text[:300])
    assert rows(kit) != before

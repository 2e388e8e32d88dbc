"""Staff console: login (argon2, cookies, CSRF), roles on every route, the queue, pick-up by
reference or display code, the timeline with channels and actors, notes, assign, close; the CLI."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from staff_support import PASSWORD, csrf, staff_client

from central.db.models import Case, CaseEvent
from central.handoff.ratelimit import AttemptLimiter
from central.staff.auth import StaffError, create_user
from central.staff.models import StaffSession, StaffUser
from central.web.testkit import Kit, build


def help_requested(kit) -> dict:  # type: ignore[no-untyped-def]
    """The kiosk's "ask staff" event, as the kiosk sends it."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": "help_requested",
        "occurred_at": kit.clock().astimezone(UTC).isoformat(),
        "payload": {},
    }


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 's.db'}")
    with kit.sessions() as s:
        create_user(s, "alice", PASSWORD, "staff", kit.office)
        create_user(s, "tom", PASSWORD, "technician", kit.office)
        create_user(s, "bob", PASSWORD, "staff", "SWANSEA")
        create_user(s, "ada", PASSWORD, "admin", "HQ")
        s.commit()
    return kit


login = staff_client


def queued_case(kit: Kit) -> Case:
    case = kit.new_case({"full_name": "Ann Example"})
    client = TestClient(kit.app)
    r = client.post(
        f"/api/v1/cases/{case.id}/events",
        headers=kit.auth,
        json={"events": [help_requested(kit)]},
    )
    assert r.status_code < 300, r.text
    with kit.sessions() as s:
        return s.get(Case, case.id)


def test_passwords_are_argon2_and_login_checks_them(kit: Kit) -> None:
    with kit.sessions() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.username == "alice"))
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    client = TestClient(kit.app, follow_redirects=False)
    page = client.get("/staff/login")
    assert "HttpOnly" in page.headers["set-cookie"]
    r = client.post(
        "/staff/login",
        data={"csrf": csrf(page.text), "username": "alice", "password": "wrong password"},
    )
    assert r.status_code == 401 and "not right" in r.text
    r = client.post(
        "/staff/login", data={"csrf": csrf(page.text), "username": "nobody", "password": PASSWORD}
    )
    assert r.status_code == 401
    r = client.post(
        "/staff/login", data={"csrf": csrf(page.text), "username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "staff_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = re.search(r"staff_session=([^;]+)", cookie)[1]
    with kit.sessions() as s:
        assert token not in repr([r.token_hash for r in s.scalars(select(StaffSession))])
    with pytest.raises(StaffError), kit.sessions() as s:
        create_user(s, "short", "2short", "staff", "X")


def test_login_form_needs_its_csrf_token(kit: Kit) -> None:
    client = TestClient(kit.app, follow_redirects=False)
    client.get("/staff/login")
    r = client.post(
        "/staff/login", data={"csrf": "forged", "username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 403 and "staff_session" not in r.headers.get("set-cookie", "")


def test_login_rate_limit(kit: Kit) -> None:
    kit.app.state.attempt_limiter = AttemptLimiter(3, 60, clock=lambda: 0.0)
    client = TestClient(kit.app, follow_redirects=False)
    token = csrf(client.get("/staff/login").text)
    codes = [
        client.post(
            "/staff/login", data={"csrf": token, "username": "alice", "password": "nope nope nope"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # The right password is refused too while the client is blocked.
    r = client.post("/staff/login", data={"csrf": token, "username": "alice", "password": PASSWORD})
    assert r.status_code == 429


def test_queue_pickup_timeline_note_close(kit: Kit) -> None:
    case = queued_case(kit)
    client = login(kit, "alice")
    queue = client.get("/staff")
    assert queue.status_code == 200 and case.reference in queue.text
    r = client.post(
        "/staff/pickup", data={"csrf": csrf(queue.text), "lookup": case.reference.lower()}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/staff/cases/{case.id}"
    assert case.reference not in client.get("/staff").text  # picked up: no longer waiting
    page = client.get(f"/staff/cases/{case.id}").text
    rows = re.findall(
        r'<tr data-channel="(\w+)">\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td class="channel">([^<]*)</td>\s*<td>([^<]*)</td>',
        page,
    )
    assert [(code, ev, channel, actor) for code, _, _, ev, channel, actor in rows] == [
        ("kiosk", "Case started", "Kiosk", "Citizen"),
        ("kiosk", "Asked for help", "Kiosk", "Citizen"),
        ("staff", "Picked up by staff", "Counter or phone", "Staff: alice"),
    ]
    # Office time in words (the kit's clock is UTC; London is the office's zone), not UTC digits
    assert all(
        re.fullmatch(r"\d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d", when) for _, _, when, *_ in rows
    )
    assert '<dd data-testid="assigned">alice</dd>' in page
    token = csrf(page)
    assert (
        client.post(
            f"/staff/cases/{case.id}/notes", data={"csrf": token, "text": "Called back"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/staff/cases/{case.id}/close", data={"csrf": token, "outcome": "resolved"}
        ).status_code
        == 303
    )
    with kit.sessions() as s:
        events = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        ).all()
        alice = s.scalar(select(StaffUser.id).where(StaffUser.username == "alice"))
        assert s.get(Case, case.id).status == "closed"
    assert [(e.type, e.channel, e.actor_type, e.actor_id) for e in events[-3:]] == [
        ("assigned", "staff", "staff", alice),
        ("note_added", "staff", "staff", alice),
        ("closed", "staff", "staff", alice),
    ]


def test_pickup_by_display_code(kit: Kit) -> None:
    case = kit.new_case()
    h = TestClient(kit.app).post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()
    client = login(kit, "alice")
    r = client.post(
        "/staff/pickup", data={"csrf": csrf(client.get("/staff").text), "lookup": h["display_code"]}
    )
    assert r.headers["location"] == f"/staff/cases/{case.id}"
    r = client.post(
        "/staff/pickup", data={"csrf": csrf(client.get("/staff").text), "lookup": "NOPE-NOPE"}
    )
    assert r.headers["location"] == "/staff?error=notfound"


def test_forged_staff_form_is_refused(kit: Kit) -> None:
    case = queued_case(kit)
    client = login(kit, "alice")
    assert client.post(f"/staff/cases/{case.id}/close", data={"csrf": "forged"}).status_code == 403
    assert client.post(f"/staff/cases/{case.id}/close", data={}).status_code == 403
    token = csrf(client.get("/staff").text)
    r = client.post(
        f"/staff/cases/{case.id}/close",
        data={"csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    with kit.sessions() as s:
        assert s.get(Case, case.id).status == "waiting_for_staff"


def test_roles_and_offices(kit: Kit) -> None:
    case = queued_case(kit)
    tech = login(kit, "tom")
    landing = tech.get("/staff")  # a technician's work is the kiosks
    assert landing.status_code == 303 and landing.headers["location"] == "/staff/fleet"
    assert tech.get(f"/staff/cases/{case.id}").status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', tech.get("/staff/fleet").text)[1]  # logout
    assert tech.post(f"/staff/cases/{case.id}/close", data={"csrf": token}).status_code == 403
    assert (
        tech.post(f"/staff/cases/{case.id}/notes", data={"csrf": token, "text": "x"}).status_code
        == 403
    )
    other_office = login(kit, "bob")
    assert other_office.get(f"/staff/cases/{case.id}").status_code == 404
    assert case.reference not in other_office.get("/staff").text
    admin = login(kit, "ada")
    assert admin.get(f"/staff/cases/{case.id}").status_code == 200
    assert case.reference in admin.get(f"/staff?office={kit.office}").text
    anonymous = TestClient(kit.app, follow_redirects=False)
    for path in ("/staff", f"/staff/cases/{case.id}"):
        assert anonymous.get(path).headers["location"] == "/staff/login"
    assert anonymous.post(f"/staff/cases/{case.id}/close", data={}).status_code == 303
    with kit.sessions() as s:
        assert s.get(Case, case.id).status == "waiting_for_staff"


def test_staff_cookie_reaches_the_json_queue(kit: Kit) -> None:
    case = queued_case(kit)
    client = login(kit, "alice")
    r = client.get(f"/api/v1/offices/{kit.office}/queue")
    assert r.status_code == 200 and case.reference in r.text
    assert login(kit, "tom").get(f"/api/v1/offices/{kit.office}/queue").status_code == 403
    assert TestClient(kit.app).get(f"/api/v1/offices/{kit.office}/queue").status_code == 401


def test_add_staff_cli(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from central.cli import main
    from central.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        main(
            [
                "add-staff",
                "--db",
                url,
                "--username",
                "Carol",
                "--role",
                "admin",
                "--office",
                "CARDIFF",
                "--password-stdin",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "created admin carol" in out.out and PASSWORD not in out.out + out.err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert (
        main(
            [
                "add-staff",
                "--db",
                url,
                "--username",
                "dave",
                "--office",
                "CARDIFF",
                "--password-stdin",
            ]
        )
        == 1
    )
    assert "at least 10 characters" in capsys.readouterr().err


def test_case_page_shows_answers_under_their_catalogue_labels(kit: Kit) -> None:
    case = kit.new_case({"full_name": "Ann Example", "contact_method": "post", "legacy_key": "x"})
    client = login(kit, "alice")
    page = client.get(f"/staff/cases/{case.id}").text
    rows = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page)
    assert ("Full name", "Ann Example") in rows
    assert ("Contact method", "Post") in rows
    assert ("legacy_key", "x") in rows  # unknown to the catalogue: still shown, by its id


def test_on_https_the_staff_cookies_are_secure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'tls.db'}", base_url="https://testserver")
    with kit.sessions() as s:
        create_user(s, "alice", PASSWORD, "staff", kit.office)
        s.commit()
    client = TestClient(kit.app, base_url="https://testserver", follow_redirects=False)
    page = client.get("/staff/login")
    assert "; secure" in page.headers["set-cookie"].lower()
    r = client.post(
        "/staff/login", data={"csrf": csrf(page.text), "username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 303, r.text
    assert "; secure" in r.headers["set-cookie"].lower()
    assert client.get("/staff").status_code == 200

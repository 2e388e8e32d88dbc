"""The fleet's admin pages (issue 14 items 1-2): an admin makes an enrolment code (typed + QR) that a
kiosk then trades; the kiosk page queues commands, lists their states and the audit; a screenshot
is refused there while a session is open; an uploaded report opens in the console and every view is
audited; technicians see but do not act; and every fleet POST route depends on the console's CSRF
guard — a forged POST is refused with the 403 page and changes no row."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from post_guard_support import EVIL, csrf, guards, post_routes, rows
from staff_support import PASSWORD, staff_client

from central.fleet.models import DeviceCommand, FleetAudit
from central.staff.auth import create_user
from central.staff.routes import login_form, staff_form
from central.web.testkit import Kit, build


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'fleet-console.db'}")
    with kit.sessions() as s:
        create_user(s, "admin1", PASSWORD, "admin", kit.office)
        create_user(s, "tech1", PASSWORD, "technician", kit.office)
        s.commit()
    return kit


def signed_in(kit: Kit, username: str = "admin1") -> tuple[TestClient, str]:
    client = staff_client(kit, username)
    return client, csrf(client.get("/staff/fleet/enrol" if username == "admin1" else
                                   f"/staff/fleet/kiosks/{kit.device_id}").text)  # fmt: skip


def test_an_admin_makes_a_code_a_kiosk_trades(kit: Kit) -> None:
    client, token = signed_in(kit)
    r = client.post("/staff/fleet/enrol", data={"csrf": token, "office": "NEWPORT",
                                                 "name": "Lobby"})  # fmt: skip
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    code = re.search(r'id="enrol-code">([0-9A-Z-]+)<', r.text)[1]  # type: ignore[index]
    assert "<svg" in r.text and "QR code of the enrolment code" in r.text
    enrolled = TestClient(kit.app).post("/api/v1/enrol", json={"code": code})
    assert enrolled.status_code == 201 and enrolled.json()["office"] == "NEWPORT"
    listing = client.get("/staff/fleet/enrol?office=NEWPORT").text
    assert "used" in listing and enrolled.json()["device_id"] in listing
    assert code not in listing  # shown once only
    empty = client.post("/staff/fleet/enrol", data={"csrf": token, "office": ""})
    assert empty.status_code == 422 and "office" in empty.text


def test_the_kiosk_page_queues_commands_and_lists_states_and_audit(kit: Kit) -> None:
    client, token = signed_in(kit)
    url = f"/staff/fleet/kiosks/{kit.device_id}"
    for form in ({"kind": "test_slip"},
                 {"kind": "out_of_service", "message_en": "Closed", "message_cy": "Ar gau"}):  # fmt: skip
        r = client.post(f"{url}/commands", data={"csrf": token, **form})
        assert r.status_code == 303 and r.headers["location"] == url
        kit.clock.advance(1)  # delivered oldest first
    beat = TestClient(kit.app).post("/api/v1/devices/heartbeat", headers=kit.auth,
                                    json={"software_version": "1", "outbox_depth": 0})  # fmt: skip
    delivered = beat.json()["commands"]
    assert [c["kind"] for c in delivered] == ["test_slip", "out_of_service"]
    assert delivered[1]["args"] == {"message": {"en": "Closed", "cy": "Ar gau"}}
    TestClient(kit.app).post(f"/api/v1/devices/commands/{delivered[0]['id']}/result",
                             headers=kit.auth, json={"status": "done", "result": {"printed": True}})  # fmt: skip
    page = client.get(url).text
    assert page.count('class="state"') == 2 and ">done<" in page and ">delivered<" in page
    assert "printed: True" in page
    audit = re.search(r'<table class="table" id="audit">(.*?)</table>', page, re.S)[1]  # type: ignore[index]
    assert audit.count("staff:") == 2 and audit.count("delivered") == 2 and "done" in audit
    no_welsh = client.post(f"{url}/commands", data={"csrf": token, "kind": "out_of_service",
                                                    "message_en": "Closed"})  # fmt: skip
    assert "Welsh" in client.get(no_welsh.headers["location"]).text


def test_a_screenshot_is_refused_in_the_console_while_a_session_is_open(kit: Kit) -> None:
    client, token = signed_in(kit)
    busy = {"software_version": "1", "outbox_depth": 0,
            "activity": {"session_active": True, "idle_s": 1, "screen": "step"}}  # fmt: skip
    assert TestClient(kit.app).post("/api/v1/devices/heartbeat", headers=kit.auth,
                                    json=busy).status_code == 200  # fmt: skip
    url = f"/staff/fleet/kiosks/{kit.device_id}"
    assert "A screenshot would be refused now" in client.get(url).text
    r = client.post(f"{url}/commands", data={"csrf": token, "kind": "screenshot"})
    page = client.get(r.headers["location"]).text
    assert "screenshot refused: a citizen is using the kiosk" in page
    with kit.sessions() as s:
        assert s.query(DeviceCommand).filter(DeviceCommand.kind == "screenshot").count() == 0
        assert s.query(FleetAudit).filter(FleetAudit.action == "refused").count() == 1


def test_a_report_opens_in_the_console_and_each_view_is_audited(kit: Kit) -> None:
    client, token = signed_in(kit)
    url = f"/staff/fleet/kiosks/{kit.device_id}"
    client.post(f"{url}/commands", data={"csrf": token, "kind": "diagnostics"})
    kiosk = TestClient(kit.app)
    (command,) = kiosk.get("/api/v1/devices/commands", headers=kit.auth).json()["commands"]
    pdf = b"%PDF-1.4\n% readiness\n"
    wrong = kiosk.put(f"/api/v1/devices/commands/{command['id']}/upload", content=pdf,
                      headers={**kit.auth, "Content-Type": "image/png"})  # fmt: skip
    assert wrong.status_code == 409
    up = kiosk.put(f"/api/v1/devices/commands/{command['id']}/upload", content=pdf,
                   headers={**kit.auth, "Content-Type": "application/pdf"})  # fmt: skip
    assert up.status_code == 204
    assert "Open the report (PDF)" in client.get(url).text
    for _ in range(2):
        view = client.get(f"/staff/fleet/commands/{command['id']}/upload")
        assert view.status_code == 200 and view.content == pdf
        assert view.headers["content-type"] == "application/pdf"
        assert view.headers["content-security-policy"].startswith("sandbox")
    with kit.sessions() as s:
        views = s.query(FleetAudit).filter(FleetAudit.action == "viewed").all()
        assert len(views) == 2 and all(v.actor.startswith("staff:") for v in views)
    kit.clock.advance(31 * 24 * 3600)
    client, _ = signed_in(kit)  # the session of a month ago has expired
    client.get(url)  # the page's sweep drops what is past its time
    assert client.get(f"/staff/fleet/commands/{command['id']}/upload").status_code == 404


def test_a_technician_sees_the_kiosk_but_sends_nothing(kit: Kit) -> None:
    client, token = signed_in(kit, "tech1")
    url = f"/staff/fleet/kiosks/{kit.device_id}"
    page = client.get(url)
    assert page.status_code == 200 and "Send a command" not in page.text
    assert (
        client.post(f"{url}/commands", data={"csrf": token, "kind": "restart"}).status_code == 403
    )
    assert client.get("/staff/fleet/enrol").status_code == 403


Setup = tuple[TestClient, dict[str, str], str]


def _enrol(kit: Kit) -> Setup:
    client, token = signed_in(kit)
    return client, {"csrf": token, "office": "NEWPORT"}, "/staff/fleet/enrol"


def _command(kit: Kit) -> Setup:
    client, token = signed_in(kit)
    return (
        client,
        {"csrf": token, "kind": "test_slip"},
        f"/staff/fleet/kiosks/{kit.device_id}/commands",
    )


CASES: dict[str, Callable[[Kit], Setup]] = {
    "/staff/fleet/enrol": _enrol,
    "/staff/fleet/kiosks/{device_id}/commands": _command,
}
OK_STATUS = {"/staff/fleet/enrol": 200, "/staff/fleet/kiosks/{device_id}/commands": 303}


def test_every_fleet_post_route_depends_on_the_console_guard(kit: Kit) -> None:
    posts = post_routes(kit.app, "central.fleet.console")
    assert {r.path for r in posts} == set(CASES), "a fleet POST route without a guard test"
    for route in posts:
        assert guards(route.dependant, (login_form, staff_form)) == {staff_form}, route.path


@pytest.mark.parametrize("path", sorted(CASES))
def test_a_forged_fleet_post_is_refused_and_changes_nothing(kit: Kit, path: str) -> None:
    client, form, url = CASES[path](kit)
    without = {k: v for k, v in form.items() if k != "csrf"}
    forged = [(form, EVIL), (form, {"Referer": "https://evil.example/page"}), (without, {}),
              (form | {"csrf": "forged"}, {})]  # fmt: skip
    before = rows(kit)
    for data, headers in forged:
        r = client.post(url, data=data, headers=headers)
        assert r.status_code == 403, (path, headers, r.status_code)
        assert "Not allowed" in r.text
        assert rows(kit) == before, f"a refused POST to {path} changed the database"
    ok = client.post(url, data=form)
    assert ok.status_code == OK_STATUS[path], (path, ok.status_code, ok.text[:300])
    assert rows(kit) != before


def test_a_kiosk_out_of_service_is_listed_so_in_the_fleet_view(kit: Kit) -> None:
    client, _ = signed_in(kit)
    beat = {"software_version": "1", "outbox_depth": 0,
            "activity": {"session_active": False, "idle_s": 600, "screen": "out_of_service"}}  # fmt: skip
    TestClient(kit.app).post("/api/v1/devices/heartbeat", headers=kit.auth, json=beat)
    page = client.get(f"/staff/fleet?office={kit.office}").text
    row = re.search(rf'<tr data-device="{kit.device_id}">(.*?)</tr>', page, re.S)[1]  # type: ignore[index]
    assert "Out of service" in row
    beat["activity"]["screen"] = "attract"  # type: ignore[index]
    TestClient(kit.app).post("/api/v1/devices/heartbeat", headers=kit.auth, json=beat)
    assert "Out of service" not in client.get(f"/staff/fleet?office={kit.office}").text

"""The bundles page of the staff console (issue 14 item 3): every kiosk's version and ring (and its
bundle version on the fleet page); an admin promotes, halts and rolls back by hand, each audited
under their name; a technician sees the page but has no buttons and is refused; each POST route
depends on the console's CSRF guard and a forged POST changes no row."""

from __future__ import annotations

import pytest
from bundle_support import write_key
from fastapi.testclient import TestClient
from post_guard_support import EVIL, guards, post_routes, rows
from sqlalchemy import select
from staff_support import PASSWORD, csrf, staff_client

from central.fleet import rollout
from central.fleet.bundles import Signer
from central.fleet.models import FleetAudit, FleetRollout
from central.staff.auth import create_user
from central.staff.routes import login_form, staff_form
from central.web.testkit import Kit, build


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    key = write_key(tmp_path / "bundle.pem")
    kit = build(f"sqlite:///{tmp_path / 'bundles-console.db'}", bundle_key_file=key)
    with kit.sessions() as s:
        create_user(s, "admin1", PASSWORD, "admin", kit.office)
        create_user(s, "tech1", PASSWORD, "technician", kit.office)
        rollout.publish(s, Signer.from_file(key), {"idle.respond_s": 40}, None, "cli", kit.clock(),
                        [kit.device_id])  # fmt: skip
        s.commit()
    return kit


def signed_in(kit: Kit, username: str = "admin1") -> tuple[TestClient, str]:
    client = staff_client(kit, username)
    return client, csrf(client.get("/staff/fleet/bundles").text)


def state(kit: Kit) -> tuple[int, str, int]:
    with kit.sessions() as s:
        newest = rollout.latest(s)
        return newest.version, newest.state, newest.stage


def test_the_page_lists_every_kiosk_version_and_ring(kit: Kit) -> None:
    client, _ = signed_in(kit)
    r = client.get("/api/v1/devices/bundle?have=0", headers=kit.auth)
    assert r.json()["target"] == 1
    client.get("/api/v1/devices/bundle?have=1", headers=kit.auth)
    page = client.get("/staff/fleet/bundles").text
    row = page.split(f'data-device="{kit.device_id}"')[1].split("</tr>")[0]
    assert "canary" in row and '<td class="version">1' in row
    assert 'data-testid="rollout-state">active' in page
    assert "Promote to the next ring" in page and "Roll back" in page
    fleet = client.get(f"/staff/fleet?office={kit.office}").text
    row = fleet.split(f'data-device="{kit.device_id}"')[1].split("</tr>")[0]
    assert '<td class="bundle">1</td>' in row


def test_an_admin_promotes_halts_and_rolls_back_by_hand(kit: Kit) -> None:
    client, token = signed_in(kit)
    assert client.post("/staff/fleet/bundles/promote", data={"csrf": token}).status_code == 303
    assert state(kit) == (1, "active", 1)
    r = client.post("/staff/fleet/bundles/halt", data={"csrf": token, "reason": "queue at desk 3"})
    assert r.status_code == 303 and state(kit) == (1, "halted", 1)
    again = client.post("/staff/fleet/bundles/halt", data={"csrf": token}, follow_redirects=True)
    assert "already halted" in again.text
    r = client.post("/staff/fleet/bundles/rollback", data={"csrf": token, "reason": "wrong text"})
    assert r.status_code == 303 and state(kit) == (2, "complete", 3)
    with kit.sessions() as s:
        assert s.get(FleetRollout, 1).state == "rolled_back"
        trail = s.scalars(select(FleetAudit).where(FleetAudit.action.like("bundle_%"))
                          .order_by(FleetAudit.id)).all()  # fmt: skip
        admin = trail[-1].actor
        assert [(a.action, a.actor) for a in trail] == [
            ("bundle_published", "cli"),
            ("bundle_promoted", admin),
            ("bundle_halted", admin),
            ("bundle_rolled_back", admin),
        ]
        assert admin.startswith("staff:") and trail[2].detail["reason"] == "queue at desk 3"
    served = client.get("/api/v1/devices/bundle?have=1", headers=kit.auth).json()
    assert served["target"] == 2 and served["bundle"]["version"] == 2


def test_a_technician_sees_but_cannot_act(kit: Kit) -> None:
    client, token = signed_in(kit, "tech1")
    page = client.get("/staff/fleet/bundles")
    assert page.status_code == 200 and "Promote" not in page.text
    r = client.post("/staff/fleet/bundles/rollback", data={"csrf": token})
    assert r.status_code == 403 and state(kit) == (1, "active", 0)


def test_every_bundle_post_route_depends_on_the_console_guard(kit: Kit) -> None:
    posts = [r for r in post_routes(kit.app, "central.fleet.bundle_api")
             if r.path.startswith("/staff/")]  # fmt: skip
    assert {r.path for r in posts} == {"/staff/fleet/bundles/{action}"}
    for route in posts:
        assert guards(route.dependant, (login_form, staff_form)) == {staff_form}, route.path


@pytest.mark.parametrize("action", ["promote", "halt", "rollback"])
def test_a_forged_bundle_post_is_refused_and_changes_nothing(kit: Kit, action: str) -> None:
    client, token = signed_in(kit)
    form = {"csrf": token}
    before = rows(kit)
    for data, headers in [(form, EVIL), (form, {"Referer": "https://evil.example/x"}), ({}, {}),
                          ({"csrf": "forged"}, {})]:  # fmt: skip
        r = client.post(f"/staff/fleet/bundles/{action}", data=data, headers=headers)
        assert r.status_code == 403, (action, headers, r.status_code)
        assert rows(kit) == before
    assert client.post(f"/staff/fleet/bundles/{action}", data=form).status_code == 303
    assert rows(kit) != before

"""The fleet view (central.fleet): kiosks' health from their real heartbeats, worst first, per
office; technicians land on it; staff may not see it; what kiosks report is shown escaped."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from staff_support import PASSWORD, staff_client

from central.auth.devices import register_device
from central.db.models import Device
from central.fleet import health
from central.handoff.ratelimit import AttemptLimiter
from central.staff.auth import create_user
from central.web.testkit import Kit, build, fresh_postgres

PAPER_OUT = {
    "receipt-printer": {
        "kind": "receipt_printer",
        "state": "error",
        "faults": [{"code": "paper_out", "message": "The receipt printer is out of paper."}],
    },
    "card-reader": {"kind": "card_reader", "state": "idle", "faults": []},
}
FINE = {"receipt-printer": {"kind": "receipt_printer", "state": "idle", "faults": []}}


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        kit = build(f"sqlite:///{tmp_path / 'fleet.db'}")
        yield from _with_people(kit)
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 unreachable: fleet view on PG did NOT run")
        yield from _with_people(build(url))


def _with_people(kit: Kit) -> Iterator[Kit]:
    kit.app.state.attempt_limiter = AttemptLimiter(1000, 60)
    with kit.sessions() as s:
        create_user(s, "tom", PASSWORD, "technician", kit.office)
        create_user(s, "alice", PASSWORD, "staff", kit.office)
        create_user(s, "ada", PASSWORD, "admin", "HQ")
        s.commit()
    yield kit
    kit.engine.dispose()


def kiosk(kit: Kit, name: str, office: str | None = None) -> tuple[str, str]:
    with kit.sessions() as s:
        device, token = register_device(s, office or kit.office, name)
        s.commit()
        return device.id, token


def beat(kit: Kit, token: str, states: dict[str, Any], outbox: int = 0) -> None:
    body = {"software_version": "1.4.0", "outbox_depth": outbox, "device_states": states}
    r = TestClient(kit.app).post(
        "/api/v1/devices/heartbeat", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200, r.text


signed_in = staff_client


def rows(html: str) -> list[tuple[str, str]]:
    """(device id, status label) of each table row, in page order."""
    found = re.findall(
        r'<tr data-device="([^"]+)">.*?<strong class="tag[^"]*">([^<]+)<', html, re.S
    )
    return [(d, label) for d, label in found]


def test_the_technician_sees_the_offices_kiosks_worst_first(kit: Kit) -> None:
    printer_out, printer_token = kiosk(kit, "Front door")
    fine, fine_token = kiosk(kit, "Upstairs")
    boxed, boxed_token = kiosk(kit, "Annexe")
    unseen, _ = kiosk(kit, "Not installed yet")
    elsewhere, elsewhere_token = kiosk(kit, "Swansea 1", office="SWANSEA")
    beat(kit, printer_token, PAPER_OUT)
    beat(kit, fine_token, FINE)
    beat(kit, boxed_token, FINE, outbox=health.BACKLOG)
    beat(kit, elsewhere_token, FINE)

    tech = signed_in(kit, "tom")
    landing = tech.get("/staff")
    assert landing.status_code == 303 and landing.headers["location"] == "/staff/fleet"
    page = tech.get("/staff/fleet")
    assert page.status_code == 200
    assert rows(page.text) == [
        (kit.device_id, "Never seen"),  # "kiosk 1", the kit's own, which never beat
        (unseen, "Never seen"),
        (printer_out, "Device fault"),
        (boxed, "Outbox backlog"),
        (fine, "OK"),
    ]
    assert elsewhere not in page.text  # another office's kiosk
    assert "receipt-printer: The receipt printer is out of paper." in page.text
    assert "1.4.0: 3 kiosks" in page.text

    kit.clock.advance(health.SILENT_AFTER.total_seconds() + 1)  # three beats missed
    statuses = dict(rows(tech.get("/staff/fleet").text))
    assert statuses[printer_out] == statuses[fine] == statuses[boxed] == "Silent"
    assert statuses[unseen] == "Never seen"


def test_admins_see_every_offices_counts_and_the_kiosks_needing_attention(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    fine, token = kiosk(kit, "Swansea 1", office="SWANSEA")
    beat(kit, token, FINE)
    broken, broken_token = kiosk(kit, "Swansea 2", office="SWANSEA")
    beat(kit, broken_token, PAPER_OUT)
    admin = signed_in(kit, "ada")
    everything = admin.get("/staff/fleet").text
    offices = re.findall(
        r'<a href="/staff/fleet\?office=([^"]+)">[^<]+</a></td><td>(\d+)</td><td>([^<]+)</td>',
        everything,
    )
    assert offices == [  # one kiosk needing attention in each: then by name
        (kit.office, "1", "1 never seen"),
        ("SWANSEA", "2", "1 device fault, 1 ok"),
    ]
    assert [d for d, _ in rows(everything)] == [kit.device_id, broken]  # the OK one is not listed
    monkeypatch.setattr("central.fleet.routes.ATTENTION_ROWS", 1)
    capped = admin.get("/staff/fleet").text
    assert len(rows(capped)) == 1 and "The first 1 are listed" in capped
    only = admin.get("/staff/fleet", params={"office": "SWANSEA"}).text
    assert "Kiosks – SWANSEA" in only and [d for d, _ in rows(only)] == [broken, fine]
    assert signed_in(kit, "alice").get("/staff/fleet").status_code == 403
    assert TestClient(kit.app, follow_redirects=False).get("/staff/fleet").status_code == 303


def test_revoked_kiosks_leave_the_list_and_what_kiosks_say_is_escaped(kit: Kit) -> None:
    gone, _ = kiosk(kit, "Removed")
    with kit.sessions() as s:
        s.execute(update(Device).where(Device.id == gone).values(revoked_at=datetime.now(UTC)))
        s.commit()
    _, token = kiosk(kit, "<b>Odd</b>")
    hostile = {"<script>x()</script>": {"state": "error", "faults": ["<img src=x>" * 40]}}
    beat(kit, token, hostile)
    page = signed_in(kit, "tom").get("/staff/fleet").text
    assert gone not in page
    assert "<script>x()" not in page and "<img src=x>" not in page and "<b>Odd" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;: &lt;img src=x&gt;" in page


@pytest.mark.parametrize(
    ("states", "problems"),
    [
        (None, ()),
        ("not a mapping", ()),
        ({"p": "not a mapping"}, ()),
        ({"p": {"state": "busy"}}, ()),
        ({"p": {"state": "offline"}}, ("p: offline",)),
        ({"p": {"state": "idle", "faults": [{"code": "jam"}]}}, ("p: jam",)),
        ({"p": {"faults": "not a list", "state": "idle"}}, ()),
        ({"p": {"state": "error", "faults": [{"message": "x" * 500}]}}, ("p: " + "x" * 119 + "…",)),
    ],
)
def test_device_states_of_any_shape_are_read_without_failing(states: Any, problems: tuple) -> None:  # type: ignore[type-arg]
    assert health.device_problems(states) == problems


def test_offices_with_more_kiosks_needing_attention_come_first() -> None:
    def k(office: str, status: str) -> health.KioskHealth:
        return health.KioskHealth("d", "n", office, status, None, "", None, ())

    kiosks = [k("ABER", "ok"), k("BANGOR", "fault"), k("CONWY", "silent"), k("CONWY", "never")]
    assert [office for office, _, _ in health.by_office(kiosks)] == ["CONWY", "BANGOR", "ABER"]
    assert health.by_office(kiosks)[0][2] == [("silent", "Silent", 1), ("never", "Never seen", 1)]


def test_the_fleet_command_lists_what_needs_attention_and_says_so_by_exit_code(
    kit: Kit,
    capsys: pytest.CaptureFixture,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from central.cli import main

    monkeypatch.setattr("central.db.types.utcnow", kit.clock)  # the kit's clock, not the wall's

    url = kit.engine.url.render_as_string(hide_password=False)
    _, token = kiosk(kit, "Front door")
    beat(kit, token, PAPER_OUT)
    assert main(["fleet", "--db", url]) == 1  # the kit's own kiosk never beat; one has a fault
    out = capsys.readouterr().out
    assert "Device fault" in out and "receipt-printer: The receipt printer is out of paper." in out
    assert out.strip().splitlines()[-1] == "2 kiosk(s): 1 never seen, 1 device fault"
    with kit.sessions() as s:
        s.execute(update(Device).where(Device.id == kit.device_id).values(revoked_at=kit.clock()))
        s.commit()
    beat(kit, token, FINE)
    assert main(["fleet", "--db", url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(k["name"], k["status"], k["problems"]) for k in listed] == [("Front door", "ok", [])]
    assert main(["fleet", "--db", f"sqlite:///{tmp_path / 'empty.db'}"]) == 2
    assert "kiosk-central migrate" in capsys.readouterr().err

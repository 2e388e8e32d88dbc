"""The fleet page shows each kiosk's availability over the last 7 days (in service over opening
hours) and the open alerts, from the intervals and alerts the fleet pass keeps."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from staff_support import PASSWORD, staff_client

from central.auth.devices import register_device
from central.fleet.alerts import run_pass
from central.staff.auth import create_user
from central.web.testkit import Kit, build, fresh_postgres

FINE = {"receipt-printer": {"kind": "receipt_printer", "state": "idle", "faults": []}}
PAPER_OUT = {"receipt-printer": {"kind": "receipt_printer", "state": "error",
                                 "faults": [{"code": "paper_out", "message": "Out of paper"}]}}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield from _with_tech(build(f"sqlite:///{tmp_path / 'fleet.db'}", office="NEWPORT"))
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip(
                "PostgreSQL at 127.0.0.1:5432 unreachable: availability page on PG did NOT run"
            )
        yield from _with_tech(build(url, office="NEWPORT"))


def _with_tech(kit: Kit) -> Iterator[Kit]:
    with kit.sessions() as s:
        create_user(s, "tom", PASSWORD, "technician", kit.office)
        s.commit()
    yield kit
    kit.engine.dispose()


def kiosk(kit: Kit, name: str) -> tuple[str, str]:
    with kit.sessions() as s:
        device, token = register_device(s, kit.office, name)
        s.commit()
        return device.id, token


def beat_and_pass(kit: Kit, tokens: dict[str, dict]) -> None:
    for token, states in tokens.items():
        body = {"software_version": "1.4.0", "outbox_depth": 0, "device_states": states}
        r = TestClient(kit.app).post("/api/v1/devices/heartbeat", json=body,
                                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert r.status_code == 200, r.text
    run_pass(kit.engine, kit.clock())


def test_the_fleet_page_shows_availability_and_open_alerts(kit: Kit) -> None:
    mended, mended_token = kiosk(kit, "Front door")
    broken, broken_token = kiosk(kit, "Upstairs")
    beat_and_pass(kit, {mended_token: FINE, broken_token: FINE})
    kit.clock.advance(60 * 60)
    beat_and_pass(kit, {mended_token: PAPER_OUT, broken_token: FINE})
    kit.clock.advance(20 * 60)
    beat_and_pass(kit, {mended_token: FINE, broken_token: PAPER_OUT})
    kit.clock.advance(20 * 60)
    beat_and_pass(kit, {mended_token: FINE, broken_token: PAPER_OUT})
    page = staff_client(kit, "tom").get("/staff/fleet")
    assert page.status_code == 200
    shown = dict(re.findall(r'<tr data-device="([^"]+)">.*?<td class="available">([^<]*)</td>',
                            page.text, re.S))  # fmt: skip
    # Front door: 80 of 100 minutes in service; Upstairs: 80 of 100 too (out since minute 80).
    assert shown == {mended: "80.0 %", broken: "80.0 %", kit.device_id: "–"}  # never seen
    alerts = re.findall(r'<tr data-alert="([^"]+)"><td>[^<]+</td><td><a href="/staff/fleet/kiosks/'
                        r'([^"]+)">', page.text)  # fmt: skip
    assert alerts == [("device_fault", broken)]
    assert "In service 80.0 % of opening hours over the last 7 days." in page.text

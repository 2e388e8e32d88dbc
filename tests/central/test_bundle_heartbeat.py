"""The bundle version in the heartbeat (issue 14 item 3), on both databases: a beat that says which
bundle the kiosk runs updates the fleet's version view (and the fleet page's Bundle column) when it
is newer than what the bundle poll said; a late, older poll never moves it back; a bad version is
refused (422); and the "version drift" alert reads it — opened for a kiosk that still runs an older
bundle two beats after the rollout reached it, cleared by the beat that says it caught up."""

from __future__ import annotations

import pytest
from bundle_support import clear_bundles, write_key
from sqlalchemy import select

from central.db.base import make_sessionmaker, session_scope
from central.fleet import rollout
from central.fleet.alerts import open_alerts, run_pass
from central.fleet.bundles import Signer
from central.fleet.models import DeviceBundle

HEARTBEAT = "/api/v1/devices/heartbeat"
POLL = "/api/v1/devices/bundle"
SOFTWARE = "1.0"


def beat(client, token: str, bundle: int | None = None) -> None:  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"software_version": SOFTWARE, "outbox_depth": 0,
                               "device_states": {}}  # fmt: skip
    if bundle is not None:
        body["bundle_version"] = bundle
    r = client.post(HEARTBEAT, json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text


def running(engine, device_id: str) -> int | None:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        row = s.scalar(select(DeviceBundle).where(DeviceBundle.device_id == device_id))
        return row.version if row is not None else None


def test_the_beat_says_the_version_and_a_late_poll_never_moves_it_back(
    client, engine, device, clock, office, staff_login
) -> None:  # type: ignore[no-untyped-def]
    device_id, token = device
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{POLL}?have=2", headers=auth).status_code == 200
    assert running(engine, device_id) == 2
    clock.advance(seconds=30)
    beat(client, token, 3)
    assert running(engine, device_id) == 3
    # A poll that began before that beat (another node, an earlier clock) commits after it.
    clock.advance(seconds=-20)
    assert client.get(f"{POLL}?have=2", headers=auth).status_code == 200
    assert running(engine, device_id) == 3
    clock.advance(seconds=50)
    beat(client, token)  # an older kiosk says nothing about bundles: the version stays
    assert running(engine, device_id) == 3
    _, cookies = staff_login(office, "admin")
    client.cookies.update(cookies)
    page = client.get(f"/staff/fleet?office={office}")
    assert page.status_code == 200
    row = page.text.split(f'data-device="{device_id}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="bundle">3</td>' in row


@pytest.mark.parametrize("bad", [-1, 2**31, "3", 1.5, True])
def test_a_bad_bundle_version_is_refused(client, auth, bad) -> None:  # type: ignore[no-untyped-def]
    body = {"software_version": SOFTWARE, "outbox_depth": 0, "bundle_version": bad}
    r = client.post(HEARTBEAT, json=body, headers=auth)
    assert r.status_code == 422


def test_version_drift_reads_the_bundle_the_beat_says(
    client, engine, clock, office, make_device, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    clear_bundles(engine)
    canary, canary_token = make_device(office, "canary")
    late, late_token = make_device(office, "late")
    signer = Signer.from_file(write_key(tmp_path / "bundle.pem"))
    with session_scope(make_sessionmaker(engine)) as s:
        made = rollout.publish(s, signer, {}, None, "cli", clock(), [canary])
        rollout.promote(s, "cli", clock(), to_all=True)
        version = made.version
    beat(client, canary_token, version)
    beat(client, late_token)
    client.get(POLL, headers={"Authorization": f"Bearer {late_token}"})  # it runs none yet
    with engine.connect() as conn:
        assert [a.rule for a in open_alerts(conn, office)] == []  # it may still catch up

    clock.advance(minutes=2)
    beat(client, canary_token, version)
    beat(client, late_token)
    run_pass(engine, clock(), expected_version=SOFTWARE)
    with engine.connect() as conn:
        found = [(a.device_id, a.rule, a.detail) for a in open_alerts(conn, office)]
    assert found == [(late, "version_drift", f"runs no bundle, should run bundle {version}")]

    clock.advance(seconds=30)
    beat(client, late_token, version)
    run_pass(engine, clock(), expected_version=SOFTWARE)
    with engine.connect() as conn:
        assert open_alerts(conn, office) == []
    clear_bundles(engine)

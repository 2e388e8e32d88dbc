"""Signed bundles and staged rollouts at central (issue 14 item 3), on SQLite and PostgreSQL: what a
kiosk is served verifies with the public key of a key pair made here; only the canaries get a new
version, then the waves by bucket, then all; a canary that reports a failure, or goes faulty after
being served, rolls the rollout back by itself and the other kiosks never see the bad version; a
kiosk offline during the rollout catches up; a revoked kiosk gets nothing; hostile input is a 4xx.

Rollouts are fleet-wide and the database is shared by the session's tests: each test starts from
no bundle (the three bundle tables emptied) and names its canaries."""

from __future__ import annotations

import base64
import json

import pytest
from bundle_support import clear_bundles, write_key
from sqlalchemy import select

from central.auth.devices import revoke_device
from central.db.base import make_sessionmaker, session_scope
from central.fleet import rollout
from central.fleet.bundles import BundleRefused, Signer
from central.fleet.models import DeviceBundle, FleetAudit, FleetRollout
from central.settings import Settings

BEAT = {"software_version": "1.0", "outbox_depth": 0}
FAULT = {**BEAT, "device_states": {"receipt-printer": {"state": "error",
                                                      "faults": [{"message": "Cutter jam"}]}}}  # fmt: skip
GOOD = {"idle.warning_after_s": 90, "texts.attract_notice": {"en": "Open until 4pm",
        "cy": "Ar agor tan 4pm"}}  # fmt: skip
BAD = {"idle.warning_after_s": 10}


@pytest.fixture
def key_file(tmp_path):  # type: ignore[no-untyped-def]
    return write_key(tmp_path / "bundle-key.pem")


@pytest.fixture
def settings(db_url, tmp_path, key_file) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(db_url=db_url, catalogue_dir=tmp_path, secret_key="test-secret",
                    bundle_key_file=key_file)  # fmt: skip


@pytest.fixture(autouse=True)
def no_bundles(engine) -> None:  # type: ignore[no-untyped-def]
    clear_bundles(engine)


def publish(engine, key_file, settings, clock, canaries, actor="staff:admin") -> int:  # type: ignore[no-untyped-def]
    with session_scope(make_sessionmaker(engine)) as s:
        made = rollout.publish(s, Signer.from_file(key_file), settings, None, actor, clock(),
                               canaries)  # fmt: skip
        return made.version


def promote(engine, clock, to_all=False) -> None:  # type: ignore[no-untyped-def]
    with session_scope(make_sessionmaker(engine)) as s:
        rollout.promote(s, "staff:admin", clock(), to_all)


def poll(client, token, have=None):  # type: ignore[no-untyped-def]
    query = "" if have is None else f"?have={have}"
    r = client.get(f"/api/v1/devices/bundle{query}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


def verified(bundle, key_file) -> dict:  # type: ignore[no-untyped-def, type-arg]
    public = Signer.from_file(key_file).public  # the kiosk holds only this half
    public.verify(base64.b64decode(bundle["signature"]), bundle["payload"].encode("utf-8"))
    return json.loads(bundle["payload"])


def test_only_canaries_get_it_signed_then_waves_then_all(client, engine, key_file, clock,
                                                          make_device, office) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    kiosks = [make_device(office, f"k{i}") for i in range(30)]
    canary = kiosks[0]
    version = publish(engine, key_file, GOOD, clock, [canary[0]])
    got = poll(client, canary[1])
    payload = verified(got["bundle"], key_file)
    assert payload["version"] == version and payload["settings"] == GOOD
    assert got["bundle"]["payload"] == json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                                  ensure_ascii=False)  # fmt: skip
    assert poll(client, canary[1], have=version)["bundle"] is None
    others = kiosks[1:]
    assert all(poll(client, t)["bundle"] is None for _, t in others)

    promote(engine, clock)  # stage 1: buckets below 10
    first_wave = {d for d, _ in others if rollout.bucket(d) < 10}
    served = {d for d, t in others if poll(client, t)["target"] == version}
    assert served == first_wave
    promote(engine, clock, to_all=True)
    assert all(poll(client, t)["target"] == version for _, t in others)
    with make_sessionmaker(engine)() as s:
        assert s.get(FleetRollout, version).state == "complete"
        actions = [a.action for a in s.scalars(select(FleetAudit).where(
            FleetAudit.action.like("bundle_%"), FleetAudit.at == clock()))]  # fmt: skip
        assert {"bundle_published", "bundle_promoted"} <= set(actions)


def test_a_canary_that_fails_rolls_it_back_and_the_others_never_see_it(
    client, engine, key_file, clock, make_device, office
) -> None:  # type: ignore[no-untyped-def]
    canary, other = make_device(office, "canary"), make_device(office, "other")
    good = publish(engine, key_file, GOOD, clock, [canary[0]])
    promote(engine, clock, to_all=True)
    assert poll(client, other[1])["target"] == good
    bad = publish(engine, key_file, BAD, clock, [canary[0]])
    assert poll(client, canary[1], have=good)["target"] == bad
    assert poll(client, other[1], have=good)["bundle"] is None
    r = client.post("/api/v1/devices/bundle/report", headers={"Authorization": f"Bearer {canary[1]}"},
                    json={"version": good, "status": "failed", "about": bad,
                          "detail": "crash loop: 3 restarts in 5 min"})  # fmt: skip
    assert r.status_code == 204, r.text
    back = poll(client, other[1], have=good)
    assert back["target"] == bad + 1
    assert verified(back["bundle"], key_file)["settings"] == GOOD  # the earlier content
    assert verified(poll(client, canary[1], have=bad)["bundle"], key_file)["settings"] == GOOD
    with make_sessionmaker(engine)() as s:
        assert s.get(FleetRollout, bad).state == "rolled_back"
        assert s.get(DeviceBundle, other[0]).served_version != bad
        trail = s.scalars(select(FleetAudit).where(FleetAudit.action == "bundle_rolled_back")).all()
        assert [(a.actor, a.detail["version"]) for a in trail] == [("system", bad)]


def test_a_canary_faulty_after_being_served_rolls_it_back(client, engine, key_file, clock,
                                                          make_device, office) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    canary, other = make_device(office, "canary"), make_device(office, "other")
    auth = {"Authorization": f"Bearer {canary[1]}"}
    assert client.post("/api/v1/devices/heartbeat", headers=auth, json=BEAT).status_code == 200
    bad = publish(engine, key_file, BAD, clock, [canary[0]])
    poll(client, canary[1])
    clock.advance(seconds=10)
    assert client.post("/api/v1/devices/heartbeat", headers=auth, json=FAULT).status_code == 200
    clock.advance(seconds=10)
    got = poll(client, other[1])  # any poll runs the check
    assert got["target"] == bad + 1
    assert verified(got["bundle"], key_file)["settings"] == {}  # before it: no bundle at all
    with make_sessionmaker(engine)() as s:
        assert "Cutter jam" in s.get(FleetRollout, bad).reason


def test_a_canary_faulty_before_the_rollout_does_not_halt_it(client, engine, key_file, clock,
                                                             make_device, office) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    canary = make_device(office, "canary")
    auth = {"Authorization": f"Bearer {canary[1]}"}
    assert client.post("/api/v1/devices/heartbeat", headers=auth, json=FAULT).status_code == 200
    version = publish(engine, key_file, GOOD, clock, [canary[0]])
    poll(client, canary[1])
    clock.advance(seconds=10)
    client.post("/api/v1/devices/heartbeat", headers=auth, json=FAULT)
    clock.advance(seconds=10)
    assert poll(client, canary[1], have=version)["target"] == version
    with make_sessionmaker(engine)() as s:
        assert s.get(FleetRollout, version).state == "active"


def test_an_offline_kiosk_catches_up_and_a_revoked_one_gets_nothing(
    client, engine, key_file, clock, make_device, office
) -> None:  # type: ignore[no-untyped-def]
    canary, away, revoked = (make_device(office, n) for n in ("canary", "away", "revoked"))
    first = publish(engine, key_file, GOOD, clock, [canary[0]])
    promote(engine, clock, to_all=True)
    second = publish(engine, key_file, {"idle.respond_s": 45}, clock, [canary[0]])
    promote(engine, clock)
    promote(engine, clock, to_all=True)
    clock.advance(hours=6)  # the kiosk was off all day and asks with the version it had
    got = poll(client, away[1], have=None)
    assert got["target"] == second and verified(got["bundle"], key_file)["version"] == second
    assert first < second
    with session_scope(make_sessionmaker(engine)) as s:
        revoke_device(s, revoked[0])
    no = client.get("/api/v1/devices/bundle", headers={"Authorization": f"Bearer {revoked[1]}"})
    assert no.status_code == 401 and "bundle" not in no.json()
    report = client.post("/api/v1/devices/bundle/report", json={"status": "refused"},
                         headers={"Authorization": f"Bearer {revoked[1]}"})  # fmt: skip
    assert report.status_code == 401


def test_hostile_input_is_a_4xx_and_a_refusal_is_recorded(client, engine, key_file, clock,
                                                          device, auth) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    assert client.get("/api/v1/devices/bundle?have=-1", headers=auth).status_code == 422
    assert client.get("/api/v1/devices/bundle?have=abc", headers=auth).status_code == 422
    assert client.get("/api/v1/devices/bundle").status_code == 401
    for body in ({"status": "gone"}, {"status": "refused", "extra": 1},
                 {"status": "refused", "detail": "x" * 201}):  # fmt: skip
        r = client.post("/api/v1/devices/bundle/report", headers=auth, json=body)
        assert r.status_code == 422, body
    r = client.post("/api/v1/devices/bundle/report", headers=auth,
                    json={"version": 3, "status": "refused", "about": 4, "detail": "bad signature"})  # fmt: skip
    assert r.status_code == 204
    with make_sessionmaker(engine)() as s:
        row = s.get(DeviceBundle, device[0])
        assert (row.status, row.version, row.refused_version) == ("refused", 3, 4)
        audited = s.scalars(select(FleetAudit).where(FleetAudit.device_id == device[0],
                                                     FleetAudit.action == "bundle_refused")).one()  # fmt: skip
        assert audited.detail["detail"] == "bad signature"


def test_keys_that_may_not_change_remotely_and_a_second_open_rollout_are_refused(
    engine, key_file, clock, device
) -> None:  # type: ignore[no-untyped-def]
    for settings in ({"central_url": "https://evil.example"}, {"idle.respond_s": 5},
                     {"texts.attract_notice": {"en": "English only"}}):  # fmt: skip
        with pytest.raises(BundleRefused):
            publish(engine, key_file, settings, clock, [device[0]])
    publish(engine, key_file, GOOD, clock, [device[0]])
    with pytest.raises(BundleRefused, match="still active"):
        publish(engine, key_file, GOOD, clock, [device[0]])


def test_a_canary_silent_after_being_served_rolls_it_back(client, engine, key_file, clock,
                                                          make_device, office) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    canary, other = make_device(office, "canary"), make_device(office, "other")
    auth = {"Authorization": f"Bearer {canary[1]}"}
    assert client.post("/api/v1/devices/heartbeat", headers=auth, json=BEAT).status_code == 200
    bad = publish(engine, key_file, BAD, clock, [canary[0]])
    poll(client, canary[1])  # served, then it crash-loops and never beats again
    clock.advance(minutes=3)
    assert poll(client, other[1])["target"] == bad + 1
    with make_sessionmaker(engine)() as s:
        assert "silent" in s.get(FleetRollout, bad).reason


def test_after_the_window_a_failure_is_recorded_but_rolls_nothing_back(
    client, engine, key_file, clock, make_device, office
) -> None:  # type: ignore[no-untyped-def]
    canary = make_device(office, "canary")
    version = publish(engine, key_file, GOOD, clock, [canary[0]])
    poll(client, canary[1])
    clock.advance(minutes=31)
    r = client.post("/api/v1/devices/bundle/report", headers={"Authorization": f"Bearer {canary[1]}"},
                    json={"status": "failed", "about": version, "detail": "late"})  # fmt: skip
    assert r.status_code == 204
    with make_sessionmaker(engine)() as s:
        assert s.get(FleetRollout, version).state == "active"
        assert s.get(DeviceBundle, canary[0]).status == "failed"


def test_without_a_readable_key_a_regression_halts_it(engine, key_file, clock, make_device,
                                                      office) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    canary = make_device(office, "canary")
    version = publish(engine, key_file, BAD, clock, [canary[0]])
    with session_scope(make_sessionmaker(engine)) as s:
        rollout.report(s, canary[0], None, "failed", version, "crash loop", clock())
    with session_scope(make_sessionmaker(engine)) as s:
        missing = lambda: Signer.from_file(key_file.with_name("gone.pem"))  # noqa: E731
        assert rollout.check(s, missing, clock()) is None
    late = make_device(office, "late")[0]
    with make_sessionmaker(engine)() as s:
        row = s.get(FleetRollout, version)
        assert row.state == "halted" and "no rollback: cannot read" in row.reason
        assert rollout.target(s, late) is None  # nobody else gets it


def test_two_nodes_checking_at_once_roll_back_once(engine, key_file, clock, make_device,
                                                   office) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    import threading

    canary = make_device(office, "canary")
    version = publish(engine, key_file, BAD, clock, [canary[0]])
    with session_scope(make_sessionmaker(engine)) as s:
        rollout.report(s, canary[0], None, "failed", version, "crash loop", clock())
    start, made = threading.Barrier(4), []

    def node() -> None:
        with make_sessionmaker(engine)() as s:
            start.wait()
            made.append(rollout.check(s, lambda: Signer.from_file(key_file), clock()))
            s.commit()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(made, key=str) == [version + 1, None, None, None]
    with make_sessionmaker(engine)() as s:
        assert [r.version for r in rollout.history(s)] == [version + 1, version]
        rolled = s.scalars(select(FleetAudit).where(FleetAudit.action == "bundle_rolled_back"))
        assert len(rolled.all()) == 1


def test_a_kiosk_back_after_weeks_gets_it_signed_again_with_fresh_dates(
    client, engine, key_file, clock, make_device, office
) -> None:  # type: ignore[no-untyped-def]
    canary, away = make_device(office, "canary"), make_device(office, "away")
    version = publish(engine, key_file, GOOD, clock, [canary[0]])
    promote(engine, clock, to_all=True)
    first = verified(poll(client, canary[1])["bundle"], key_file)
    clock.advance(days=40)  # past the 30 days the bundle was valid for
    got = poll(client, away[1])
    again = verified(got["bundle"], key_file)
    assert again["version"] == version and again["settings"] == first["settings"] == GOOD
    assert again["issued_at"] == clock().isoformat() > first["expires_at"]


def test_the_catalogue_travels_in_the_bundle_and_bad_files_are_refused(
    client, engine, key_file, clock, device
) -> None:  # type: ignore[no-untyped-def]
    from central.fleet.bundles import read_catalogue
    from central.settings import REPO_ROOT

    shipped = read_catalogue(REPO_ROOT / "config" / "services")
    with session_scope(make_sessionmaker(engine)) as s:
        for bad in ({"../x.toml": "a = 1"}, {"x.toml": "not = = toml"}, {"x.txt": "a = 1"}):
            with pytest.raises(BundleRefused):
                rollout.publish(s, Signer.from_file(key_file), {}, bad, "cli", clock(), [device[0]])
        rollout.publish(s, Signer.from_file(key_file), {}, shipped, "cli", clock(), [device[0]])
    got = verified(poll(client, device[1])["bundle"], key_file)
    assert got["catalogue"] == shipped and len(shipped) >= 4

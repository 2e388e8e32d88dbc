"""Enrolment codes (issue 14 item 1) on both databases: a code is traded once for a token that
works; a reused, expired or wrong code is refused alike; re-enrolling a named kiosk revokes the old
device; kiosks racing for one code — exactly one wins; wrong codes are rate-limited per address."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta

import pytest

from central.db.base import make_sessionmaker, session_scope
from central.db.models import Device
from central.fleet import enrolment
from central.fleet.models import EnrolmentCode, FleetAudit


def make_code(engine, office: str, name: str | None = None, now=None) -> enrolment.MadeCode:  # type: ignore[no-untyped-def]
    from central.db.types import utcnow

    with session_scope(make_sessionmaker(engine)) as session:
        return enrolment.make_code(session, office, name, "test", now or utcnow())


@pytest.fixture
def fresh_limits(app):  # type: ignore[no-untyped-def]
    app.state.enrol_limiter.scope = secrets.token_hex(8)
    return app


def test_a_code_is_traded_once_for_a_token_that_works(client, engine, office, clock, fresh_limits):  # type: ignore[no-untyped-def]
    made = make_code(engine, office, "Front door", clock())
    assert len(made.code) == 23 and made.code.count("-") == 3
    typed = made.code.lower().replace("-", " ")  # as a person might type it
    r = client.post("/api/v1/enrol", json={"code": typed})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["office"] == office and body["name"] == "Front door"
    assert body["token"].startswith(body["device_id"] + ".")
    assert r.headers["cache-control"] == "no-store"
    me = client.get("/api/v1/devices/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["office"] == office
    again = client.post("/api/v1/enrol", json={"code": made.code})
    assert again.status_code == 403 and again.json()["type"].endswith("enrolment-refused")
    with make_sessionmaker(engine)() as s:
        row = s.get(EnrolmentCode, made.id)
        assert row.code_hash != made.code and made.code.replace("-", "") not in row.code_hash
        assert row.device_id == body["device_id"] and row.used_at is not None
        actions = [a.action for a in s.query(FleetAudit).filter(FleetAudit.office == office)]
        assert actions.count("enrol_code_made") == 1 and actions.count("enrolled") == 1


def test_expired_and_wrong_codes_are_refused_alike(client, engine, office, clock, fresh_limits):  # type: ignore[no-untyped-def]
    made = make_code(engine, office, None, clock())
    clock.advance(hours=24, seconds=1)
    expired = client.post("/api/v1/enrol", json={"code": made.code})
    wrong = client.post("/api/v1/enrol", json={"code": "0" * 20})
    short = client.post("/api/v1/enrol", json={"code": "ABC"})
    for r in (expired, wrong, short):
        assert r.status_code == 403, r.text
        assert r.json()["detail"] == "The enrolment code is wrong, used or expired."
    just_in_time = make_code(engine, office, None, clock())
    clock.advance(hours=23, minutes=59)
    ok = client.post("/api/v1/enrol", json={"code": just_in_time.code, "name": "lobby"})
    assert ok.status_code == 201 and ok.json()["name"] == "lobby"


def test_enrolling_a_named_kiosk_again_revokes_the_old_device(
    client, engine, office, clock, fresh_limits
):  # type: ignore[no-untyped-def]
    first = client.post(
        "/api/v1/enrol", json={"code": make_code(engine, office, "K1", clock()).code}
    )
    other = client.post(
        "/api/v1/enrol", json={"code": make_code(engine, office, "K2", clock()).code}
    )
    second = client.post(
        "/api/v1/enrol", json={"code": make_code(engine, office, "K1", clock()).code}
    )
    assert first.status_code == other.status_code == second.status_code == 201
    old = {"Authorization": f"Bearer {first.json()['token']}"}
    new = {"Authorization": f"Bearer {second.json()['token']}"}
    keep = {"Authorization": f"Bearer {other.json()['token']}"}
    hb = {"software_version": "1", "outbox_depth": 0}
    assert client.post("/api/v1/devices/heartbeat", headers=old, json=hb).status_code == 401
    assert client.post("/api/v1/devices/heartbeat", headers=new, json=hb).status_code == 200
    assert client.post("/api/v1/devices/heartbeat", headers=keep, json=hb).status_code == 200
    with make_sessionmaker(engine)() as s:
        assert s.get(Device, first.json()["device_id"]).revoked_at is not None


def test_racing_kiosks_exactly_one_wins(engine, office, clock) -> None:  # type: ignore[no-untyped-def]
    made = make_code(engine, office, "race", clock())
    sessions = make_sessionmaker(engine)
    barrier = threading.Barrier(8)
    won: list[str] = []
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            barrier.wait()
            with session_scope(sessions) as session:
                got = enrolment.redeem(session, made.code, clock())
                if got is not None:
                    won.append(got.device_id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(won) == 1
    with sessions() as s:
        live = s.query(Device).filter(Device.office == office, Device.name == "race").all()
        assert [d.id for d in live] == won


def test_wrong_codes_are_rate_limited_per_address(client, engine, office, clock, fresh_limits):  # type: ignore[no-untyped-def]
    for _ in range(enrolment.ATTEMPTS):
        assert client.post("/api/v1/enrol", json={"code": "1" * 20}).status_code == 403
    made = make_code(engine, office, None, clock())
    locked = client.post("/api/v1/enrol", json={"code": made.code})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    clock.advance(seconds=enrolment.WINDOW_S + 1)
    assert client.post("/api/v1/enrol", json={"code": made.code}).status_code == 201


def test_codes_read_look_alike_letters_as_digits() -> None:
    assert enrolment.normalise("ab0o-1il ") == "AB00111"
    assert enrolment.code_hash("abcde-0o1il") == enrolment.code_hash("ABCDE00111")
    assert enrolment.display("A" * 20) == "AAAAA-AAAAA-AAAAA-AAAAA"
    assert "█" in (enrolment.qr_text("A" * 20) or "█")
    assert timedelta(hours=24) == enrolment.VALID_FOR


def test_a_kiosk_presenting_its_old_token_has_that_device_revoked(
    client, engine, office, clock, fresh_limits
):  # type: ignore[no-untyped-def]
    first = client.post(
        "/api/v1/enrol", json={"code": make_code(engine, office, None, clock()).code}
    )
    old = first.json()["token"]
    bogus = client.post("/api/v1/enrol", json={"code": make_code(engine, office, None, clock()).code,
                                               "previous_token": "dev_nope.garbage"})  # fmt: skip
    assert bogus.status_code == 201  # a token that proves nothing revokes nothing
    again = client.post("/api/v1/enrol", json={"code": make_code(engine, office, None, clock()).code,
                                               "previous_token": old})  # fmt: skip
    assert again.status_code == 201
    hb = {"software_version": "1", "outbox_depth": 0}
    for token, status in ((old, 401), (bogus.json()["token"], 200), (again.json()["token"], 200)):
        r = client.post("/api/v1/devices/heartbeat", json=hb,
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert r.status_code == status
    with make_sessionmaker(engine)() as s:
        row = s.query(FleetAudit).filter(FleetAudit.action == "enrolled",
                                         FleetAudit.device_id == again.json()["device_id"]).one()  # fmt: skip
        assert row.detail["replaced"] == [first.json()["device_id"]]

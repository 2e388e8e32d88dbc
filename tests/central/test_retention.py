"""central.retention on both databases: what has served its purpose is deleted, what may still be
used is kept, and cases with their histories are never touched."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from central import retention
from central.auth.principal import Principal
from central.cli import main
from central.db.models import Case, CaseEvent, DeviceStatus, Heartbeat
from central.handoff import batch, service
from central.handoff.models import Handoff, ResumeCode, WebSession
from central.staff.auth import create_user
from central.staff.models import StaffSession
from central.web.testkit import Kit, build, fresh_postgres

DAY = timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        kit = build(f"sqlite:///{tmp_path / 'r.db'}")
        yield kit
        kit.engine.dispose()
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 unreachable: retention on PG did NOT run")
        kit = build(url)
        yield kit
        kit.engine.dispose()


def count(kit: Kit, model, *where) -> int:  # type: ignore[no-untyped-def]
    with kit.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def handoff(kit: Kit, at, claim: bool = False) -> uuid.UUID:  # type: ignore[no-untyped-def]
    kiosk = Principal(kind="device", id=kit.device_id, office=kit.office)
    order = batch.CreateOrder(kit.new_case().id, kiosk, at, service.Policy())
    issued = batch.write_batch(kit.engine, [order])[0]
    assert isinstance(issued, service.IssuedHandoff)
    if claim:
        claimed = batch.write_batch(
            kit.engine, [batch.ClaimOrder(issued.secret, at, service.Policy())]
        )[0]
        assert isinstance(claimed, service.Claim)
    return issued.handoff.id


def test_purge_deletes_what_has_served_its_purpose_and_keeps_the_rest(kit: Kit) -> None:
    t0 = kit.clock()
    now = t0 + 2 * DAY
    old = handoff(kit, t0, claim=True)  # expired t0 + 10 min; its web session t0 + 2 h
    recent = handoff(kit, now - timedelta(hours=1), claim=True)  # expired 50 min ago: kept
    live = handoff(kit, now)
    case_id = kit.new_case().id
    with kit.sessions() as s:
        user = create_user(s, "alice", "correct horse battery", "staff", kit.office)
        s.flush()
        for n, (expires, revoked) in enumerate(
            [(now - 2 * DAY, None), (now + DAY, now - 2 * DAY), (now + DAY, None)]
        ):
            s.add(StaffSession(token_hash=f"{n:064}", user_id=user.id, csrf_token="c",
                               created_at=t0, expires_at=expires, revoked_at=revoked))  # fmt: skip
        for n, expires in enumerate([now - 8 * DAY, now - 3 * DAY, now + DAY]):
            s.add(ResumeCode(case_id=case_id, code_hash=f"{n:064}", factor_kind="dob",
                             factor_hash="x", created_at=t0, expires_at=expires))  # fmt: skip
        s.add(WebSession(token_hash="f" * 64, case_id=case_id, created_at=t0,
                         expires_at=now - 2 * DAY))  # a slip's session, long expired  # fmt: skip
        s.commit()
    cases, events = count(kit, Case), count(kit, CaseEvent)

    done = retention.purge(kit.engine, now)

    assert done["handoffs"] == 1 and done["resume_codes"] == 1 and done["staff_sessions"] == 2
    assert done["web_sessions"] == 2  # the old handoff's and the slip's
    assert count(kit, Handoff, Handoff.id == old) == 0
    assert count(kit, Handoff, Handoff.id.in_([recent, live])) == 2
    assert count(kit, WebSession) == 1 and count(kit, WebSession, WebSession.handoff_id == recent)
    assert count(kit, ResumeCode) == 2 and count(kit, StaffSession) == 1
    assert (count(kit, Case), count(kit, CaseEvent)) == (cases, events)  # histories stay whole
    assert set(retention.purge(kit.engine, now).values()) == {0}  # nothing left to do


def test_heartbeat_history_goes_in_chunks_and_the_latest_status_stays(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = kit.clock()
    rows = [
        {"device_id": kit.device_id, "received_at": now - timedelta(days=15, minutes=n),
         "software_version": "1", "outbox_depth": 0, "device_states": {}}
        for n in range(25)
    ] + [
        {"device_id": kit.device_id, "received_at": now - timedelta(days=13, minutes=n),
         "software_version": "1", "outbox_depth": 0, "device_states": {}}
        for n in range(5)
    ]  # fmt: skip
    with kit.engine.begin() as conn:
        conn.execute(insert(Heartbeat), rows)
        conn.execute(insert(DeviceStatus), {k: v for k, v in rows[0].items()})
    monkeypatch.setattr(retention, "CHUNK", 10)
    assert retention.purge(kit.engine, now)["heartbeats"] == 25
    assert count(kit, Heartbeat) == 5 and count(kit, DeviceStatus) == 1
    week = retention.Retention(heartbeat_days=7)
    assert retention.purge(kit.engine, now, week)["heartbeats"] == 5


def test_with_a_time_budget_the_heartbeat_purge_pauses_between_chunks(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``serve`` does at start: months of history must not keep the service from starting."""
    now = kit.clock()
    old = [
        {"device_id": kit.device_id, "received_at": now - timedelta(days=30, minutes=n),
         "software_version": "1", "outbox_depth": 0, "device_states": {}}
        for n in range(30)
    ]  # fmt: skip
    with kit.engine.begin() as conn:
        conn.execute(insert(Heartbeat), old)
    monkeypatch.setattr(retention, "CHUNK", 10)
    assert retention.purge(kit.engine, now, budget_s=0)["heartbeats"] == 10  # one chunk, then out
    assert count(kit, Heartbeat) == 20
    assert retention.purge(kit.engine, now)["heartbeats"] == 20  # no budget: all of the rest


def test_the_purge_command_says_what_it_deleted(kit: Kit, capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    handoff(kit, kit.clock() - 3 * DAY)
    url = kit.engine.url.render_as_string(hide_password=False)
    assert main(["purge", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "handoffs: 1 deleted" in out and "heartbeats: 0 deleted" in out
    assert main(["purge", "--db", url, "--heartbeat-days", "0"]) == 1
    assert "heartbeat_days must be at least 1" in capsys.readouterr().err


def test_the_purge_command_refuses_an_unmigrated_database(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["purge", "--db", f"sqlite:///{tmp_path / 'empty.db'}"]) == 1
    assert "run `kiosk-central migrate` first" in capsys.readouterr().err

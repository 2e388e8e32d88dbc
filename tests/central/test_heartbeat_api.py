"""Heartbeats over HTTP on both databases: a 200 means stored, failures never answer 200,
revocation, and many concurrent beats batched by the group-commit writer."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import event, select

from central.auth.devices import revoke_device
from central.db.base import make_engine, make_sessionmaker, session_scope
from central.db.models import DeviceStatus, Heartbeat
from central.groupcommit import GroupCommit
from central.heartbeat_store import Beat, Result, write_batch

URL = "/api/v1/devices/heartbeat"


def beat(depth: int = 0, version: str = "1.0.0") -> dict[str, object]:
    return {
        "software_version": version,
        "outbox_depth": depth,
        "device_states": {"printer": {"state": "IDLE", "condition": "online"}},
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rows(engine, device_ids: Sequence[str]) -> tuple[list[Heartbeat], list[DeviceStatus]]:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        history = s.scalars(select(Heartbeat).where(Heartbeat.device_id.in_(device_ids))).all()
        status = s.scalars(select(DeviceStatus).where(DeviceStatus.device_id.in_(device_ids))).all()
        return list(history), list(status)


class TickingClock:
    """Every reading is 1 ms after the previous one, so "latest" is well defined."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            self.now += timedelta(milliseconds=1)
            return self.now


async def post_all(app, requests: list[tuple[str, dict[str, object]]]) -> list[httpx.Response]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as client:
        return await asyncio.gather(
            *(client.post(URL, json=body, headers=bearer(tok)) for tok, body in requests)
        )


def test_a_200_means_history_row_and_latest_status_are_stored(client, engine, device) -> None:  # type: ignore[no-untyped-def]
    r = client.post(URL, json=beat(7, "2.0.1"), headers=bearer(device[1]))
    assert r.status_code == 200, r.text
    assert r.json()["device_id"] == device[0]
    history, status = rows(engine, [device[0]])
    assert [(h.outbox_depth, h.software_version) for h in history] == [(7, "2.0.1")]
    assert [(s.outbox_depth, s.software_version) for s in status] == [(7, "2.0.1")]
    assert status[0].received_at == history[0].received_at


def test_bad_tokens_are_refused_and_store_nothing(client, engine, device) -> None:  # type: ignore[no-untyped-def]
    device_id, token = device
    for bad in ("", "Bearer", f"Bearer {device_id}.wrong", "Bearer dev_nope.secret", "Basic x"):
        r = client.post(URL, json=beat(), headers={"Authorization": bad} if bad else {})
        assert r.status_code == 401, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert rows(engine, [device_id]) == ([], [])


def test_revoked_device_is_refused_on_the_very_next_beat(client, engine, device) -> None:  # type: ignore[no-untyped-def]
    """Heartbeats are verified in the transaction that stores them: no cache, no delay."""
    device_id, token = device
    assert client.post(URL, json=beat(1), headers=bearer(token)).status_code == 200
    with session_scope(make_sessionmaker(engine)) as s:
        assert revoke_device(s, device_id)
    r = client.post(URL, json=beat(2), headers=bearer(token))
    assert r.status_code == 401, r.text
    history, status = rows(engine, [device_id])
    assert [h.outbox_depth for h in history] == [1] and status[0].outbox_depth == 1


def test_a_failed_commit_answers_503_and_stores_nothing(app, db_url, device) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)  # its own engine, so the failing hook touches no other test

    @event.listens_for(engine, "commit")
    def _fail(conn) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    app.state.heartbeat_writer = GroupCommit(lambda beats: write_batch(engine, beats))
    try:
        responses = asyncio.run(post_all(app, [(device[1], beat(i)) for i in range(5)]))
    finally:
        engine.dispose()
    assert [r.status_code for r in responses] == [503] * 5
    assert all(r.headers.get("retry-after") for r in responses)
    assert rows(app.state.engine, [device[0]]) == ([], [])


def test_one_failing_beat_in_a_batch_fails_alone(app, engine, make_device, office) -> None:  # type: ignore[no-untyped-def]
    """An item error inside a batch: the batch is retried one by one, so only the poisoned beat's
    caller gets an error (503) and every 200 is in the database."""
    from sqlalchemy.exc import IntegrityError

    devices = [make_device(office, f"k{i}") for i in range(6)]
    held = threading.Event()
    release = threading.Event()

    def write(beats: Sequence[Beat]) -> list[Result]:
        held.set()
        release.wait(5)  # the first batch waits, so the rest queue into one batch
        if any(b.software_version == "poison" for b in beats):
            raise IntegrityError("INSERT INTO heartbeats", {}, Exception("check failed"))
        return write_batch(engine, beats)

    app.state.heartbeat_writer = GroupCommit(write)

    async def go() -> list[httpx.Response]:
        first = asyncio.ensure_future(post_all(app, [(devices[0][1], beat(0))]))
        await asyncio.to_thread(held.wait, 5)
        bodies = [beat(i, "poison" if i == 3 else "1.0.0") for i in range(1, 6)]
        rest = asyncio.ensure_future(
            post_all(app, list(zip([t for _, t in devices[1:]], bodies, strict=True)))
        )
        await asyncio.sleep(0.2)
        release.set()
        return (await first) + (await rest)

    responses = asyncio.run(go())
    codes = [r.status_code for r in responses]
    assert codes == [200, 200, 200, 503, 200, 200], [r.text for r in responses]
    history, status = rows(engine, [d for d, _ in devices])
    stored = {h.device_id for h in history}
    assert stored == {d for i, (d, _) in enumerate(devices) if i != 3}
    assert {s.device_id for s in status} == stored


def test_200_concurrent_beats_from_50_devices(app, engine, make_device, office) -> None:  # type: ignore[no-untyped-def]
    devices = [make_device(office, f"k{i}") for i in range(50)]
    app.state.clock = TickingClock()
    requests = [(devices[i % 50][1], beat(i)) for i in range(200)]
    writer = app.state.heartbeat_writer
    before = writer.batches
    responses = asyncio.run(post_all(app, requests))
    assert [r.status_code for r in responses] == [200] * 200, {r.text for r in responses}
    history, status = rows(engine, [d for d, _ in devices])
    assert len(history) == 200 and len(status) == 50
    assert sorted(h.outbox_depth for h in history) == list(range(200))
    for s in status:
        mine = [h for h in history if h.device_id == s.device_id]
        newest = max(mine, key=lambda h: h.received_at)
        assert len(mine) == 4
        assert (s.received_at, s.outbox_depth) == (newest.received_at, newest.outbox_depth)
    answered = {r.json()["device_id"] for r in responses}
    assert answered == {d for d, _ in devices}
    assert writer.batches - before < 200, "no batching happened"

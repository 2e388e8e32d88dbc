"""Delivery races on a real `kiosk-central serve` (several worker processes on PostgreSQL, one on
SQLite): twenty heartbeats and ten long polls of one kiosk fired at once, while ten commands wait —
every command reaches the kiosk exactly once, in one answer or another, and is audited once."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kiosk"))
from live_central import LiveCentral  # noqa: E402


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_racing_heartbeats_and_polls_deliver_each_command_once(backend, request, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db_url = None if backend == "sqlite" else request.getfixturevalue("pg_database")
    central = LiveCentral(tmp_path, office="RACE", db_url=db_url).start()
    try:
        from central.db.base import make_engine, make_sessionmaker
        from central.db.types import utcnow
        from central.fleet import commands

        engine = make_engine(central.db_url)
        with make_sessionmaker(engine)() as s:
            queued = {commands.queue(s, central.device_id, "test_slip", {}, "staff:t", utcnow()).id
                      for _ in range(10)}  # fmt: skip
            s.commit()
        engine.dispose()
        auth = {"Authorization": f"Bearer {central.token}"}
        barrier = threading.Barrier(30)
        got: list[str] = []
        errors: list[BaseException] = []

        def beat() -> None:
            try:
                with httpx.Client(base_url=central.url, timeout=30) as client:
                    barrier.wait()
                    r = client.post("/api/v1/devices/heartbeat", headers=auth,
                                    json={"software_version": "1", "outbox_depth": 0})  # fmt: skip
                    r.raise_for_status()
                    got.extend(c["id"] for c in r.json()["commands"])
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        def poll() -> None:
            try:
                with httpx.Client(base_url=central.url, timeout=30) as client:
                    barrier.wait()
                    r = client.get("/api/v1/devices/commands?wait=2", headers=auth)
                    r.raise_for_status()
                    got.extend(c["id"] for c in r.json()["commands"])
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=beat) for _ in range(20)]
        threads += [threading.Thread(target=poll) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert Counter(got) == Counter(queued)  # each exactly once
        audited = central.sql("SELECT command_id, count(*) FROM fleet_audit WHERE action = "
                              "'delivered' GROUP BY command_id")  # fmt: skip
        mine = [(c, n) for c, n in audited if c in queued]  # the database is shared by the session
        assert sorted(mine) == sorted((c, 1) for c in queued)
    finally:
        central.stop()

"""Two server processes race to claim the same handoff, 200 times: exactly one winner each time.

Each process claims through the handoff writer's own transaction (``central.handoff.batch``), as the
server does for the QR link; half the rounds go in batches that also hold a claim of the round's
code made a moment earlier in the same process, so a batch's in-memory decision races too.

Runs against a SQLite file and against the real PostgreSQL at 127.0.0.1:5432 (a fresh database per
run, dropped afterwards); PostgreSQL unreachable → SKIP with the reason.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from central.auth.devices import register_device
from central.auth.principal import Principal
from central.db.base import make_engine, make_sessionmaker
from central.handoff import batch, service
from central.handoff.errors import HandoffAlreadyClaimed
from central.handoff.models import Handoff, WebSession
from central.migrate import upgrade
from central.web.testkit import fresh_postgres, make_case

ROUNDS = 200
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PG_ADMIN = os.environ.get(
    "KIOSK_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _claimer(url: str, secrets_: list[str], barrier, results) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    wins: list[int] = []
    for n, secret in enumerate(secrets_):
        orders = [batch.ClaimOrder(secret, NOW, service.Policy())] * (1 + n % 2)
        barrier.wait(timeout=30)
        outcomes = batch.write_batch(engine, orders)
        assert all(isinstance(o, service.Claim | HandoffAlreadyClaimed) for o in outcomes)
        assert sum(isinstance(o, service.Claim) for o in outcomes) <= 1
        wins.append(sum(isinstance(o, service.Claim) for o in outcomes))
    engine.dispose()
    results.put(wins)


def _prepare(url: str) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        device, _ = register_device(s, "RACE", "kiosk")
        kiosk = Principal(kind="device", id=device.id, office="RACE")
        orders = [
            batch.CreateOrder(
                make_case(s, office="RACE", device_id=device.id, now=NOW).id,
                kiosk,
                NOW,
                service.Policy(),
            )
            for _ in range(ROUNDS)
        ]
        out = [issued.secret for issued in batch.write(s.connection(), orders)]  # type: ignore[union-attr]
        s.commit()
    engine.dispose()
    return out


def _race(url: str) -> None:
    secrets_ = _prepare(url)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_claimer, args=(url, secrets_, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    per_process = [results.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    winners = [a + b for a, b in zip(*per_process, strict=True)]
    assert winners == [1] * ROUNDS, (
        f"rounds without exactly one winner: {[i for i, w in enumerate(winners) if w != 1]}"
    )
    # Both processes really competed (each won some rounds) and the database agrees: one session each.
    assert all(sum(w) > 0 for w in per_process) or ROUNDS < 20
    engine = make_engine(url)
    with make_sessionmaker(engine)() as s:
        from sqlalchemy import func, select

        assert (
            s.scalar(
                select(func.count()).select_from(Handoff).where(Handoff.claimed_at.is_not(None))
            )
            == ROUNDS
        )
        assert s.scalar(select(func.count()).select_from(WebSession)) == ROUNDS
    engine.dispose()


def test_two_processes_race_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _race(f"sqlite:///{tmp_path / 'race.db'}")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_postgres() as url:
        if url is None:
            pytest.skip(
                "PostgreSQL at 127.0.0.1:5432 is unreachable or refused CREATE DATABASE: the PostgreSQL claim race did NOT run"
            )
        yield url


@pytest.mark.postgres
def test_two_processes_race_postgres(pg_url: str) -> None:
    _race(pg_url)

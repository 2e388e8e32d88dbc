"""Idempotency and event dedup under concurrency: several "server processes" (apps with their own
engines and connection pools) on one database race with the same key / event."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from central.app import create_app
from central.catalogue_service import CatalogueService
from central.db.base import make_engine, make_sessionmaker
from central.db.models import Case, CaseEvent

WORKERS = 6


def _apps(settings, n: int):  # type: ignore[no-untyped-def]
    from central_support import VALIDATOR, make_test_catalogue

    apps = []
    for _ in range(n):
        app = create_app(
            settings,
            engine=make_engine(settings.db_url),
            catalogue=CatalogueService(make_test_catalogue(), validator=VALIDATOR),
        )
        apps.append(app)
    return apps


def _race(apps, send):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(apps))

    def one(app):  # type: ignore[no-untyped-def]
        client = TestClient(app, raise_server_exceptions=False)
        barrier.wait()
        return send(client)

    with ThreadPoolExecutor(len(apps)) as pool:
        results = list(pool.map(one, apps))
    for app in apps:
        app.state.engine.dispose()
    return results


def test_same_key_from_many_processes_creates_one_case(settings, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id, key = str(uuid.uuid4()), str(uuid.uuid4())
    body = {"id": case_id, "service_id": "change-of-address", "answers": {"household": 1}}

    def send(client):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/cases", json=body, headers=auth | {"Idempotency-Key": key})

    responses = _race(_apps(settings, WORKERS), send)
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    fresh = [
        r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers
    ]
    assert len(fresh) == 1
    for r in responses:
        if r.status_code == 201:
            assert r.content == fresh[0].content
    with make_sessionmaker(engine)() as s:
        assert (
            s.scalar(select(func.count()).select_from(Case).where(Case.id == uuid.UUID(case_id)))
            == 1
        )


def test_same_event_from_many_processes_is_stored_once(settings, auth, engine, client) -> None:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    r = client.post(
        "/api/v1/cases",
        json={"id": case_id, "service_id": "change-of-address"},
        headers=auth | {"Idempotency-Key": case_id},
    )
    assert r.status_code == 201
    same = {
        "event_id": str(uuid.uuid4()),
        "type": "help_requested",
        "occurred_at": "2026-03-02T09:00:00Z",
        "payload": {},
    }

    def send(client):  # type: ignore[no-untyped-def]
        return client.post(f"/api/v1/cases/{case_id}/events", json=same, headers=auth)

    responses = _race(_apps(settings, WORKERS), send)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, [r.text for r in responses]
    assert len({r.json()["seq"] for r in responses}) == 1
    with make_sessionmaker(engine)() as s:
        seqs = s.scalars(select(CaseEvent.seq).where(CaseEvent.case_id == uuid.UUID(case_id))).all()
    assert sorted(seqs) == [1, 2]


def test_distinct_events_racing_get_distinct_seqs(settings, auth, engine, client) -> None:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    client.post(
        "/api/v1/cases",
        json={"id": case_id, "service_id": "change-of-address"},
        headers=auth | {"Idempotency-Key": case_id},
    )

    def send(client):  # type: ignore[no-untyped-def]
        ev = {
            "event_id": str(uuid.uuid4()),
            "type": "feedback_given",  # any number of these may be appended, in any order
            "occurred_at": "2026-03-02T09:00:00Z",
            "payload": {"score": 3},
        }
        return client.post(f"/api/v1/cases/{case_id}/events", json=ev, headers=auth)

    responses = _race(_apps(settings, WORKERS), send)
    assert [r.status_code for r in responses].count(201) == WORKERS, [r.text for r in responses]
    with make_sessionmaker(engine)() as s:
        seqs = s.scalars(select(CaseEvent.seq).where(CaseEvent.case_id == uuid.UUID(case_id))).all()
        version = s.get(Case, uuid.UUID(case_id)).version
    assert sorted(seqs) == list(range(1, WORKERS + 2)) and version == WORKERS + 1

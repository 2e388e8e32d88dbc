"""The session writer (central.session_writer) on both databases: many units of work, one commit;
a refusal rolls back only its own work; a failed commit answers every caller with WriteFailed and
stores nothing; and handoff create + claim over HTTP share transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from central.db.models import Device
from central.handoff.models import WebSession
from central.handoff.ratelimit import SlidingWindowLimiter
from central.problems import ProblemError
from central.session_writer import SessionWriter, WriteFailed
from central.web.testkit import Kit, build, fresh_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        kit = build(f"sqlite:///{tmp_path / 'w.db'}")
    else:
        with fresh_postgres() as url:
            if url is None:
                pytest.skip(
                    "PostgreSQL at 127.0.0.1:5432 unreachable: session writer on PG did NOT run"
                )
            kit = build(url)
            kit.app.state.attempt_limiter = SlidingWindowLimiter(10_000, 60)
            yield kit
            kit.engine.dispose()
            return
    kit.app.state.attempt_limiter = SlidingWindowLimiter(10_000, 60)
    yield kit
    kit.engine.dispose()


def add_device(device_id: str, fail: bool = False):  # type: ignore[no-untyped-def]
    def work(session: Session) -> str:
        session.add(Device(id=device_id, office="T", name=device_id, token_hash="x" * 64,
                           created_at=datetime.now(UTC)))  # fmt: skip
        session.flush()
        if fail:
            raise ProblemError(409, "refused after writing")
        return device_id

    return work


def devices(kit: Kit, prefix: str) -> set[str]:
    with kit.sessions() as s:
        return set(s.scalars(select(Device.id).where(Device.id.like(f"{prefix}%"))))


async def _gather(writer: SessionWriter, works: list) -> list:  # type: ignore[type-arg]
    return await asyncio.gather(*(writer.run(w) for w in works), return_exceptions=True)


def test_queued_work_commits_once_and_a_refusal_rolls_back_only_itself(kit: Kit) -> None:
    writer = SessionWriter(kit.sessions)
    commits: list[int] = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(kit.engine, "commit", listener)
    try:
        works = [add_device(f"sw-{i}", fail=(i == 3)) for i in range(12)]
        works.append(add_device("sw-0"))  # a duplicate primary key: its own IntegrityError
        results = asyncio.run(_gather(writer, works))
    finally:
        event.remove(kit.engine, "commit", listener)
    assert isinstance(results[3], ProblemError)
    assert isinstance(results[12], IntegrityError)
    assert [r for i, r in enumerate(results) if i not in (3, 12)] == [
        f"sw-{i}" for i in range(12) if i != 3
    ]
    assert devices(kit, "sw-") == {f"sw-{i}" for i in range(12) if i != 3}
    assert writer.writer.batches < len(works) and len(commits) == writer.writer.batches


def test_a_failed_commit_fails_every_caller_and_stores_nothing(kit: Kit) -> None:
    writer = SessionWriter(kit.sessions)

    def refuse(session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    event.listen(kit.sessions, "before_commit", refuse)
    try:
        results = asyncio.run(_gather(writer, [add_device(f"lost-{i}") for i in range(5)]))
    finally:
        event.remove(kit.sessions, "before_commit", refuse)
    assert all(isinstance(r, WriteFailed) for r in results), results
    assert devices(kit, "lost-") == set()


def test_handoff_create_and_claim_over_http_share_transactions(kit: Kit) -> None:
    cases = [kit.new_case({"full_name": "Ann Example"}) for _ in range(20)]

    async def pairs() -> list[int]:
        transport = httpx.ASGITransport(app=kit.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            made = await asyncio.gather(
                *(client.post(f"/api/v1/cases/{c.id}/handoffs", headers=kit.auth) for c in cases)
            )
            assert [r.status_code for r in made] == [201] * 20, made[0].text
            secrets = [r.json()["verification_uri_complete"].split("#")[1] for r in made]
            claims = await asyncio.gather(
                *(client.post("/h/claim", data={"secret": s}) for s in secrets)
            )
            again = await client.post("/h/claim", data={"secret": secrets[0]})
            assert again.status_code == 409 and "already been used" in again.text
            return [r.status_code for r in claims]

    assert asyncio.run(pairs()) == [303] * 20
    assert kit.app.state.session_writer.writer.batches < 40
    with kit.sessions() as s:
        ids = [c.id for c in cases]
        assert s.scalar(select(func.count()).where(WebSession.case_id.in_(ids))) == 20


def test_a_claim_when_the_database_is_away_is_a_calm_page_not_a_cookie(kit: Kit) -> None:
    case = kit.new_case({"full_name": "Ann Example"})
    tc = TestClient(kit.app, follow_redirects=False)
    h = tc.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()

    def refuse(session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is away"))

    writers_sessions = kit.app.state.sessionmaker
    event.listen(writers_sessions, "before_commit", refuse)
    try:
        r = tc.post("/h/claim", data={"secret": h["verification_uri_complete"].split("#")[1]})
    finally:
        event.remove(writers_sessions, "before_commit", refuse)
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert "very busy" in r.text and "set-cookie" not in r.headers
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).where(WebSession.case_id == case.id)) == 0


def test_without_savepoints_refusals_pass_through_and_a_broken_item_is_isolated(kit: Kit) -> None:
    """With ``refusals``, a refusal (raised before writing) reaches its caller and the rest commit;
    an unexpected integrity error fails the batch, whose items are then run one by one: only the
    broken one fails (WriteFailed), the others are stored."""
    writer = SessionWriter(kit.sessions, refusals=(ProblemError,))

    def refuse(session: Session) -> None:
        raise ProblemError(404, "no such thing")

    works = [add_device(f"ns-{i}") for i in range(8)]
    works.insert(2, refuse)
    works.append(add_device("ns-1"))  # duplicate key, detected only at INSERT
    results = asyncio.run(_gather(writer, works))
    assert isinstance(results[2], ProblemError) and results[2].status == 404
    assert isinstance(results[-1], WriteFailed)
    assert devices(kit, "ns-") == {f"ns-{i}" for i in range(8)}


def test_a_taken_short_id_is_drawn_again_not_a_failure(kit: Kit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from central.handoff import codes

    client = TestClient(kit.app, follow_redirects=False)
    first = client.post(f"/api/v1/cases/{kit.new_case().id}/handoffs", headers=kit.auth).json()
    real = codes.new_short_id
    draws = iter([first["short_id"]])
    monkeypatch.setattr(codes, "new_short_id", lambda: next(draws, None) or real())
    r = client.post(f"/api/v1/cases/{kit.new_case().id}/handoffs", headers=kit.auth)
    assert r.status_code == 201, r.text
    assert r.json()["short_id"] != first["short_id"]

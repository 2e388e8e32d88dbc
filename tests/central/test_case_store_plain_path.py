"""The plain write path (``KIOSK_CENTRAL_WRITE_PATH=plain``: one transaction per request, no
group commit) for case creates and handoffs, on both databases — the path bench/bench_peak.py
measures against the batch writers. It must answer exactly what the batched path answers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from central.case_create import create_writer
from central.db.models import Case, CaseEvent
from central.groupcommit import WRITE_PATH_ENV, GroupCommit, OneByOne
from central.handoff.models import WebSession
from central.handoff.ratelimit import AttemptLimiter
from central.web.testkit import Kit, build, fresh_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path, monkeypatch) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(WRITE_PATH_ENV, "plain")
    if request.param == "sqlite":
        made = build(f"sqlite:///{tmp_path / 'p.db'}")
        made.app.state.attempt_limiter = AttemptLimiter(10_000, 60)
        yield made
        made.engine.dispose()
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 unreachable: plain path on PG did NOT run")
        made = build(url)
        made.app.state.attempt_limiter = AttemptLimiter(10_000, 60)
        yield made
        made.engine.dispose()


def test_the_switch_chooses_the_writer(kit: Kit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(create_writer(kit.engine), OneByOne)
    monkeypatch.setenv(WRITE_PATH_ENV, "batch")
    assert isinstance(create_writer(kit.engine), GroupCommit)


def test_creates_replays_and_handoff_pairs_one_transaction_each(kit: Kit) -> None:
    ids = [str(uuid.uuid4()) for _ in range(12)]
    cases = [kit.new_case({"full_name": "Ann Example"}) for _ in range(8)]

    async def traffic() -> tuple[list[int], list[int], list[int], int]:
        transport = httpx.ASGITransport(app=kit.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            def post_case(case_id: str) -> object:
                body = {"id": case_id, "service_id": "change-of-address", "answers": {}}
                headers = kit.auth | {"Idempotency-Key": case_id}
                return client.post("/api/v1/cases", json=body, headers=headers)

            made = await asyncio.gather(*(post_case(i) for i in ids + ids[:3]))  # 3 replays
            handoffs = await asyncio.gather(
                *(client.post(f"/api/v1/cases/{c.id}/handoffs", headers=kit.auth) for c in cases)
            )
            secrets = [r.json()["verification_uri_complete"].split("#")[1] for r in handoffs]
            claims = await asyncio.gather(
                *(client.post("/h/claim", data={"secret": s}) for s in secrets)
            )
            again = await client.post("/h/claim", data={"secret": secrets[0]})
            return (
                [r.status_code for r in made],
                [r.status_code for r in handoffs],
                [r.status_code for r in claims],
                again.status_code,
            )

    made, handoffs, claims, again = asyncio.run(traffic())
    assert made == [201] * 15 and handoffs == [201] * 8 and claims == [303] * 8
    assert again == 409  # the first claim of a code wins, on this path too
    assert kit.app.state.case_writer.batches == 15  # one transaction per request
    assert kit.app.state.handoff_writer.batches == 17
    with kit.sessions() as s:
        uids = [uuid.UUID(i) for i in ids]
        assert s.scalar(select(func.count()).where(Case.id.in_(uids))) == 12
        created = s.scalars(select(CaseEvent.type).where(CaseEvent.case_id.in_(uids))).all()
        assert created == ["created"] * 12
        claimed = [c.id for c in cases]
        assert s.scalar(select(func.count()).where(WebSession.case_id.in_(claimed))) == 8

"""The handoff writer (central.handoff.batch) on both databases: handoff creates and QR claims of
many requests decided in memory and stored with a few batched statements, in one transaction.

What must hold: every request's answer is the one it would get alone, in arrival order (the first
claim wins, a second claim of the same code in the same batch is refused, two events on one case
take consecutive numbers); a refusal reaches only its caller and writes nothing; a failed commit
answers every caller 503 and stores nothing; a taken short id or a raced claim makes the batch run
again, not fail.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from central.auth.principal import Principal
from central.db.models import Case, CaseEvent
from central.handoff import batch, service
from central.handoff.errors import HandoffAlreadyClaimed, HandoffExpired, HandoffNotFound
from central.handoff.models import Handoff, WebSession
from central.handoff.ratelimit import AttemptLimiter
from central.problems import ProblemError
from central.web.testkit import Kit, build, fresh_postgres

POLICY = service.Policy()


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        kit = build(f"sqlite:///{tmp_path / 'w.db'}")
    else:
        with fresh_postgres() as url:
            if url is None:
                pytest.skip(
                    "PostgreSQL at 127.0.0.1:5432 unreachable: handoff writer on PG did NOT run"
                )
            kit = build(url)
            kit.app.state.attempt_limiter = AttemptLimiter(10_000, 60)
            yield kit
            kit.engine.dispose()
            return
    kit.app.state.attempt_limiter = AttemptLimiter(10_000, 60)
    yield kit
    kit.engine.dispose()


def kiosk(kit: Kit, office: str | None = None) -> Principal:
    return Principal(kind="device", id=kit.device_id, office=office or kit.office)


def create(kit: Kit, case_id: uuid.UUID, office: str | None = None) -> batch.CreateOrder:
    return batch.CreateOrder(case_id, kiosk(kit, office), kit.clock(), POLICY)


def claim(kit: Kit, secret: str) -> batch.ClaimOrder:
    return batch.ClaimOrder(secret, kit.clock(), POLICY)


def events_of(kit: Kit, case_id: uuid.UUID) -> list[tuple[int, str, str]]:
    with kit.sessions() as s:
        rows = s.execute(
            select(CaseEvent.seq, CaseEvent.channel, CaseEvent.payload)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.seq)
        )
        return [(seq, channel, payload.get("stage", "")) for seq, channel, payload in rows]


def test_one_batch_answers_as_if_each_request_ran_alone_in_arrival_order(kit: Kit) -> None:
    case, other = kit.new_case(), kit.new_case()
    first = batch.write_batch(kit.engine, [create(kit, case.id), create(kit, other.id)])
    secret = first[0].secret  # type: ignore[union-attr]
    outcomes = batch.write_batch(
        kit.engine,
        [
            claim(kit, secret),
            create(kit, case.id),  # the same case again, after the claim
            claim(kit, secret),  # the same code again: already used
            claim(kit, "not-a-secret"),
            create(kit, uuid.uuid4()),  # no such case
            create(kit, other.id, office="SWANSEA"),  # another office's case: the same 404
        ],
    )
    won, again, used, unknown, missing, foreign = outcomes
    assert isinstance(won, service.Claim) and won.web_session.case_id == case.id
    assert won.web_session.display_code == first[0].display_code  # type: ignore[union-attr]
    assert isinstance(again, service.IssuedHandoff)
    assert isinstance(used, HandoffAlreadyClaimed)
    assert isinstance(unknown, HandoffNotFound)
    assert isinstance(missing, ProblemError) and missing.status == 404
    assert isinstance(foreign, ProblemError) and foreign.status == 404
    assert events_of(kit, case.id) == [
        (1, "kiosk", ""),
        (2, "kiosk", "offered"),
        (3, "web", "claimed"),
        (4, "kiosk", "offered"),
    ]
    assert events_of(kit, other.id) == [(1, "kiosk", ""), (2, "kiosk", "offered")]
    with kit.sessions() as s:
        assert s.get(Case, case.id).version == 4  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
        h = s.get(Handoff, first[0].handoff.id)  # type: ignore[union-attr]
        assert h is not None and h.claimed_by == "secret" and h.claimed_at is not None


def test_refusals_write_nothing_and_leave_the_rest_of_the_batch_stored(kit: Kit) -> None:
    open_case, closed = kit.new_case(), kit.new_case()
    made = batch.write_batch(kit.engine, [create(kit, open_case.id), create(kit, open_case.id)])
    late = made[1].secret  # type: ignore[union-attr]
    with kit.sessions() as s:
        s.execute(update(Case).where(Case.id == closed.id).values(status="closed"))
        h_id = made[1].handoff.id  # type: ignore[union-attr]
        s.execute(update(Handoff).where(Handoff.id == h_id).values(expires_at=kit.clock()))
        s.commit()
    outcomes = batch.write_batch(
        kit.engine,
        [create(kit, closed.id), claim(kit, late), claim(kit, made[0].secret)],  # type: ignore[union-attr]
    )
    assert isinstance(outcomes[0], ProblemError) and outcomes[0].status == 409
    assert isinstance(outcomes[1], HandoffExpired)
    assert isinstance(outcomes[2], service.Claim)
    assert events_of(kit, closed.id) == [(1, "kiosk", "")]
    assert [stage for *_, stage in events_of(kit, open_case.id)] == [
        "", "offered", "offered", "claimed"
    ]  # fmt: skip
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).where(Handoff.case_id == closed.id)) == 0


def test_a_claim_changed_under_the_batch_makes_it_run_again(kit: Kit) -> None:
    """The claim UPDATE counts its rows; one that did not change (here: altered inside the same
    transaction just before) fails the run, and the rerun — fresh reads — stores the claim."""
    made = batch.write_batch(kit.engine, [create(kit, kit.new_case().id)])[0]
    runs: list[str] = []

    def meddle(conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE handoffs SET claimed_at") and not runs:
            runs.append("meddled")
            conn.execute(
                update(Handoff)
                .where(Handoff.id == made.handoff.id)  # type: ignore[union-attr]
                .values(expires_at=kit.clock() - timedelta(seconds=1))
            )

    event.listen(kit.engine, "before_cursor_execute", meddle)
    try:
        outcome = batch.write_batch(kit.engine, [claim(kit, made.secret)])[0]  # type: ignore[union-attr]
    finally:
        event.remove(kit.engine, "before_cursor_execute", meddle)
    assert runs == ["meddled"]
    assert isinstance(outcome, service.Claim)
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
        h = s.get(Handoff, made.handoff.id)  # type: ignore[union-attr]
        assert h is not None and h.claimed_at is not None and h.expires_at > kit.clock()


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
    assert kit.app.state.handoff_writer.batches < 40
    with kit.sessions() as s:
        ids = [c.id for c in cases]
        assert s.scalar(select(func.count()).where(WebSession.case_id.in_(ids))) == 20


def test_a_claim_when_the_database_is_away_is_a_calm_page_not_a_cookie(kit: Kit) -> None:
    case = kit.new_case({"full_name": "Ann Example"})
    tc = TestClient(kit.app, follow_redirects=False)
    h = tc.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()

    def refuse(conn) -> None:  # type: ignore[no-untyped-def]
        raise OperationalError("COMMIT", {}, Exception("database is away"))

    event.listen(kit.engine, "commit", refuse)
    try:
        r = tc.post("/h/claim", data={"secret": h["verification_uri_complete"].split("#")[1]})
    finally:
        event.remove(kit.engine, "commit", refuse)
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert "very busy" in r.text and "set-cookie" not in r.headers
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).where(WebSession.case_id == case.id)) == 0
        assert s.scalar(select(Handoff.claimed_at).where(Handoff.case_id == case.id)) is None


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

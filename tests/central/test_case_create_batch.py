"""Group-committed case creates (central.case_create) on both databases: one transaction per batch,
Idempotency-Key answers within and across batches, conflicts, reference redraws, and the retry
when another process's rows appear between the batch's reads and its INSERTs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from central_support import VALIDATOR, make_test_catalogue
from sqlalchemy import event, func, select

import central.case_create as case_create
from central.auth.principal import Principal
from central.case_create import CreateItem, draft_case, write_batch
from central.cases_service import NewEvent
from central.catalogue_service import CatalogueService
from central.db.models import Case, CaseEvent, IdempotencyKey
from central.idempotency import StoredResponse, request_hash
from central.problems import ProblemError, from_error
from central.references import make_reference

GOOD = {"postcode": "SW1A 1AA", "household": 2}
KEEP = timedelta(days=30)


@pytest.fixture
def catalogue() -> CatalogueService:
    return CatalogueService(make_test_catalogue(), validator=VALIDATOR)


@pytest.fixture
def kiosk(office: str) -> Principal:
    return Principal(kind="device", id=f"dev-{uuid.uuid4().hex[:8]}", office=office)


def item(kiosk, catalogue, clock, *, key=None, case_id=None, answers=None, reference=None):  # type: ignore[no-untyped-def]
    case_id = case_id or uuid.uuid4()
    answers = GOOD if answers is None else answers
    now = clock()
    payload = {"id": str(case_id), "answers": answers, "reference": reference}
    created = NewEvent(uuid.uuid5(case_id, "created"), "created", "kiosk", "citizen", None, now, {})
    try:
        work: object = draft_case(
            kiosk,
            case_id=case_id,
            service_id="change-of-address",
            answers=answers,
            created=created,
            catalogue=catalogue,
            now=now,
            reference=reference,
        )
    except ProblemError as exc:
        work = StoredResponse.of(from_error(exc, instance="/api/v1/cases"))
    return CreateItem(
        kiosk.scope,
        key or str(uuid.uuid4()),
        request_hash("POST", "/cases", payload),
        now,
        KEEP,
        work,
    )  # type: ignore[arg-type]


def rows(engine, model, **where):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return conn.scalar(q)


def test_a_batch_of_creates_is_one_transaction(engine, kiosk, catalogue, clock) -> None:  # type: ignore[no-untyped-def]
    items = [item(kiosk, catalogue, clock) for _ in range(30)]
    commits: list[int] = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        answers = write_batch(engine, items)
    finally:
        event.remove(engine, "commit", listener)
    assert [a.status for a in answers] == [201] * 30
    assert len(commits) == 1
    for it, answer in zip(items, answers, strict=True):
        case_id = it.work.case["id"]  # type: ignore[union-attr]
        assert rows(engine, Case, id=case_id) == 1
        assert rows(engine, CaseEvent, case_id=case_id, type="created") == 1
        assert answer.headers["location"] == f"/api/v1/cases/{case_id}"
        assert answer.headers["etag"] == '"1"' and not answer.replayed
    assert rows(engine, IdempotencyKey, scope=kiosk.scope, state="done") == 30


def test_a_key_repeated_in_one_batch_replays_the_first_answer(
    engine, kiosk, catalogue, clock
) -> None:  # type: ignore[no-untyped-def]
    first = item(kiosk, catalogue, clock)
    same = CreateItem(**{f: getattr(first, f) for f in CreateItem.__slots__})  # type: ignore[attr-defined]
    other = item(kiosk, catalogue, clock, key=first.key)
    answers = write_batch(engine, [first, same, other])
    assert answers[0].status == 201 and not answers[0].replayed
    assert answers[1].status == 201 and answers[1].replayed and answers[1].body == answers[0].body
    assert answers[2].status == 422 and b"idempotency-key-reused" in answers[2].body
    assert rows(engine, Case, id=other.work.case["id"]) == 0  # type: ignore[union-attr]
    again = write_batch(engine, [same])[0]  # and in a later batch, from the stored row
    assert again.replayed and again.body == answers[0].body


def test_one_case_id_under_two_keys_in_one_batch_is_a_stored_409(
    engine, kiosk, catalogue, clock
) -> None:  # type: ignore[no-untyped-def]
    case_id = uuid.uuid4()
    a = item(kiosk, catalogue, clock, case_id=case_id)
    b = item(kiosk, catalogue, clock, case_id=case_id)
    answers = write_batch(engine, [a, b])
    assert answers[0].status == 201
    assert answers[1].status == 409 and b"case-exists" in answers[1].body
    replay = write_batch(engine, [b])[0]
    assert replay.status == 409 and replay.replayed
    assert rows(engine, Case, id=case_id) == 1


def test_a_refusal_is_stored_under_its_key(engine, kiosk, catalogue, clock) -> None:  # type: ignore[no-untyped-def]
    bad = item(kiosk, catalogue, clock, answers={"household": "lots"})
    assert isinstance(bad.work, StoredResponse) and bad.work.status == 422
    first = write_batch(engine, [bad])[0]
    assert first.status == 422 and not first.replayed
    again = write_batch(engine, [bad])[0]
    assert again.status == 422 and again.replayed and again.body == first.body
    assert rows(engine, IdempotencyKey, scope=kiosk.scope, key=bad.key, response_status=422) == 1


def test_a_drawn_reference_that_is_taken_is_drawn_again(  # type: ignore[no-untyped-def]
    engine, kiosk, catalogue, clock, monkeypatch
) -> None:
    existing = item(kiosk, catalogue, clock)
    assert write_batch(engine, [existing])[0].status == 201
    taken = existing.work.case["reference"]  # type: ignore[union-attr]
    clash = item(kiosk, catalogue, clock)
    clash.work.case["reference"] = taken  # type: ignore[union-attr]
    draws = iter([taken, make_reference(kiosk.office)])  # the first redraw collides again
    monkeypatch.setattr(case_create, "make_reference", lambda office: next(draws))
    answer = write_batch(engine, [clash])[0]
    assert answer.status == 201
    case_id = clash.work.case["id"]  # type: ignore[union-attr]
    with engine.connect() as conn:
        ref = conn.scalar(select(Case.reference).where(Case.id == case_id))
        payload = conn.scalar(select(CaseEvent.payload).where(CaseEvent.case_id == case_id))
    assert ref != taken and payload["reference"] == ref and ref.encode() in answer.body


def test_a_proposed_reference_that_is_taken_is_409(engine, kiosk, catalogue, clock) -> None:  # type: ignore[no-untyped-def]
    ref = make_reference(kiosk.office)
    a = item(kiosk, catalogue, clock, reference=ref)
    b = item(kiosk, catalogue, clock, reference=ref)
    answers = write_batch(engine, [a, b])
    assert answers[0].status == 201
    assert answers[1].status == 409 and b"reference-taken" in answers[1].body


def test_rows_another_process_adds_mid_batch_are_answered_on_the_retry(  # type: ignore[no-untyped-def]
    engine, kiosk, catalogue, clock, monkeypatch
) -> None:
    """The first run's reads miss a key another process has just stored: its INSERT fails on the
    unique constraint, and the second run replays the other process's answer."""
    theirs = item(kiosk, catalogue, clock)
    assert write_batch(engine, [theirs])[0].status == 201  # "the other process"
    mine = item(kiosk, catalogue, clock)
    real_lookup = case_create.lookup
    calls: list[int] = []

    def blind_first(conn, pairs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return {} if len(calls) == 1 else real_lookup(conn, pairs)

    monkeypatch.setattr(case_create, "lookup", blind_first)
    answers = write_batch(engine, [mine, theirs])
    assert len(calls) == 2
    assert answers[0].status == 201 and not answers[0].replayed
    assert answers[1].status == 201 and answers[1].replayed
    assert rows(engine, Case, id=mine.work.case["id"]) == 1  # type: ignore[union-attr]


def test_concurrent_creates_over_http_share_transactions(app, auth, engine) -> None:  # type: ignore[no-untyped-def]
    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            bodies = [
                {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD}
                for _ in range(40)
            ]
            return await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/cases", json=b, headers=auth | {"Idempotency-Key": b["id"]}
                    )
                    for b in bodies
                )
            )

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [201] * 40, responses[0].text
    writer = app.state.case_writer
    assert writer.batches < 40, "every create had its own transaction"
    ids = [uuid.UUID(r.json()["id"]) for r in responses]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Case).where(Case.id.in_(ids))) == 40


def test_a_failed_write_answers_503_and_stores_nothing(app, client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    def database_away(items):  # type: ignore[no-untyped-def]
        raise OperationalError("BEGIN", {}, Exception("database is away"))

    app.state.case_writer._write = database_away
    body = {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD}
    r = client.post("/api/v1/cases", json=body, headers=auth | {"Idempotency-Key": body["id"]})
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert r.headers["content-type"] == "application/problem+json"
    assert rows(engine, Case, id=uuid.UUID(body["id"])) == 0
    assert rows(engine, IdempotencyKey, key=body["id"]) == 0

"""Case creation, group-committed: many creates, one writer thread, one transaction per batch.

Why: a create used to be two transactions — the Idempotency-Key claim, committed on its own, then
the work — each paying the database's commit (SQLite's process-wide write lock and WAL sync,
PostgreSQL's round trips and WAL flush) behind a thread-pool hop. Now the route checks the request
on the event loop (:func:`draft_case`: catalogue validation, normalising, the fold, a drawn
reference — no I/O) and hands a :class:`CreateItem` to the writer (:mod:`central.groupcommit`).
The writer's :func:`write_batch` does, for the whole batch, in one transaction:

1. read every Idempotency-Key row of the batch (:func:`central.idempotency.lookup`) and decide
   replay / 422 / 409 / new per item; a key repeated *within* the batch replays the first's answer
   (both commit together);
2. read the case ids, references and ``event_id``\\s the new cases would collide with (two
   queries), answering 409 ``case-exists`` / ``event-id-used`` / ``reference-taken`` — or drawing
   another reference where the server drew the colliding one;
3. insert the cases, their ``created`` events (through the case store,
   :func:`central.cases.store.insert_events`, which checks the policy table) and the answered key
   rows (three executemany statements) and commit. Callers get their answer only after that commit.

A refusal is an answer too: a request the catalogue refused is stored under its key like a created
case, so its retry is answered the same. Answers of status 5xx are never stored.

A concurrent process inserting the same key, case id or reference makes the batch fail on the
unique constraint; :func:`write_batch` is then run again (its reads now see the other process's
rows and answer accordingly). Rows are inserted in key order, so two processes' batches lock keys
in the same order and cannot deadlock on them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Connection, Engine

from central.api import PREFIX
from central.auth.principal import Principal
from central.cases import policy
from central.cases.store import CASES, EVENTS, event_values, insert_events
from central.cases_service import NewEvent, check_answers
from central.catalogue_service import CatalogueService
from central.fold import CaseState, Event, apply
from central.groupcommit import GroupCommit, write_rerunning, writer
from central.idempotency import (
    KEPT_HEADERS,
    KEYS,
    NEW,
    StoredResponse,
    done_row,
    lookup,
    request_hash,
    reused,
    verdict,
)
from central.problems import ProblemError, from_error
from central.references import ReferenceError, make_reference, normalise_office, parse_reference
from central.schemas import CaseOut

REFERENCE_ATTEMPTS = 5
INSTANCE = f"{PREFIX}/cases"
_INSERT_CASES = insert(CASES)
_INSERT_KEYS = insert(KEYS)


@dataclass(slots=True)
class Draft:
    """A checked new case: its ``cases`` and ``created`` event rows, ready to insert."""

    case: dict[str, Any]
    event: dict[str, Any]
    proposed: bool
    """The client chose the reference (a collision is its 409, not a redraw)."""


@dataclass(frozen=True, slots=True)
class CreateItem:
    scope: str
    key: str
    req_hash: str
    now: datetime
    keep: timedelta
    work: Draft | StoredResponse
    """The case to create, or the refusal the route already decided (stored under the key)."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False

    def to_response(self) -> Response:
        if self.replayed:
            return StoredResponse(self.status, self.body, self.headers).to_response()
        headers = dict(self.headers)
        media_type = headers.pop("content-type", "application/json")
        return Response(self.body, self.status, headers=headers, media_type=media_type)


def _proposed_reference(reference: str, principal: Principal) -> str:
    """The canonical form of a client's reference, which must be for the caller's own office."""
    try:
        canonical = parse_reference(reference)
    except ReferenceError as exc:
        raise ProblemError(
            422,
            f"reference: {exc}",
            slug="bad-reference",
            errors=[{"field": "reference", "message": str(exc)}],
        ) from None
    if canonical.split("-", 1)[0] != normalise_office(principal.office):
        raise ProblemError(
            422,
            "reference: it must carry this device's office code.",
            slug="bad-reference",
            errors=[{"field": "reference", "message": "office code of another office"}],
        )
    return canonical


def draft_case(
    principal: Principal,
    *,
    case_id: uuid.UUID,
    service_id: str,
    answers: dict[str, Any],
    created: NewEvent,
    catalogue: CatalogueService,
    now: datetime,
    reference: str | None = None,
) -> Draft:
    """Check a new case (answers as a partial set, stored normalised) and build its rows; raises
    the :class:`ProblemError` a refusal is. ``reference``: one an offline kiosk made."""
    policy.check("created", created.channel, created.actor_type)
    proposed = _proposed_reference(reference, principal) if reference is not None else None
    check_answers(catalogue, service_id, answers, now, complete=False)
    service = catalogue.service(service_id)
    assert service is not None  # check_answers refused unknown services
    answers = catalogue.normalise(service, answers, now.date())
    state = apply(
        CaseState(),
        Event("created", {"service_id": service_id, "answers": answers}, now, created.channel),
    )
    device = principal.id if principal.kind == "device" else None
    ref = proposed or make_reference(principal.office)
    case = {
        "id": case_id,
        "reference": ref,
        "service_id": service_id,
        "status": state.status,
        "origin_channel": created.channel,
        "origin_office": principal.office,
        "origin_device": device,
        "answers": state.answers,
        "assigned_to": state.assigned_to,
        "queued_at": state.queued_at,
        "version": state.version,
        "created_at": now,
        "updated_at": now,
    }
    event = event_values(
        case_id,
        1,
        "created",
        dict(created.payload) | {"service_id": service_id, "answers": answers, "reference": ref},
        created.channel,
        created.actor_type,
        created.actor_id,
        device,
        now,
        event_id=created.event_id,
        occurred_at=created.occurred_at,
    )
    return Draft(case, event, proposed is not None)


async def start_case(
    app: FastAPI,
    principal: Principal,
    *,
    case_id: uuid.UUID,
    start_key: str,
    service_id: str,
    channel: str,
    actor_type: str,
    actor_id: str | None,
    payload: dict[str, Any],
    path: str,
    hashed: dict[str, Any],
    now: datetime,
) -> Answer:
    """The case writer's answer for a case started, with no answers yet, from a form of our own
    pages (the web's start page, the staff desk): 201 with the case (``id``, ``reference``), a
    replay of it, or the problem a refusal is (422 ``unknown-service`` when the service left the
    catalogue). The Idempotency-Key is the form's random start token, so a double click makes one
    case; ``payload`` goes on the ``created`` event; ``path`` and ``hashed`` make the key's request
    hash (and ``path`` a refusal's ``instance``)."""
    created = NewEvent(
        event_id=uuid.uuid5(case_id, "created"),
        type="created",
        channel=channel,
        actor_type=actor_type,
        actor_id=actor_id,
        occurred_at=now,
        payload=payload,
    )
    work: Draft | StoredResponse
    try:
        work = draft_case(
            principal,
            case_id=case_id,
            service_id=service_id,
            answers={},
            created=created,
            catalogue=app.state.catalogue,
            now=now,
        )
    except ProblemError as exc:
        work = StoredResponse.of(from_error(exc, instance=path))
    item = CreateItem(
        principal.scope,
        start_key,
        request_hash("POST", path, hashed),
        now,
        timedelta(days=app.state.settings.idempotency_days),
        work,
    )
    return await app.state.case_writer.submit(item)


def _redraw(draft: Draft) -> None:
    ref = make_reference(draft.case["origin_office"])
    draft.case["reference"] = ref
    draft.event["payload"] = draft.event["payload"] | {"reference": ref}


def _conflicts(conn: Connection, drafts: list[Draft]) -> list[ProblemError | None]:
    """Per draft: the 409 its rows would meet (in the database or earlier in the batch), or None.
    A server-drawn reference that collides is drawn again instead."""
    ids = [d.case["id"] for d in drafts]
    refs = [d.case["reference"] for d in drafts]
    taken = conn.execute(
        select(CASES.c.id, CASES.c.reference).where(
            or_(CASES.c.id.in_(ids), CASES.c.reference.in_(refs))
        )
    ).all()
    taken_ids = {r.id for r in taken}
    taken_refs = {r.reference for r in taken}
    used_events = set(
        conn.scalars(
            select(EVENTS.c.event_id).where(
                EVENTS.c.event_id.in_([d.event["event_id"] for d in drafts])
            )
        )
    )
    problems: list[ProblemError | None] = []
    for draft in drafts:
        problem: ProblemError | None = None
        if draft.case["id"] in taken_ids:
            problem = ProblemError(409, "A case with this id already exists.", slug="case-exists")
        elif draft.event["event_id"] in used_events:
            problem = ProblemError(409, "This event_id is already used.", slug="event-id-used")
        elif draft.case["reference"] in taken_refs:
            if draft.proposed:
                problem = ProblemError(
                    409, "Another case already has this reference.", slug="reference-taken"
                )
            else:
                problem = _fresh_reference(conn, draft, taken_refs)
        if problem is None:
            taken_ids.add(draft.case["id"])
            used_events.add(draft.event["event_id"])
            taken_refs.add(draft.case["reference"])
        problems.append(problem)
    return problems


def _fresh_reference(conn: Connection, draft: Draft, taken: set[str]) -> ProblemError | None:
    for _ in range(REFERENCE_ATTEMPTS):
        _redraw(draft)
        ref = draft.case["reference"]
        if (
            ref not in taken
            and conn.scalar(select(CASES.c.id).where(CASES.c.reference == ref)) is None
        ):
            return None
    return ProblemError(
        503, "Could not allocate a case reference; retry.", slug="reference-exhausted"
    )


def _created(draft: Draft) -> Answer:
    body = CaseOut.model_validate(draft.case).model_dump(mode="json")
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "content-type": "application/json",
        "etag": f'"{draft.case["version"]}"',
        "cache-control": "private, no-cache",
        "location": f"{INSTANCE}/{draft.case['id']}",
    }
    return Answer(201, content, headers)


def problem_answer(problem: ProblemError) -> Answer:
    response = from_error(problem, instance=INSTANCE)
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return Answer(response.status_code, bytes(response.body), headers)


def _stored(answer: Answer) -> StoredResponse:
    kept = {k: v for k, v in answer.headers.items() if k in KEPT_HEADERS}
    return StoredResponse(answer.status, answer.body, kept)


def _write(conn: Connection, items: Sequence[CreateItem]) -> list[Answer]:
    rows = lookup(conn, ((i.scope, i.key) for i in items))
    answers: list[Answer | None] = [None] * len(items)
    first: dict[tuple[str, str], int] = {}
    fresh: list[int] = []
    for n, item in enumerate(items):
        pair = (item.scope, item.key)
        if pair in first:
            continue  # answered below, from the first's answer
        try:
            seen = verdict(conn, rows.get(pair), item.req_hash, item.now)
        except ProblemError as problem:
            answers[n] = problem_answer(problem)
            continue
        if seen is not NEW:
            assert isinstance(seen, StoredResponse)
            answers[n] = Answer(seen.status, seen.body, seen.headers, replayed=True)
            continue
        first[pair] = n
        if isinstance(item.work, StoredResponse):
            answers[n] = Answer(item.work.status, item.work.body, dict(item.work.headers))
        else:
            fresh.append(n)
    drafts = [items[n].work for n in fresh]
    for n, problem in zip(fresh, _conflicts(conn, drafts) if drafts else [], strict=True):  # type: ignore[arg-type]
        answers[n] = problem_answer(problem) if problem else _created(items[n].work)  # type: ignore[arg-type]
    created = [n for n in fresh if answers[n] is not None and answers[n].status == 201]  # type: ignore[union-attr]
    keys = sorted(
        (
            done_row(i.scope, i.key, i.req_hash, i.now, i.keep, _stored(answers[n]))  # type: ignore[arg-type]
            for n, i in ((n, items[n]) for n in first.values())
            if answers[n].status < 500  # type: ignore[union-attr]
        ),
        key=lambda row: (row["scope"], row["key"]),
    )
    if created:
        conn.execute(_INSERT_CASES, [items[n].work.case for n in created])  # type: ignore[union-attr]
        insert_events(conn, [items[n].work.event for n in created])  # type: ignore[union-attr]
    if keys:
        conn.execute(_INSERT_KEYS, keys)
    for n, item in enumerate(items):
        if answers[n] is None:  # a key repeated in this batch
            lead = answers[first[(item.scope, item.key)]]
            assert lead is not None
            same = items[first[(item.scope, item.key)]].req_hash == item.req_hash
            answers[n] = (
                replace(lead, replayed=lead.status < 500) if same else problem_answer(reused())
            )
    return answers  # type: ignore[return-value]


def write_batch(engine: Engine, items: Sequence[CreateItem]) -> list[Answer]:
    """Answer ``items`` in one transaction; committed when this returns (see module docstring)."""
    return write_rerunning(engine, lambda conn: _write(conn, items), f"case batch of {len(items)}")


def create_writer(engine: Engine, **options: Any) -> GroupCommit[CreateItem, Answer]:
    """The app's case writer: batched, or one by one (:func:`central.groupcommit.writer`)."""
    return writer(lambda items: write_batch(engine, items), name="case-writer", **options)

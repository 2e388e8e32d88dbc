"""Handoff create and the QR claim, group-committed with statements batched across requests.

Why: a handoff pair (the kiosk creates, the phone claims) used to be about ten statements, each
waiting its own round trip to the database (about 1 ms on PostgreSQL here), run one request after
another by the writer thread: 0.23 of the framework's ceiling on PostgreSQL. Now the writer
(:mod:`central.groupcommit`) hands a whole batch of :class:`CreateOrder` and :class:`ClaimOrder`
to :func:`write`, which makes the same number of round trips whatever the batch's size:

1. the handoffs of the batch's claims, by secret hash, **locked** (``FOR UPDATE``, ordered by id);
2. every case the batch touches, locked, ordered by id (two batches never wait on each other in a
   cycle: every claimer locks the handoff first, then the case — see
   :func:`central.handoff.service.find_by_short_id` and ``_decide``);
3. the decisions, in memory and in arrival order, as if the requests ran one after another: each
   case's state is folded forward through the batch, so two requests on one case take consecutive
   ``seq`` numbers; the first claim of a handoff wins and a second claim of it in the same batch is
   refused as already used;
4. executemany INSERTs of handoffs, web sessions and events, the conditional claim UPDATE (its row
   count is checked: the rows were read under lock, so a difference means the batch is run again),
   and one projection UPDATE per case.

Refusals (an unknown case, a case of another office, a case that cannot take the event, a bad,
used or expired code) are decided before anything is written and reach only their own caller;
everyone else's answer comes after the commit. A batch refused by a unique constraint (a short id
drawn twice), a PostgreSQL deadlock or a changed row count is run again with new draws.

SQLite takes its write lock at ``BEGIN IMMEDIATE``, so there the reads of steps 1–2 are as good as
locked; ``FOR UPDATE`` is not rendered for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from central.api.http import stored_or_503
from central.auth.principal import Principal
from central.cases.store import (
    CASES,
    UPDATE_CASE,
    event_values,
    insert_events,
    projection_params,
    state_of,
)
from central.fold import CaseState, Event, FoldError, apply
from central.groupcommit import GroupCommit, write_rerunning, writer
from central.handoff import codes, service
from central.handoff.errors import HandoffError, HandoffNotFound
from central.handoff.models import STAFF_ORIGIN, WebSession
from central.problems import ProblemError

HANDOFFS = service.HANDOFFS
_HANDOFFS_BY_SECRET = (
    select(HANDOFFS)
    .where(HANDOFFS.c.secret_hash.in_(bindparam("hashes", expanding=True)))
    .order_by(HANDOFFS.c.id)
    .with_for_update()
)
_CASES_LOCKED = (
    select(CASES)
    .where(CASES.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(CASES.c.id)
    .with_for_update()
)
REFUSALS = (ProblemError, HandoffError, FoldError)


@dataclass(frozen=True, slots=True)
class CreateOrder:
    """The kiosk ``principal`` asks for a handoff of ``case_id`` — or a member of staff, for a
    case of their office started at the counter or on the phone line (``channel``): the handoff's
    originator is then ``staff:<id>`` (:data:`central.handoff.models.STAFF_ORIGIN`), its event is
    the staff member's, with no device."""

    case_id: uuid.UUID
    principal: Principal
    now: datetime
    policy: service.Policy
    channel: str = "kiosk"


@dataclass(frozen=True, slots=True)
class ClaimOrder:
    """A phone presents the secret from the QR link's fragment."""

    secret: str
    now: datetime
    policy: service.Policy


Order = CreateOrder | ClaimOrder
Outcome = service.IssuedHandoff | service.Claim | BaseException
"""What :func:`write` answers per order: the result, or the refusal to raise to its caller."""


class _SerializationFailure(Exception):
    sqlstate = "40001"


class ClaimRaced(DBAPIError):
    """The claim UPDATE changed another number of rows than were read under lock: a serialization
    failure (SQLSTATE 40001), so :func:`central.groupcommit.worth_rerunning` runs the batch again."""

    def __init__(self, expected: int, changed: int) -> None:
        failure = _SerializationFailure(f"{changed} of {expected} claimed")
        super().__init__("UPDATE handoffs", None, failure)


@dataclass(slots=True)
class _Batch:
    """The rows one batch writes, collected while deciding."""

    cases: dict[uuid.UUID, Any]
    handoffs: dict[str, SimpleNamespace]
    states: dict[uuid.UUID, tuple[CaseState, datetime]]
    new_handoffs: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    web_sessions: list[dict[str, Any]]
    events: list[dict[str, Any]]

    def append(
        self, case_id: uuid.UUID, payload: dict[str, Any], now: datetime, **who: Any
    ) -> None:
        """Fold a ``handed_off`` event into the case's state of this batch (``FoldError`` or the
        policy table's problem when refused, nothing kept) and keep its row, built and later
        inserted by the case store (:mod:`central.cases.store`)."""
        state = self.states[case_id][0] if case_id in self.states else state_of(self.cases[case_id])
        channel = who["channel"]
        nxt = apply(state, Event("handed_off", payload, received_at=now, channel=channel))
        self.events.append(
            event_values(
                case_id,
                nxt.version,
                "handed_off",
                payload,
                channel,
                who["actor_type"],
                who["actor_id"],
                who.get("device_id"),
                now,
            )  # fmt: skip
        )
        self.states[case_id] = (nxt, now)


def _create(batch: _Batch, order: CreateOrder) -> service.IssuedHandoff:
    principal = order.principal
    case = batch.cases.get(order.case_id)
    if case is None or not principal.may_touch_office(case.origin_office):
        raise ProblemError(404, "No such case.", slug="not-found")
    staff = principal.kind == "staff"
    origin = STAFF_ORIGIN + principal.id if staff else principal.id
    office = case.origin_office if staff else principal.office
    issued = service.new_handoff(case.id, origin, office, order.now, order.policy)
    try:
        batch.append(
            case.id, service.offered_payload(issued.handoff.id), order.now, channel=order.channel,
            actor_type="staff" if staff else "device", actor_id=principal.id,
            device_id=None if staff else principal.id,
        )  # fmt: skip
    except FoldError as exc:
        raise ProblemError(409, str(exc), slug="case-state") from None
    batch.new_handoffs.append(service.handoff_row(issued))
    return issued


def _claim(batch: _Batch, order: ClaimOrder, presented: str) -> service.Claim:
    handoff = batch.handoffs.get(presented)
    if handoff is None or not codes.same_hash(handoff.secret_hash, presented):
        raise HandoffNotFound("This link is not valid. Ask the kiosk for a new code.")
    now = order.now
    decision = service.decide_claim(
        handoff, "secret", now, order.policy, codes.display_code_for(order.secret)
    )
    batch.append(
        handoff.case_id, decision.payload, now,
        channel="web", actor_type="citizen", actor_id=str(decision.web_row["id"]),
    )  # fmt: skip
    handoff.claimed_at = now  # a second claim in this batch finds it used
    batch.claims.append(decision.claim_params)
    batch.web_sessions.append(decision.web_row)
    return service.Claim(None, WebSession(**decision.web_row), decision.token)


def write(conn: Connection, orders: Sequence[Order]) -> list[Outcome]:
    """Decide and store ``orders`` in the caller's transaction (see the module docstring)."""
    presented = {
        n: codes.hash_secret(o.secret or "", service.SECRET_PURPOSE)
        for n, o in enumerate(orders)
        if isinstance(o, ClaimOrder)
    }
    handoffs: dict[str, SimpleNamespace] = {}
    if presented:
        found = conn.execute(_HANDOFFS_BY_SECRET, {"hashes": sorted(set(presented.values()))})
        handoffs = {row.secret_hash: SimpleNamespace(**row._asdict()) for row in found}
    case_ids = {o.case_id for o in orders if isinstance(o, CreateOrder)}
    case_ids |= {h.case_id for h in handoffs.values()}
    cases = {}
    if case_ids:
        cases = {row.id: row for row in conn.execute(_CASES_LOCKED, {"ids": sorted(case_ids)})}
    batch = _Batch(cases, handoffs, {}, [], [], [], [])
    outcomes: list[Outcome] = []
    for n, order in enumerate(orders):
        try:
            if isinstance(order, CreateOrder):
                outcomes.append(_create(batch, order))
            else:
                outcomes.append(_claim(batch, order, presented[n]))
        except REFUSALS as exc:
            outcomes.append(exc)
    _store(conn, batch)
    return outcomes


def _store(conn: Connection, batch: _Batch) -> None:
    if batch.new_handoffs:
        conn.execute(service.INSERT_HANDOFF, batch.new_handoffs)
    if batch.claims:
        changed = conn.execute(service.CLAIM, batch.claims).rowcount
        if changed != len(batch.claims):
            raise ClaimRaced(len(batch.claims), changed)
    if batch.web_sessions:
        conn.execute(service.INSERT_WEB_SESSION, batch.web_sessions)
    if batch.events:
        insert_events(conn, batch.events)
    if batch.states:
        conn.execute(
            UPDATE_CASE,
            [
                projection_params(case_id, state, now)
                for case_id, (state, now) in sorted(batch.states.items())
            ],
        )


def write_batch(engine: Engine, orders: Sequence[Order]) -> list[Outcome]:
    """``orders`` decided and committed in one transaction, run again (fresh reads, new draws)
    when a unique constraint, a deadlock or a raced claim refused it."""
    return write_rerunning(
        engine, lambda conn: write(conn, orders), f"handoff batch of {len(orders)}"
    )


async def submit(writer: GroupCommit[Order, Outcome], order: Order, what: str) -> Any:
    """``order``'s result once committed; its refusal raised here; a busy or failed writer is a
    503 problem with Retry-After (:func:`central.api.http.stored_or_503`)."""
    outcome = await stored_or_503(writer, order, what, retry_after_s=2)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def handoff_writer(engine: Engine, **options: Any) -> GroupCommit[Order, Outcome]:
    """The app's writer of handoff creates and QR claims: batched, or one by one
    (:func:`central.groupcommit.writer`)."""
    return writer(lambda orders: write_batch(engine, orders), name="handoff-writer", **options)

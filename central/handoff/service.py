"""The handoff state machine: create → (pending | slow_down) → claimed → confirmed | declined; expired.

Rows, payloads and refusals are built here; the QR link's claim and handoff creation are decided and
stored in batches by :mod:`central.handoff.batch`. A claim — by the QR link or the typed code — is
decided by one function, :func:`decide_claim`; only how it is stored differs. A claim is single-use even with several server
processes on one database: every claimer first locks the handoff row (``FOR UPDATE`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` serialises writers), then its case, and the claim is a conditional
``UPDATE … WHERE claimed_at IS NULL AND expires_at > now`` whose row count is checked.

Functions take the session and ``now`` (the injected clock) and leave committing to the caller,
except where a failed attempt must count even though the request fails (documented there).

Wrong typed codes (and wrong second factors of a printed slip, :mod:`central.handoff.resume`) are
limited per row by :func:`take_attempt`: the attempt is **reserved before** the presented value is
checked — one conditional ``UPDATE … SET failed_attempts = failed_attempts + 1 WHERE id = :id AND
failed_attempts < :max RETURNING failed_attempts``, committed at once — so no number of parallel
guesses, processes or nodes gets more than ``max`` values checked. A right value gives its
reservation back (:func:`give_back_attempt`): only wrong ones count. "Tries left" is computed from the
value the UPDATE returned, so it is right under concurrency too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from central.cases.store import append_event, fold_check, lock_case
from central.db.models import Case
from central.handoff import codes
from central.handoff.errors import (
    HandoffAlreadyClaimed,
    HandoffError,
    HandoffExpired,
    HandoffNotFound,
    HandoffStateError,
    WrongCode,
)
from central.handoff.models import Handoff, WebSession

HANDOFFS = Handoff.__table__
WEB_SESSIONS = WebSession.__table__
# Built once (see central.cases.store): the hot path only binds values.
INSERT_HANDOFF = insert(HANDOFFS)
INSERT_WEB_SESSION = insert(WEB_SESSIONS)
CLAIM = (
    update(HANDOFFS)
    .where(
        HANDOFFS.c.id == bindparam("b_id"),
        HANDOFFS.c.claimed_at.is_(None),
        HANDOFFS.c.declined_at.is_(None),
        HANDOFFS.c.expires_at > bindparam("b_now"),
        HANDOFFS.c.failed_attempts < bindparam("b_max_attempts"),
    )
    .values(claimed_at=bindparam("v_claimed_at"), claimed_by=bindparam("v_claimed_by"))
)

SECRET_PURPOSE = "handoff-secret"
CODE_PURPOSE = "display-code"
WEB_SESSION_PURPOSE = "web-session"


@dataclass(frozen=True)
class Policy:
    ttl_seconds: int = 600
    """How long a handoff can be claimed (RFC 8628's example is 1800 s; a kiosk queue is shorter)."""
    interval: int = 5
    slow_down_step: int = 5
    max_code_attempts: int = 5
    """Wrong typed display codes per handoff before it locks: 5 × 2⁻³⁴·⁵ stays below 2⁻³²."""
    web_session_seconds: int = 2 * 3600
    resume_days: int = 30


@dataclass(frozen=True)
class IssuedHandoff:
    handoff: Handoff
    secret: str
    display_code: str


@dataclass(frozen=True)
class Claim:
    handoff: Handoff | None
    web_session: WebSession
    token: str
    """The fresh web-session token, for the cookie only — never in a URL, never logged."""


def new_handoff(
    case_id: uuid.UUID, device_id: str, office: str, now: datetime, policy: Policy
) -> IssuedHandoff:
    """A new pending handoff's row (not yet stored), its secret and its display code. The short id
    is drawn without a look-up: the unique constraint refuses the rare repeat, and the writer then
    runs its batch again, with new draws (see :mod:`central.handoff.batch`)."""
    secret = codes.new_secret()
    display = codes.display_code_for(secret)
    values = {
        "id": uuid.uuid4(),
        "short_id": codes.new_short_id(),
        "case_id": case_id,
        "device_id": device_id,
        "office": office,
        "secret_hash": codes.hash_secret(secret, SECRET_PURPOSE),
        "code_hash": codes.hash_secret(codes.normalise_code(display, 8) or "", CODE_PURPOSE),
        "created_at": now,
        "expires_at": now + timedelta(seconds=policy.ttl_seconds),
        "interval": policy.interval,
        "failed_attempts": 0,
    }
    return IssuedHandoff(Handoff(**values), secret, display)


def handoff_row(issued: IssuedHandoff) -> dict[str, Any]:
    """The ``handoffs`` row of a new handoff, for a Core INSERT."""
    return {c.name: getattr(issued.handoff, c.name) for c in HANDOFFS.columns}


def offered_payload(handoff_id: uuid.UUID) -> dict[str, Any]:
    """The ``handed_off`` event of a new handoff, offered to the web by the kiosk."""
    return {"to": "web", "handoff_id": str(handoff_id), "stage": "offered"}


def claimed_payload(handoff_id: uuid.UUID, how: str) -> dict[str, Any]:
    return {"to": "web", "handoff_id": str(handoff_id), "stage": "claimed", "via": how}


def claim_refusal(handoff: Any, now: datetime, policy: Policy) -> HandoffError | None:
    """Why ``handoff`` (a row read under its lock, or the ORM object) cannot be claimed now."""
    if handoff.claimed_at is not None:
        return HandoffAlreadyClaimed("This code has already been used.")
    if (
        handoff.declined_at is not None
        or handoff.expires_at <= now
        or handoff.failed_attempts >= policy.max_code_attempts
    ):
        return HandoffExpired("This code has expired. Ask the kiosk for a new code.")
    return None


@dataclass(frozen=True)
class ClaimDecision:
    """What claiming a handoff writes — decided once, for the QR link's claim (stored in batches,
    :mod:`central.handoff.batch`) and the typed code's (:func:`claim_by_code`) alike: the
    conditional claim UPDATE's parameters (:data:`CLAIM`), the phone's web session row and cookie
    token, and the ``handed_off`` event's payload (recorded as that session's citizen, on the web)."""

    claim_params: dict[str, Any]
    web_row: dict[str, Any]
    token: str
    payload: dict[str, Any]


def decide_claim(
    handoff: Any, how: str, now: datetime, policy: Policy, display_code: str | None
) -> ClaimDecision:
    """The claim of ``handoff`` (read under its row lock) by ``how`` (``secret``: the QR link;
    ``code``: typed); raises :func:`claim_refusal`'s error when it cannot be claimed now."""
    refusal = claim_refusal(handoff, now, policy)
    if refusal is not None:
        raise refusal
    web, token = web_session_row(handoff.case_id, handoff.id, now, policy, display_code)
    params = {
        "b_id": handoff.id,
        "b_now": now,
        "b_max_attempts": policy.max_code_attempts,
        "v_claimed_at": now,
        "v_claimed_by": how,
    }
    return ClaimDecision(params, web, token, claimed_payload(handoff.id, how))


def get_for_device(session: Session, handoff_id: uuid.UUID, device_id: str) -> Handoff:
    """The handoff, only for its originating kiosk (others get the same 404 as a wrong id)."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or handoff.device_id != device_id:
        raise HandoffNotFound("No such handoff.")
    return handoff


def poll(session: Session, handoff: Handoff, now: datetime, policy: Policy) -> str:
    """Status for the kiosk's poll; ``slow_down`` (and +5 s on the interval from then on) when it
    polls faster than the interval."""
    status = handoff.status_at(now, policy.max_code_attempts)
    last = handoff.last_polled_at
    handoff.last_polled_at = now
    if last is not None and (now - last).total_seconds() < handoff.interval:
        handoff.interval += policy.slow_down_step
        return "slow_down"
    return status


def find_by_short_id(session: Session, short_id: str) -> Handoff:
    """The handoff of a typed kiosk code, its row locked (PostgreSQL) as every claimer does first:
    handoff, then case (see :mod:`central.handoff.batch`)."""
    normal = codes.normalise_short_id(short_id)
    stmt = select(Handoff).where(Handoff.short_id == normal).with_for_update()
    handoff = session.scalar(stmt) if normal else None
    if handoff is None:
        raise HandoffNotFound("We could not find that kiosk code.")
    return handoff


def take_attempt(session: Session, table: Any, row_id: uuid.UUID, max_attempts: int) -> int | None:
    """Reserve one of the row's ``max_attempts`` tries **before** checking anything secret, and
    commit, so the reservation holds across processes and nodes whatever happens next. Returns the
    number of tries now taken (this one included), or None when none was left (check nothing).

    ``table`` is a Core table with ``id`` and ``failed_attempts`` (``handoffs``, ``resume_codes``).
    One conditional UPDATE: PostgreSQL re-checks ``failed_attempts < max`` on the newest row version
    after waiting for a concurrent writer's lock; SQLite serialises writers (``BEGIN IMMEDIATE``)."""
    taken = session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.failed_attempts < max_attempts)
        .values(failed_attempts=table.c.failed_attempts + 1)
        .returning(table.c.failed_attempts)
    ).scalar_one_or_none()
    session.commit()
    return taken


def give_back_attempt(session: Session, table: Any, row_id: uuid.UUID) -> None:
    """The presented value was right: the try reserved by :func:`take_attempt` is not a wrong one.
    In the session's transaction (on PostgreSQL this takes the row's lock, as ``FOR UPDATE`` does)."""
    session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.failed_attempts > 0)
        .values(failed_attempts=table.c.failed_attempts - 1)
    )


def claim_by_code(
    session: Session, handoff: Handoff, code: str, now: datetime, policy: Policy
) -> Claim:
    """Claim with the typed display code. The try is reserved (and committed) before the code is
    compared (:func:`take_attempt`), so a wrong code has counted whatever the caller does next; a
    right one gives the try back, re-locks the row and claims."""
    handoff_id = handoff.id
    taken = take_attempt(session, HANDOFFS, handoff_id, policy.max_code_attempts)
    if taken is None:
        raise HandoffExpired("Too many wrong codes. Ask the kiosk for a new code.")
    normal = codes.normalise_code(code, codes.DISPLAY_CODE_LETTERS)
    presented = codes.hash_secret(normal or "", CODE_PURPOSE)
    if normal is None or not codes.same_hash(handoff.code_hash, presented):
        left = max(0, policy.max_code_attempts - taken)
        if left == 0:  # this wrong one was the last: the client's attempt counts too
            raise HandoffExpired(
                "Too many wrong codes. Ask the kiosk for a new code.", attempts_left=0
            )
        raise WrongCode("That code does not match the kiosk.", attempts_left=left)
    give_back_attempt(session, HANDOFFS, handoff_id)  # locks the row again (handoff, then case)
    session.refresh(handoff)  # as it is now, under that lock
    return _claim(session, handoff, "code", now, policy, codes.format_code(normal))


def _claim(
    session: Session, handoff: Handoff, how: str, now: datetime, policy: Policy, display_code: str
) -> Claim:
    """The typed code's claim, one request in its own transaction (the QR link's are stored in
    batches by :mod:`central.handoff.batch`; both decide with :func:`decide_claim`). ``handoff``
    was read under its row lock (:func:`find_by_short_id`); the case is locked next. Every refusal
    (used, expired, a case that cannot take the event) is raised before anything is written — the
    route answers a refusal with a page and its session still commits. The conditional UPDATE's
    row count guards the rest."""
    case = lock_case(session, handoff.case_id)
    assert case is not None  # the foreign key guarantees it
    decision = decide_claim(handoff, how, now, policy, display_code)
    fold_check(case, "handed_off", decision.payload, "web", now)
    if session.execute(CLAIM, decision.claim_params).rowcount != 1:
        raise HandoffAlreadyClaimed("This code has already been used.")  # changed since read
    web = WebSession(**decision.web_row)
    session.add(web)
    append_event(
        session,
        case,
        type="handed_off",
        payload=decision.payload,
        channel="web",
        actor_type="citizen",
        actor_id=str(web.id),
        now=now,
    )
    return Claim(handoff, web, decision.token)


def web_session_row(
    case_id: uuid.UUID,
    handoff_id: uuid.UUID | None,
    now: datetime,
    policy: Policy,
    display_code: str | None = None,
) -> tuple[dict[str, Any], str]:
    """A new web session's row (not yet stored) and its token, for the cookie only."""
    token = codes.new_secret()
    row = {
        "id": uuid.uuid4(),
        "display_code": display_code,
        "token_hash": codes.hash_secret(token, WEB_SESSION_PURPOSE),
        "case_id": case_id,
        "handoff_id": handoff_id,
        "created_at": now,
        "expires_at": now + timedelta(seconds=policy.web_session_seconds),
    }
    return row, token


def new_web_session(
    session: Session,
    case: Case,
    handoff_id: uuid.UUID | None,
    now: datetime,
    policy: Policy,
    display_code: str | None = None,
) -> tuple[WebSession, str]:
    values, token = web_session_row(case.id, handoff_id, now, policy, display_code)
    row = WebSession(**values)
    session.add(row)
    return row, token


def web_session_for(session: Session, token: str | None, now: datetime) -> WebSession | None:
    if not token or len(token) > 200:
        return None
    presented = codes.hash_secret(token, WEB_SESSION_PURPOSE)
    row = session.scalar(select(WebSession).where(WebSession.token_hash == presented))
    if row is None or not codes.same_hash(row.token_hash, presented):
        return None
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def decide(
    session: Session,
    handoff: Handoff,
    now: datetime,
    *,
    confirm: bool,
    channel: str,
    actor_type: str,
    actor_id: str | None,
    device_id: str | None = None,
) -> bool:
    """The confirm/decline step of a handoff, by whoever takes it (the kiosk that made it, or the
    member of staff who made it at the counter or on the phone line): one conditional UPDATE (a
    confirm needs a claim; neither after a decision) — False, and nothing done, when it did not
    apply. Else a decline revokes the phone's session, and the ``handed_off`` event (stage
    ``confirmed`` / ``declined``) is appended by that actor. The caller commits."""
    conditions = [Handoff.id == handoff.id, Handoff.confirmed_at.is_(None)]
    conditions.append(Handoff.declined_at.is_(None))
    if confirm:
        conditions.append(Handoff.claimed_at.is_not(None))
    values = {"confirmed_at": now} if confirm else {"declined_at": now}
    result = session.execute(
        update(Handoff)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    if not confirm:
        session.execute(
            update(WebSession)
            .where(WebSession.handoff_id == handoff.id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    case = lock_case(session, handoff.case_id)
    assert case is not None
    append_event(
        session,
        case,
        type="handed_off",
        payload={
            "to": "web",
            "handoff_id": str(handoff.id),
            "stage": "confirmed" if confirm else "declined",
        },
        channel=channel,
        actor_type=actor_type,
        actor_id=actor_id,
        device_id=device_id,
        now=now,
    )
    return True


def _decide(
    session: Session, handoff: Handoff, now: datetime, *, confirm: bool, policy: Policy
) -> Handoff:
    """The kiosk's decision (:func:`decide`), committed by the caller; refused with the
    handoff's status."""
    device = handoff.device_id
    if not decide(
        session,
        handoff,
        now,
        confirm=confirm,
        channel="kiosk",
        actor_type="device",
        actor_id=device,
        device_id=device,
    ):
        session.refresh(handoff)  # as another request decided it; the caller ends the transaction
        status = handoff.status_at(now, policy.max_code_attempts)
        raise HandoffStateError(
            f"The handoff is {status}; it cannot be {'confirmed' if confirm else 'declined'}.",
            handoff_status=status,
        )
    session.refresh(handoff)
    return handoff


def confirm(session: Session, handoff: Handoff, now: datetime, policy: Policy) -> Handoff:
    return _decide(session, handoff, now, confirm=True, policy=policy)


def decline(session: Session, handoff: Handoff, now: datetime, policy: Policy) -> Handoff:
    """Declining also works on a pending handoff (the kiosk cancels it) and revokes the phone's
    session when it had been claimed."""
    return _decide(session, handoff, now, confirm=False, policy=policy)

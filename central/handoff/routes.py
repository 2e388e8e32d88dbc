"""Device API of handoffs and resume codes (``/api/v1``, kiosk bearer token).

``setup(app)`` puts the policy and the per-client limiter on ``app.state`` (tests replace them with
ones on an injected clock). Handoff errors become problem+json here, at the edge.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from central.api.body import json_body
from central.auth import KioskDep, Principal
from central.db.models import Case
from central.deps import ClockDep, SessionDep, SettingsDep, one_hop
from central.handoff import batch, codes, resume, service
from central.handoff.errors import HandoffError, HandoffNotFound, RateLimited, WrongCode
from central.handoff.history import FoldError, lock_case
from central.handoff.models import Handoff
from central.handoff.ratelimit import AttemptLimiter
from central.problems import ProblemError, problem_responses
from central.schemas import CarriedPreferences

log = logging.getLogger("central.handoff")
router = APIRouter(prefix="/api/v1", tags=["handoffs"])


def setup(app: FastAPI) -> None:
    app.state.handoff_policy = service.Policy()
    app.state.handoff_writer = batch.handoff_writer(app.state.engine)
    app.state.attempt_limiter = AttemptLimiter(
        limit=10, window=60.0, clock=lambda: app.state.clock()
    )
    """Typed codes, slip codes and logins per client address: 10 failed a minute, counted in the
    database (:mod:`central.handoff.ratelimit`), so every process and node shares them."""


def problem(exc: HandoffError) -> ProblemError:
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(int(exc.extra.get("retry_after", 60)))
    return ProblemError(exc.status, exc.detail, slug=exc.slug, headers=headers, **exc.extra)


def _refusal(wait: float) -> RateLimited:
    return RateLimited("Too many attempts. Wait a minute and try again.", retry_after=int(wait))


def take_attempt(request: Request, session: Session, key: str) -> None:
    """Reserve one of ``key``'s attempts **before** anything secret is checked, atomically and
    committed (call it before the session does anything else): :class:`RateLimited` (429) when
    none is left, and then nothing was counted. A failure keeps the attempt; anything else gives
    it back (:func:`give_back_attempt`)."""
    limiter: AttemptLimiter = request.app.state.attempt_limiter
    wait = limiter.take(session, key)
    if wait is not None:
        raise _refusal(wait)


def keeps_attempt(exc: HandoffError) -> bool:
    """Whether a refusal keeps the client's attempt: a code that names nothing, a wrong code or
    factor (the last one, which locks its row, too: ``attempts_left`` 0), or :class:`RateLimited`
    (nothing was taken). Every other refusal checked nothing secret and gives it back."""
    return (
        isinstance(exc, HandoffNotFound | WrongCode | RateLimited) or "attempts_left" in exc.extra
    )


def give_back_attempt(request: Request, session: Session, key: str) -> None:
    """The attempt reserved by :func:`take_attempt` was no failure (a success, or a refusal that
    guessed nothing); in the session's transaction, the caller commits."""
    limiter: AttemptLimiter = request.app.state.attempt_limiter
    limiter.give_back(session, key)


def _alone(request: Request, work: Callable[[Session, AttemptLimiter], float | None], write: bool):  # type: ignore[no-untyped-def]
    """``work`` in a short session of its own; the database away is a 503 with Retry-After."""
    try:
        with request.app.state.sessionmaker() as session:
            wait = work(session, request.app.state.attempt_limiter)
            session.commit() if write else session.rollback()
            return wait
    except SQLAlchemyError:
        raise ProblemError(
            503,
            "The service could not check this now; retry later.",
            slug="unavailable",
            headers={"Retry-After": "2"},
        ) from None


async def check_rate(request: Request, key: str) -> None:
    """For a route with no session of its own (the QR link's claim, written by the handoff
    writer): :class:`RateLimited` when ``key`` is locked now; counts nothing. Its own short
    transaction, off the event loop. Not a reservation: the QR secret (256 bits) is not guessable,
    so there is nothing for parallel requests to win; the limit only stops a client spraying junk."""
    wait = await run_in_threadpool(_alone, request, lambda s, lim: lim.check(s, key), False)
    if wait is not None:
        raise _refusal(wait)


async def count_failure(request: Request, key: str) -> None:
    """Count one failure of ``key`` for a route with no session of its own (see
    :func:`check_rate`)."""
    await run_in_threadpool(_alone, request, lambda s, lim: lim.hit(s, key), True)


class HandoffOut(BaseModel):
    id: uuid.UUID
    short_id: str
    display_code: str = Field(
        description=(
            "The kiosk code, HHHHH-XXXX-XXXX (the handle, then the 8-letter code): show it beside "
            "the QR code; the citizen types it at verification_uri, and it is the code the phone "
            "shows to compare with the kiosk"
        )
    )
    verification_uri: str = Field(
        description="Typed fallback: the page where the citizen types display_code (<base>/h)"
    )
    verification_uri_complete: str = Field(description="For the QR code; the secret is after '#'")
    office: str
    expires_in: int
    expires_at: datetime
    interval: int


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferences: CarriedPreferences | None = Field(
        default=None,
        description="The citizen's language and accessibility settings, for the next channel",
    )


class HandoffStatus(BaseModel):
    id: uuid.UUID
    status: Literal["pending", "slow_down", "expired", "claimed", "confirmed", "declined"]
    interval: int
    expires_in: int


class ResumeIn(BaseModel):
    factor_kind: Literal["dob", "phone_last3", "pin"]
    factor_value: str = Field(max_length=40)
    code: str | None = Field(
        default=None,
        max_length=40,
        description=(
            "A code the kiosk made itself while offline (XXXX-XXXX-XXXX, already on the citizen's "
            "slip); 422 if malformed, 409 resume-code-taken if another case holds it, a replay "
            "(same case, same factor) answers the stored code."
        ),
    )
    preferences: CarriedPreferences | None = Field(
        default=None, description="Language and settings, given back when the code opens the case"
    )


class ResumeCodeOut(BaseModel):
    code: str
    factor_kind: str
    expires_at: datetime


class ResumeRedeemIn(BaseModel):
    code: str = Field(max_length=40)
    factor: str = Field(max_length=40)


class ResumedCase(BaseModel):
    case_id: uuid.UUID
    reference: str
    service_id: str
    status: str
    answers: dict
    version: int
    preferences: dict = Field(
        default_factory=dict,
        description="What the code carried (language, text size, theme, ...): apply before the "
        "step is shown; empty when nothing was carried",
    )


# Bodies read only after the kiosk's token was checked (central.api.body): a bad token is a 401.
_HANDOFF_BODY, _HANDOFF_DOC = json_body(HandoffIn, optional=True)
_RESUME_BODY, _RESUME_DOC = json_body(ResumeIn)


def _case_for(session: Session, case_id: uuid.UUID, principal: Principal) -> Case:
    case = lock_case(session, case_id)
    if case is None or not principal.may_touch_office(case.origin_office):
        raise ProblemError(404, "No such case.", slug="not-found")
    return case


def _status(h, now: datetime, status: str) -> HandoffStatus:
    return HandoffStatus(
        id=h.id,
        status=status,  # type: ignore[arg-type]
        interval=h.interval,
        expires_in=max(0, int((h.expires_at - now).total_seconds())),
    )


@router.post(
    "/cases/{case_id}/handoffs",
    status_code=201,
    response_model=HandoffOut,
    responses=problem_responses(401, 404, 409, 503),
    openapi_extra=_HANDOFF_DOC,
)
async def create_handoff(
    case_id: uuid.UUID,
    principal: KioskDep,
    settings: SettingsDep,
    clock: ClockDep,
    request: Request,
    body: Annotated[HandoffIn | None, _HANDOFF_BODY],
) -> HandoffOut:
    """Written by the handoff writer (:mod:`central.handoff.batch`): one transaction for every
    handoff created and claimed meanwhile, answered after it committed. Carried preferences
    (``body``) are then put on the new row, before its QR code exists anywhere."""
    policy: service.Policy = request.app.state.handoff_policy
    order = batch.CreateOrder(case_id, principal, clock(), policy)
    issued = await batch.submit(request.app.state.handoff_writer, order, "handoff")
    assert isinstance(issued, service.IssuedHandoff)
    h = issued.handoff
    carried = body.preferences.stored() if body and body.preferences else None
    if carried:
        await run_in_threadpool(_carry_on_handoff, request, h.id, carried)
    base = settings.base_url.rstrip("/")
    return HandoffOut(
        id=h.id,
        short_id=h.short_id,
        display_code=codes.kiosk_code(h.short_id, issued.display_code),
        verification_uri=f"{base}/h",
        verification_uri_complete=f"{base}/h#{issued.secret}",
        office=h.office,
        expires_in=policy.ttl_seconds,
        expires_at=h.expires_at,
        interval=h.interval,
    )


def _carry_on_handoff(request: Request, handoff_id: uuid.UUID, carried: dict) -> None:
    """Best effort: a handoff whose preferences could not be stored still works (the next
    channel shows its defaults), so the database failing here refuses nothing."""
    try:
        with request.app.state.sessionmaker() as session:
            session.execute(
                update(Handoff).where(Handoff.id == handoff_id).values(preferences=carried)
            )
            session.commit()
    except SQLAlchemyError as exc:
        log.warning("handoff preferences not stored: %s", type(exc).__name__)


@router.get(
    "/handoffs/{handoff_id}", response_model=HandoffStatus, responses=problem_responses(401, 404)
)
@one_hop
def poll_handoff(
    handoff_id: uuid.UUID,
    principal: KioskDep,
    session: SessionDep,
    clock: ClockDep,
    request: Request,
) -> HandoffStatus:
    now = clock()
    try:
        h = service.get_for_device(session, handoff_id, principal.id)
    except HandoffNotFound as exc:
        raise problem(exc) from None
    status = service.poll(session, h, now, request.app.state.handoff_policy)
    session.commit()
    return _status(h, now, status)


def _decide(handoff_id, principal, session, clock, request, confirm: bool) -> HandoffStatus:
    now = clock()
    policy = request.app.state.handoff_policy
    try:
        h = service.get_for_device(session, handoff_id, principal.id)
        h = (service.confirm if confirm else service.decline)(session, h, now, policy)
    except HandoffError as exc:
        raise problem(exc) from None
    except FoldError as exc:
        raise ProblemError(409, str(exc), slug="case-state") from None
    session.commit()
    return _status(h, now, h.status_at(now, policy.max_code_attempts))


@router.post(
    "/handoffs/{handoff_id}/confirm",
    response_model=HandoffStatus,
    responses=problem_responses(401, 404, 409),
)
@one_hop
def confirm_handoff(
    handoff_id: uuid.UUID,
    principal: KioskDep,
    session: SessionDep,
    clock: ClockDep,
    request: Request,
) -> HandoffStatus:
    """The citizen confirmed at the kiosk that the phone showing the same code is theirs."""
    return _decide(handoff_id, principal, session, clock, request, True)


@router.post(
    "/handoffs/{handoff_id}/decline",
    response_model=HandoffStatus,
    responses=problem_responses(401, 404, 409),
)
@one_hop
def decline_handoff(
    handoff_id: uuid.UUID,
    principal: KioskDep,
    session: SessionDep,
    clock: ClockDep,
    request: Request,
) -> HandoffStatus:
    """Not my phone / cancel: the handoff ends and any web session it made is revoked."""
    return _decide(handoff_id, principal, session, clock, request, False)


@router.post(
    "/cases/{case_id}/resume-codes",
    status_code=201,
    response_model=ResumeCodeOut,
    responses=problem_responses(401, 404, 409, 422),
    openapi_extra=_RESUME_DOC,
)
@one_hop
def create_resume_code(
    case_id: uuid.UUID,
    principal: KioskDep,
    body: Annotated[ResumeIn, _RESUME_BODY],
    session: SessionDep,
    clock: ClockDep,
    request: Request,
) -> ResumeCodeOut:
    now = clock()
    case = _case_for(session, case_id, principal)
    try:
        issued = resume.create_resume_code(
            session,
            case,
            principal.id,
            body.factor_kind,
            body.factor_value,
            now,
            request.app.state.handoff_policy,
            proposed=body.code,
            preferences=body.preferences.stored() if body.preferences else None,
        )
        session.flush()  # a concurrent twin of a proposed code fails here, on the unique hash
    except resume.FactorError as exc:
        raise ProblemError(422, str(exc), slug="bad-factor") from None
    except resume.CodeFormatError as exc:
        raise ProblemError(422, str(exc), slug="bad-resume-code") from None
    except (resume.CodeTaken, IntegrityError):
        raise ProblemError(
            409, "That resume code is already in use.", slug="resume-code-taken"
        ) from None
    except FoldError as exc:
        raise ProblemError(409, str(exc), slug="case-state") from None
    session.commit()
    return ResumeCodeOut(
        code=issued.code, factor_kind=body.factor_kind, expires_at=issued.row.expires_at
    )


def _give_back_alone(request: Request, session: Session, key: str) -> None:
    """Give the attempt back on a refusal that guessed nothing, committed on its own: nothing else
    of the refused request is kept."""
    session.rollback()
    give_back_attempt(request, session, key)
    session.commit()


@router.post(
    "/resume", response_model=ResumedCase, responses=problem_responses(401, 404, 410, 422, 429)
)
@one_hop
def resume_at_kiosk(
    body: ResumeRedeemIn,
    principal: KioskDep,
    session: SessionDep,
    clock: ClockDep,
    request: Request,
) -> ResumedCase:
    """Phone/slip → kiosk: the slip code and its second factor give the kiosk the case. Each try
    takes one of the kiosk's attempts first (:func:`take_attempt`); a code or factor that does not
    match keeps it, any other answer gives it back."""
    now = clock()
    key = f"device:{principal.id}"
    try:
        take_attempt(request, session, key)
        row = resume.redeem(session, body.code, body.factor, now, request.app.state.handoff_policy)
        session.commit()  # the right factor's give-back holds, whatever follows
        case = lock_case(session, row.case_id)
        if case is None or not resume.kiosk_may_open(principal, case):
            raise HandoffNotFound("We could not find that code.")
        resume.append_event(
            session,
            case,
            type="handed_off",
            payload={"to": "kiosk", "stage": "resumed", "via": "slip"},
            channel="kiosk",
            actor_type="device",
            actor_id=principal.id,
            device_id=principal.id,
            now=now,
        )
    except HandoffError as exc:
        if not keeps_attempt(exc):
            _give_back_alone(request, session, key)
        raise problem(exc) from None
    except resume.FactorError as exc:
        _give_back_alone(request, session, key)
        raise ProblemError(422, str(exc), slug="bad-factor") from None
    except FoldError as exc:
        _give_back_alone(request, session, key)
        raise ProblemError(409, str(exc), slug="case-state") from None
    give_back_attempt(request, session, key)
    session.commit()
    return ResumedCase(
        case_id=case.id,
        reference=case.reference,
        service_id=case.service_id,
        status=case.status,
        answers=dict(case.answers or {}),
        version=case.version,
        preferences=dict(row.preferences or {}),
    )

"""Cases: create (Idempotency-Key, group-committed), read (ETag), change answers (If-Match).

The caller is authenticated before a body is read (:mod:`central.api.body`): a bad token is a 401
whatever the body holds."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import Response

from central.api import PREFIX
from central.api.body import json_body
from central.api.http import (
    case_response,
    etag_of,
    not_modified,
    require_if_match,
    stored_or_503,
)
from central.auth import AnyPrincipalDep, Principal
from central.case_create import Answer, CreateItem, Draft, create_writer, draft_case
from central.cases import policy
from central.cases_service import NewEvent, append_events, get_case
from central.deps import CatalogueDep, ClockDep, SessionDep, SettingsDep, one_hop
from central.groupcommit import GroupCommit
from central.idempotency import StoredResponse, key_from, request_hash
from central.problems import ProblemError, from_error, problem_responses
from central.schemas import AnswersPatch, CaseCreate, CaseOut

router = APIRouter(prefix=PREFIX, tags=["cases"])
CreateBody, _CREATE_DOC = json_body(CaseCreate)
PatchBody, _PATCH_DOC = json_body(AnswersPatch)

_AUTH = (401, 403)
RETRY_AFTER_S = 2


def default_channel(principal: Principal) -> str:
    return "staff" if principal.kind == "staff" else "kiosk"


def default_actor(principal: Principal) -> str:
    return "staff" if principal.kind == "staff" else "citizen"


def actor_id_for(principal: Principal, given: str | None) -> str | None:
    return principal.id if principal.kind == "staff" else given


def channel_for(principal: Principal, given: str | None) -> str:
    """The channel a step came from: the staff console for staff; for a kiosk what it says
    (default ``kiosk``), where ``staff`` means staff at the kiosk — ``assisted``: a kiosk never
    speaks for the staff console itself."""
    if principal.kind == "staff":
        return "staff"
    channel = given or default_channel(principal)
    return "assisted" if channel == "staff" else channel


def actor_type_for(principal: Principal, given: str | None, channel: str) -> str:
    """Who acted, as the server records it. Staff are recorded as staff, whatever they send; a
    kiosk says (default: the citizen). An actor the policy table has no row for on that channel
    (e.g. ``staff`` anywhere but ``assisted``, or ``system``) is a 422 before anything else
    (:func:`central.cases.policy.actor_refusal`), not silently stored."""
    if principal.kind == "staff":
        return "staff"
    actor = given or default_actor(principal)
    problem = policy.actor_refusal(channel, actor)
    if problem is not None:
        raise problem
    return actor


def setup(app: FastAPI) -> None:
    """One case writer per app (per engine); its thread starts on the first create."""
    app.state.case_writer = create_writer(app.state.engine)


@router.post(
    "/cases",
    status_code=201,
    response_model=CaseOut,
    responses=problem_responses(400, *_AUTH, 409, 422, 503),
    summary="Create a case (requires Idempotency-Key)",
    openapi_extra=_CREATE_DOC,
)
async def create(
    request: Request,
    principal: AnyPrincipalDep,
    body: Annotated[CaseCreate, CreateBody],
    catalogue: CatalogueDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Required. Kept for the period stated in the API description.",
            max_length=255,
        ),
    ] = None,
) -> Response:
    """Checked here on the event loop; stored by the group-commit writer
    (:mod:`central.case_create`), which answers only after its transaction committed."""
    key = key_from(request)
    now = clock()
    channel = channel_for(principal, body.channel)
    created = NewEvent(
        event_id=body.event_id or uuid.uuid5(body.id, "created"),
        type="created",
        channel=channel,
        actor_type=actor_type_for(principal, body.actor_type, channel),
        actor_id=actor_id_for(principal, body.actor_id),
        occurred_at=body.occurred_at or now,
        payload={},
    )
    work: Draft | StoredResponse
    try:
        work = draft_case(
            principal,
            case_id=body.id,
            service_id=body.service_id,
            answers=body.answers,
            created=created,
            catalogue=catalogue,
            now=now,
            reference=body.reference,
        )
    except ProblemError as exc:
        # A refusal is an answer too: the same request would be refused again, so it is stored.
        work = StoredResponse.of(from_error(exc, instance=request.url.path))
    item = CreateItem(
        principal.scope,
        key,
        request_hash("POST", "/cases", body.model_dump(mode="json")),
        now,
        timedelta(days=settings.idempotency_days),
        work,
    )
    writer: GroupCommit[CreateItem, Answer] = request.app.state.case_writer
    answer = await stored_or_503(writer, item, "case", RETRY_AFTER_S)
    return answer.to_response()


@router.get(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses={304: {"description": "Not modified (If-None-Match matched)"}}
    | problem_responses(*_AUTH, 404),
)
@one_hop
def read(
    request: Request, case_id: uuid.UUID, principal: AnyPrincipalDep, session: SessionDep
) -> Response:
    case = get_case(session, principal, case_id)
    session.commit()
    etag = etag_of(case)
    if not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return case_response(case)


@router.patch(
    "/cases/{case_id}/answers",
    response_model=CaseOut,
    responses=problem_responses(*_AUTH, 404, 409, 412, 422, 428),
    summary="Change answers (JSON merge patch; requires If-Match)",
    openapi_extra=_PATCH_DOC,
)
@one_hop
def patch_answers(
    request: Request,
    case_id: uuid.UUID,
    principal: AnyPrincipalDep,
    body: Annotated[AnswersPatch, PatchBody],
    session: SessionDep,
    catalogue: CatalogueDep,
    clock: ClockDep,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> Response:
    now = clock()
    channel = channel_for(principal, body.channel)
    actor_type = actor_type_for(principal, body.actor_type, channel)
    case = get_case(session, principal, case_id, lock=True)
    require_if_match(request, case)
    event = NewEvent(
        event_id=body.event_id or uuid.uuid4(),
        type="answers_changed",
        channel=channel,
        actor_type=actor_type,
        actor_id=actor_id_for(principal, body.actor_id),
        occurred_at=body.occurred_at or now,
        payload={"answers": body.answers},
    )
    results = append_events(session, principal, case, [event], catalogue, now)
    session.commit()
    del results
    return case_response(case)

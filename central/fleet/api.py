"""The fleet's device API (issue 14 items 1-2), under ``/api/v1``:

* ``POST /enrol`` (no auth): an enrolment code → a new device id and token. Rate-limited per client
  address in the database; a wrong, used or expired code is one and the same 403.
* ``GET /devices/commands?wait=N`` (device token): commands waiting for the kiosk, each delivered
  once. With ``wait`` (≤ :data:`MAX_WAIT_S`) it is a long poll: the route awaits an event on the
  event loop (:mod:`central.fleet.waiters`: one database probe a second for every waiting kiosk of
  the process) — nothing is held while it waits, so a thousand waiting kiosks cost no threads, no
  connections and one query a second.
* ``POST /devices/commands/{id}/result``: ``done`` or ``failed`` with a small result.
* ``PUT /devices/commands/{id}/upload``: the readiness report (``application/pdf``) of a
  diagnostics command or the PNG of a screenshot, raw in the body (the body size limit holds).
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from central.api import PREFIX
from central.api.http import json_response
from central.auth.devices import (
    DeviceDep,
    authenticate_device,
    bearer_token,
    token_cache,
    unauthorised,
)
from central.auth.principal import Principal
from central.deps import ClockDep, SessionDep, one_hop
from central.fleet import commands, enrolment
from central.fleet.waiters import Waiters
from central.handoff.ratelimit import AttemptLimiter, address_key
from central.problems import ProblemError, problem_responses

router = APIRouter(prefix=PREFIX, tags=["fleet"])
MAX_WAIT_S = 25


def enrol_limiter(clock: Any) -> AttemptLimiter:
    return AttemptLimiter(enrolment.ATTEMPTS, enrolment.WINDOW_S, clock)


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, description="The enrolment code, as typed")
    name: str | None = Field(
        default=None, max_length=200, description="The kiosk's name, when the code names none"
    )
    previous_token: str | None = Field(
        default=None,
        max_length=200,
        description="The token the kiosk held before, if any: that device is revoked",
    )


class EnrolOut(BaseModel):
    device_id: str
    token: str = Field(description="The device token: store it (mode 0600); it is shown once")
    office: str
    name: str


def _refused() -> ProblemError:
    return ProblemError(
        403, "The enrolment code is wrong, used or expired.", slug="enrolment-refused"
    )


@router.post(
    "/enrol",
    status_code=201,
    response_model=EnrolOut,
    responses=problem_responses(400, 403, 413, 422, 429),
    summary="Trade an enrolment code for a device token",
)
@one_hop
def enrol(body: EnrolIn, request: Request, session: SessionDep, clock: ClockDep) -> Response:
    limiter: AttemptLimiter = request.app.state.enrol_limiter
    key = "enrol:" + address_key(request.client.host if request.client else None)
    wait = limiter.take(session, key, clock())  # committed: counted before the code is looked at
    if wait is not None:
        raise ProblemError(
            429,
            "Too many enrolment attempts. Wait and try again.",
            slug="rate-limited",
            headers={"Retry-After": str(max(1, int(wait)))},
        )
    done = enrolment.redeem(session, body.code, clock(), body.name, body.previous_token)
    if done is None:
        session.commit()
        raise _refused()
    limiter.give_back(session, key, clock())
    session.commit()
    out = {"device_id": done.device_id, "token": done.token, "office": done.office,
           "name": done.name}  # fmt: skip
    return json_response(out, 201, {"Cache-Control": "no-store"})


class CommandsOut(BaseModel):
    commands: list[dict[str, Any]]


def _deliver_once(request: Request, device_id: str) -> list[dict[str, Any]]:
    now = request.app.state.clock()
    with request.app.state.sessionmaker() as session:
        if not commands.has_queued(session, device_id, now):
            session.rollback()
            return []
        found = commands.deliver(session, [device_id], now).get(device_id, [])
        session.commit()
        return found


async def device_alone(request: Request) -> Principal:
    """The calling kiosk, checked without holding a request session: :data:`DeviceDep` would keep
    one of the process's few session slots (``central.deps.SESSION_CONCURRENCY``) for the whole
    long poll. A token verified within the cache's TTL is trusted as by ``require_device``; else it
    is checked in a short session of its own on a thread-pool thread."""
    token = bearer_token(request)
    if token is None:
        raise unauthorised("A device bearer token is required.")
    cache = token_cache(request.app)
    principal = cache.get(token)
    if principal is None:

        def check() -> Principal | None:
            with request.app.state.sessionmaker() as session:
                device = authenticate_device(session, token)
                session.rollback()
                if device is None:
                    return None
                return Principal(kind="device", id=device.id, office=device.office)

        principal = await run_in_threadpool(check)
        if principal is None:
            raise unauthorised("The device token is not valid or has been revoked.")
        cache.put(token, principal)
    request.state.principal = principal
    return principal


AloneDep = Annotated[Principal, Depends(device_alone)]


@router.get(
    "/devices/commands",
    response_model=CommandsOut,
    responses=problem_responses(401, 422),
    summary="Remote commands waiting for the calling kiosk (optionally a long poll)",
)
async def pending_commands(
    request: Request,
    device: AloneDep,
    wait: Annotated[int, Query(ge=0, le=MAX_WAIT_S, description="Seconds to wait for one")] = 0,
) -> Response:
    deadline = time.monotonic() + wait
    found = await run_in_threadpool(_deliver_once, request, device.id)
    waiters: Waiters = request.app.state.command_waiters
    while not found and time.monotonic() < deadline:
        await waiters.wait(device.id, deadline - time.monotonic())
        found = await run_in_threadpool(_deliver_once, request, device.id)
    return json_response({"commands": found})


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["done", "failed"]
    result: dict[str, Any] = Field(default_factory=dict)

    @field_validator("result")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, default=str)) > commands.MAX_RESULT_CHARS:
            raise ValueError(f"result: at most {commands.MAX_RESULT_CHARS} characters of JSON")
        return value


@router.post(
    "/devices/commands/{command_id}/result",
    responses=problem_responses(400, 401, 404, 409, 413, 422),
    summary="The kiosk's answer to a command: done or failed, with a small result",
)
@one_hop
def command_result(
    command_id: str, body: ResultIn, device: DeviceDep, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        state = commands.finish(session, device.id, command_id, body.status, body.result, clock())
    except commands.NotFound:
        raise ProblemError(404, "No such command for this kiosk.", slug="not-found") from None
    except commands.WrongState as exc:
        raise ProblemError(409, f"The command cannot take this answer: {exc}.") from None
    session.commit()
    return json_response({"id": command_id, "state": state})


@router.put(
    "/devices/commands/{command_id}/upload",
    status_code=204,
    responses=problem_responses(401, 404, 409, 413, 422),
    summary="What a diagnostics (PDF) or screenshot (PNG) command brought back",
)
async def command_upload(
    command_id: str, request: Request, device: AloneDep, clock: ClockDep
) -> Response:
    data = await request.body()
    content_type = request.headers.get("content-type", "")

    def store() -> None:
        with request.app.state.sessionmaker() as session:
            commands.store_upload(session, device.id, command_id, content_type, data, clock())
            session.commit()

    try:
        await run_in_threadpool(store)
    except commands.NotFound:
        raise ProblemError(404, "No such command for this kiosk.", slug="not-found") from None
    except commands.WrongState as exc:
        raise ProblemError(409, f"The upload is refused: {exc}.") from None
    return Response(status_code=204)

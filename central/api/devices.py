"""Device heartbeat: every kiosk reports its peripherals, outbox depth and software version.

Each heartbeat is stored (history) and upserts the device's latest status (one row per device). The
fleet of 10,000 kiosks at one beat per 30 s is ~333 writes a second, so this route is built for it:

* ``async``: it takes no thread-pool slot and no DB session; it awaits the group-commit writer
  (:mod:`central.heartbeat_store`), which verifies the token and stores the beat in one transaction
  per batch. The 200 is sent only after that transaction committed.
* The bearer token is checked for presence and form here — 401 at once, before the body is even
  read (the route parses its body itself, after its dependencies; :class:`central.limits.JsonGuard`
  checks a body only when it is read) — and verified against the database by the writer, inside
  the storing transaction.
* A write that fails answers 503 (with ``Retry-After``): never a 200 for a beat that was not stored.

The reply carries the kiosk's pending remote commands (:mod:`central.fleet.commands`), marked
delivered by the writer in the same transaction that stored the beat, so each is delivered once.
The body may say what the kiosk is doing (``activity``: a session open, seconds since the last
touch, the screen shown), kept per device for the screenshot rule; older kiosks leave it out. It
may say which configuration bundle the kiosk runs (``bundle_version``): the fleet's version view
takes it when it is newer than the bundle poll's (:mod:`central.heartbeat_store`).

``GET /devices/me`` tells a kiosk how central registered it (id, office, name): ``kiosk diagnose``
compares the office with the kiosk's own config, because a kiosk proposing references of another
office has every case create refused (422).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from central.api import PREFIX
from central.api.body import json_body
from central.api.http import json_response, stored_or_503
from central.auth.devices import authenticate_device, bearer_token, split_token, unauthorised
from central.auth.principal import Principal
from central.deps import ClockDep, SessionDep, one_hop
from central.groupcommit import GroupCommit
from central.heartbeat_store import Beat, Result, heartbeat_writer
from central.problems import problem_responses
from central.schemas import HeartbeatIn, HeartbeatOut

router = APIRouter(prefix=PREFIX, tags=["devices"])
INTERVAL_S = 30
RETRY_AFTER_S = 5


def setup(app: FastAPI) -> None:
    """One writer per app (per engine); its thread starts on the first beat."""
    app.state.heartbeat_writer = heartbeat_writer(app.state.engine)


async def _bearer(request: Request) -> str:
    token = bearer_token(request)
    if token is None:
        raise unauthorised("A device bearer token is required.")
    return token


async def _well_formed_bearer(request: Request) -> str:
    token = await _bearer(request)
    if split_token(token) is None:
        raise unauthorised("The device token is not valid or has been revoked.")
    return token


HeartbeatBody, _HEARTBEAT_BODY = json_body(HeartbeatIn)
"""The body, read and validated only after the token was looked at (:mod:`central.api.body`)."""


TokenDep = Annotated[str, Depends(_bearer)]


@router.post(
    "/devices/heartbeat",
    response_model=HeartbeatOut,
    responses=problem_responses(400, 401, 413, 422, 503),
    openapi_extra=_HEARTBEAT_BODY,
)
async def heartbeat(
    request: Request,
    token: Annotated[str, Depends(_well_formed_bearer)],
    body: Annotated[HeartbeatIn, HeartbeatBody],
    clock: ClockDep,
) -> Response:
    writer: GroupCommit[Beat, Result] = request.app.state.heartbeat_writer
    now = clock()
    activity = body.activity.model_dump() if body.activity is not None else None
    beat = Beat(token, now, body.software_version, body.outbox_depth, body.device_states, activity,
                body.bundle_version)  # fmt: skip
    stored = await stored_or_503(writer, beat, "heartbeat", RETRY_AFTER_S)
    if stored is None:
        raise unauthorised("The device token is not valid or has been revoked.")
    request.state.principal = Principal(kind="device", id=stored.device_id, office=stored.office)
    return json_response(
        {
            "device_id": stored.device_id,
            "received_at": now.isoformat(),
            "interval_s": INTERVAL_S,
            "commands": list(stored.commands),
        }
    )


class DeviceMe(BaseModel):
    device_id: str = Field(description="The id in the device's bearer token")
    office: str = Field(description="The office the device was registered under (add-device)")
    name: str = Field(description="The name given at registration")


@router.get(
    "/devices/me",
    response_model=DeviceMe,
    responses=problem_responses(401),
    summary="How central registered the calling kiosk",
    description=(
        "The calling device's id, office and name, as registered with "
        "`kiosk-central add-device`. A kiosk compares the office with its own configuration: "
        "references it proposes must carry this office's code, or case creates are refused "
        "(422). The token is checked against the database on every call (no cache), so a "
        "revoked token answers 401 at once."
    ),
)
@one_hop
def me(request: Request, token: TokenDep, session: SessionDep) -> DeviceMe:
    device = authenticate_device(session, token)
    if device is None:
        raise unauthorised("The device token is not valid or has been revoked.")
    request.state.principal = Principal(kind="device", id=device.id, office=device.office)
    return DeviceMe(device_id=device.id, office=device.office, name=device.name)

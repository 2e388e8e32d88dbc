"""``POST /api/v1/funnel``: a kiosk's batch of funnel events (device token).

The kiosk's relay sends what its outbox holds, oldest first, up to
:data:`central.measure.schemas.MAX_BATCH` events a request. The answer says how many were new,
how many were replays, and which (by index) were refused; 200 in every case where the batch had
the right shape, so the relay deletes the row — a refused event would be refused again forever.
The office and device come from the token, never from the body.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request

from central.api import PREFIX
from central.auth.devices import DeviceDep
from central.deps import CatalogueDep, ClockDep, SessionDep, one_hop
from central.measure.record import DEVICE_CHANNELS, record_events
from central.measure.schemas import FunnelBatch, FunnelBatchOut
from central.measure.zones import OfficeZones
from central.problems import problem_responses

router = APIRouter(prefix=PREFIX, tags=["measurement"])


def offices_file(catalogue_dir: Path) -> Path:
    env = os.environ.get("KIOSK_CENTRAL_OFFICES", "").strip()
    return Path(env) if env else Path(catalogue_dir).parent / "offices.toml"


def setup(app: FastAPI) -> None:
    """The office time zones, read once (tests may replace ``app.state.office_zones``)."""
    app.state.office_zones = OfficeZones.load(offices_file(app.state.settings.catalogue_dir))


@router.post(
    "/funnel",
    response_model=FunnelBatchOut,
    responses=problem_responses(401, 413, 422, 503),
    summary="Record a batch of funnel events (deduplicated by event_id)",
)
@one_hop
def post_funnel(
    request: Request,
    body: FunnelBatch,
    device: DeviceDep,
    session: SessionDep,
    catalogue: CatalogueDep,
    clock: ClockDep,
) -> FunnelBatchOut:
    return record_events(
        session.connection(),
        body.events,
        office=device.office,
        device_id=device.id,
        channels=DEVICE_CHANNELS,
        catalogue=catalogue.catalogue,
        zones=request.app.state.office_zones,
        now=clock(),
    )

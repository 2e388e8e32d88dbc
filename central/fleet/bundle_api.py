"""Bundles over HTTP (issue 14 item 3): the kiosk's poll and report, and the console's rollout page.

Device API, under ``/api/v1`` (the device token is checked against the database on every call, no
cache: a revoked kiosk gets nothing, at once):

* ``GET /devices/bundle?have=N``: the version this kiosk should run and, when it is newer than
  ``have``, the signed bundle itself; plus central's time (``now``), which the kiosk uses to judge
  expiry whatever its own clock says. The poll records what the kiosk runs (the fleet's version
  view). A kiosk offline during a rollout asks again when it returns and is served the version
  of its ring then. It also runs the automatic check of the open rollout (at most every
  :data:`CHECK_EVERY`, in central's clock), so no timer is needed on any node.
* ``POST /devices/bundle/report``: a bundle the kiosk refused (bad signature, expired, older, wrong
  key) or could not run; audited, and a failure of a canary is judged at once.

Console (``/staff/fleet/bundles``): the rollouts, every kiosk's version, and publish / promote /
promote to all / halt / roll back for admins, each a POST through the console's CSRF guard, each
audited. Publish signs the remote settings chosen in the form (:data:`FORM_SETTINGS`, blank: not
set) and, when ticked, central's current catalogue (``Settings.catalogue_dir``) as a new version
through :func:`central.fleet.rollout.publish_from`, the same path as ``kiosk-central bundles
publish``; a refusal (a value out of range, another rollout open, no key) is shown on the page and
nothing is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from central.api import PREFIX
from central.api.http import json_response
from central.auth.devices import authenticate_device, bearer_token, unauthorised
from central.auth.principal import Principal
from central.deps import ClockDep, SessionDep, end_reading, one_hop
from central.fleet import rollout
from central.fleet.bundles import BundleRefused, KeyUnavailable, Signer
from central.fleet.console import actor, is_admin
from central.problems import problem_responses
from central.staff.routes import StaffCtx, StaffForm, console_page, forbidden

api = APIRouter(prefix=PREFIX, tags=["fleet"])
console = APIRouter(prefix="/staff/fleet", include_in_schema=False)
CHECK_EVERY = timedelta(seconds=5)
MAX_VERSION = 2**31 - 1


FORM_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("idle.warning_after_s", "number", "Seconds without a touch before the kiosk asks"),
    ("idle.respond_s", "number", "Seconds the citizen has to answer (at least 20)"),
    ("idle.goodbye_s", "number", "Seconds the goodbye screen shows"),
    ("services.enabled", "list", "Services offered (ids, separated by spaces)"),
    ("texts.attract_notice", "bilingual", "Notice on the welcome screen"),
    ("texts.out_of_hours", "bilingual", "Message outside opening hours"),
)
"""The publish form's fields, one per :data:`central.fleet.bundles.REMOTE_KEYS` entry."""


def settings_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The remote settings the admin filled in (blank fields are not set); their checks are
    :func:`central.fleet.bundles.check_settings`'s, when the bundle is made."""
    out: dict[str, Any] = {}
    for key, kind, _label in FORM_SETTINGS:
        if kind == "number":
            raw = form.get(key, "").strip()
            if raw:
                try:
                    out[key] = int(raw)
                except ValueError:
                    raise BundleRefused(f"{key}: a whole number of seconds") from None
        elif kind == "list":
            ids = form.get(key, "").replace(",", " ").split()
            if ids:
                out[key] = ids
        else:
            texts = {lang: form.get(f"{key}.{lang}", "").strip() for lang in ("en", "cy")}
            if any(texts.values()):
                out[key] = texts
    return out


def _publish(request: Request, session: Session, form: dict[str, str], who: str,
             now: datetime) -> None:  # fmt: skip
    try:
        minutes = int(form.get("window_min", "") or 30)
    except ValueError:
        raise BundleRefused("the canary window is a whole number of minutes") from None
    canaries = form.get("canaries", "").replace(",", " ").split() or None
    folder = request.app.state.settings.catalogue_dir if form.get("catalogue") else None
    rollout.publish_from(session, signer_of(request), settings_from_form(form), folder, who, now,
                         canaries, timedelta(minutes=min(max(1, minutes), 24 * 60)))  # fmt: skip


def signer_of(request: Request) -> Signer:
    return Signer.from_file(request.app.state.settings.bundle_key_file)


def _check(request: Request, session: Session, now: datetime, force: bool = False) -> None:
    last = getattr(request.app.state, "bundle_checked_at", None)
    if not force and last is not None and now - last < CHECK_EVERY:
        return
    request.app.state.bundle_checked_at = now
    rollout.check(session, lambda: signer_of(request), now)


def _device(request: Request, session: Session) -> Principal:
    token = bearer_token(request)
    device = authenticate_device(session, token) if token else None
    if device is None:
        raise unauthorised("The device token is not valid or has been revoked.")
    principal = Principal(kind="device", id=device.id, office=device.office)
    request.state.principal = principal
    return principal


class BundleOut(BaseModel):
    target: int | None = Field(description="The version this kiosk should run (None: none yet)")
    now: datetime = Field(description="Central's time: judge the bundle's expiry by it")
    bundle: dict[str, object] | None = Field(
        description="version, payload (the signed canonical JSON, as text), signature (base64 "
        "Ed25519 over the payload's UTF-8 bytes), key_id; only when newer than ``have``"
    )


@api.get(
    "/devices/bundle",
    response_model=BundleOut,
    responses=problem_responses(401, 422),
    summary="The configuration bundle this kiosk should run (and report the one it runs)",
)
@one_hop
def device_bundle(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    have: Annotated[int | None, Query(ge=0, le=MAX_VERSION, description="Version it runs")] = None,
) -> Response:
    device = _device(request, session)
    now = clock()
    _check(request, session, now)
    want = rollout.target(session, device.id)
    bundle = None
    if want is not None and (have is None or want > have):
        bundle = rollout.served_bundle(session, want, now, lambda: signer_of(request))
    rollout.record_poll(session, device.id, have, want if bundle else None, now)
    session.commit()
    return json_response({"target": want, "now": now.isoformat(), "bundle": bundle})


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(default=None, ge=0, le=MAX_VERSION, description="Version it runs")
    status: Literal["refused", "failed"]
    about: int | None = Field(default=None, ge=0, le=MAX_VERSION, description="The bundle refused")
    detail: str = Field(default="", max_length=200)


@api.post(
    "/devices/bundle/report",
    status_code=204,
    responses=problem_responses(400, 401, 413, 422),
    summary="A bundle the kiosk refused (signature, expiry, version) or could not run",
)
@one_hop
def report(body: ReportIn, request: Request, session: SessionDep, clock: ClockDep) -> Response:
    device = _device(request, session)
    now = clock()
    rollout.report(session, device.id, body.version, body.status, body.about, body.detail, now)
    if body.status == "failed":
        _check(request, session, now, force=True)
    session.commit()
    return Response(status_code=204)


@console.get("/bundles")
@one_hop
def bundles_page(ctx: StaffCtx, session: SessionDep, clock: ClockDep, request: Request) -> Response:
    if not ctx.may("fleet"):
        return forbidden(ctx, f"Your role ({ctx.user.role}) has no access to the fleet view.")
    now = clock()
    _check(request, session, now, force=True)
    session.commit()
    office = None if ctx.may("all_offices") else ctx.user.office
    history = rollout.history(session)
    kiosks = rollout.kiosks(session, office)
    end_reading(session)
    newest = history[0] if history else None
    return console_page(
        "staff/fleet_bundles.html",
        ctx,
        history=history,
        newest=newest,
        kiosks=kiosks,
        canaries=set(newest.canaries or []) if newest else set(),
        buckets={k.id: rollout.bucket(k.id) for k in kiosks},
        stages=rollout.STAGES,
        admin=is_admin(ctx),
        may_publish=newest is None or newest.state not in rollout.OPEN,
        form_settings=FORM_SETTINGS,
        may_roll_back=newest is not None
        and newest.state != "rolled_back"
        and not (newest.reason or "").startswith("rollback of"),
        error=request.query_params.get("error", "")[:300],
        now=now,
    )


@console.post("/bundles/{action}")
@one_hop
def bundle_action(
    action: str, ctx: StaffCtx, session: SessionDep, clock: ClockDep, form: StaffForm,
    request: Request,
) -> Response:  # fmt: skip
    if not is_admin(ctx):
        return forbidden(ctx, "Only an admin publishes, promotes, halts or rolls back a rollout.")
    reason = form.get("reason", "").strip()[:300] or f"by hand ({ctx.user.id})"
    now = clock()
    try:
        if action == "publish":
            _publish(request, session, form, actor(ctx), now)
        elif action == "promote":
            rollout.promote(session, actor(ctx), now, to_all=form.get("to") == "all")
        elif action == "halt":
            rollout.halt(session, actor(ctx), now, reason)
        elif action == "rollback":
            rollout.rollback(session, signer_of(request), actor(ctx), now, reason)
        else:
            return forbidden(ctx, "No such action.")
    except (BundleRefused, KeyUnavailable) as exc:
        session.rollback()
        return RedirectResponse(f"/staff/fleet/bundles?error={quote(str(exc))}", status_code=303)
    session.commit()
    return RedirectResponse("/staff/fleet/bundles", status_code=303)

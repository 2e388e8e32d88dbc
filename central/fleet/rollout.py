"""Staged rollouts of signed bundles (issue 14 item 3): canaries, then waves, then every kiosk.

Why staged: a bad idle timeout or a broken catalogue on 300 kiosks at once strands citizens in 40
offices; on three canaries it is a halt and a rollback before anyone else sees it.

Rings: stage 0 is the canaries only — named at publish, else the :data:`CANARY_SHARE` of live
kiosks with the lowest hash of their id. Stage *i* > 0 adds every kiosk whose bucket (SHA-256 of its
id, mod 100) is below :data:`STAGES` [i]; the last stage is everyone. Deterministic: a kiosk is in the
same ring on every node and every poll, with nothing kept per kiosk.

What a kiosk should run (:func:`target`): the newest rollout's version if the kiosk is in a ring it
has reached (or it is complete), else the version before it. Versions only go up, so a rollback is
a *new* version carrying the earlier content, complete at once; kiosks that never took the bad one
receive the same content again under the new number.

Automatic halt and rollback (:func:`check`): while a rollout is active and its stage began less than
``window_s`` ago, a canary that was healthy when it began (:mod:`central.fleet.health`: ``ok`` or
``backlog``) and that has since been served the version regresses when it reports it could not run
it (failed apply, crash loop), goes silent, goes out of service or reports a device fault in a beat
after it was served (a canary's own report of a failure counts whatever its health was). One
regressed canary rolls the rollout back, as the actor ``system``.

Every act writes a ``fleet_audit`` row. Races: publishing takes the next version as primary key (a
second publisher fails on it); promote, halt and roll back are conditional UPDATEs on the state, so
two nodes checking one rollout roll it back once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db.models import Device, DeviceStatus
from central.fleet import bundles, health
from central.fleet.audit import audit
from central.fleet.bundles import BundleRefused, KeyUnavailable, Signer
from central.fleet.models import DeviceActivity, DeviceBundle, FleetBundle, FleetRollout

STAGES = (0, 10, 50, 100)
"""Percent of kiosks (by bucket) reached at each stage; stage 0 is the canaries alone."""
CANARY_SHARE = 0.02
WINDOW = timedelta(minutes=30)
REFRESH_BEFORE = timedelta(days=7)
HEALTHY = ("ok", "backlog")
REGRESSED = ("silent", "fault", "out_of_service")
OPEN = ("active", "halted")
DEVICE_BUNDLES = DeviceBundle.__table__


def bucket(device_id: str) -> int:
    return int.from_bytes(hashlib.sha256(device_id.encode()).digest()[:8], "big") % 100


def reached(device_id: str, rollout: Any) -> bool:
    if rollout.state == "complete" or device_id in (rollout.canaries or []):
        return True
    return rollout.stage > 0 and bucket(device_id) < STAGES[min(rollout.stage, len(STAGES) - 1)]


def latest(session: Session) -> FleetRollout | None:
    query = select(FleetRollout).order_by(FleetRollout.version.desc()).limit(1)
    return session.scalars(query).first()


def target(session: Session, device_id: str) -> int | None:
    """The version ``device_id`` should run now (None: no bundle was ever published)."""
    return should_run(latest(session), device_id)


def should_run(rollout: Any, device_id: str) -> int | None:
    """The version ``device_id`` should run under ``rollout`` (the newest; a row of
    ``fleet_rollouts`` read by the ORM or by Core), None when there is none."""
    if rollout is None:
        return None
    if rollout.state == "rolled_back":
        return rollout.previous
    return rollout.version if reached(device_id, rollout) else rollout.previous


def _live_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Device.id).where(Device.revoked_at.is_(None))))


def _health(session: Session, ids: list[str], now: datetime) -> dict[str, Any]:
    if not ids:
        return {}
    query = (
        select(
            Device.id,
            Device.name,
            Device.office,
            DeviceStatus.received_at,
            DeviceStatus.software_version,
            DeviceStatus.outbox_depth,
            DeviceStatus.device_states,
            DeviceActivity.screen,
        )  # fmt: skip
        .outerjoin(DeviceStatus, DeviceStatus.device_id == Device.id)
        .outerjoin(DeviceActivity, DeviceActivity.device_id == Device.id)
        .where(Device.id.in_(ids))
    )
    return {row.id: (row, health.assess(row, now)) for row in session.execute(query)}


def choose_canaries(session: Session, named: list[str] | None) -> list[str]:
    live = _live_ids(session)
    if named:
        unknown = sorted(set(named) - set(live))
        if unknown:
            raise BundleRefused(f"no such live kiosk: {', '.join(unknown)[:200]}")
        return sorted(set(named))
    ranked = sorted(live, key=lambda d: hashlib.sha256(d.encode()).digest())
    return ranked[: max(1, math.ceil(CANARY_SHARE * len(ranked)))] if ranked else []


def _store(
    session: Session, signer: Signer, version: int, content: dict[str, Any], kind: str,
    actor: str, now: datetime,
) -> None:  # fmt: skip
    body = bundles.payload(version, content.get("settings", {}), content.get("catalogue"), now)
    text = bundles.canonical(body)
    session.add(FleetBundle(version=version, payload=text, signature=signer.sign(text),
                            key_id=signer.key_id, kind=kind, created_by=actor[:80],
                            created_at=now))  # fmt: skip


def publish(
    session: Session,
    signer: Signer,
    settings: dict[str, Any],
    catalogue: dict[str, str] | None,
    actor: str,
    now: datetime,
    canaries: list[str] | None = None,
    window: timedelta = WINDOW,
) -> FleetRollout:
    """A new version, signed, out to its canaries. Refused while another rollout is open."""
    open_ = latest(session)
    if open_ is not None and open_.state in OPEN:
        raise BundleRefused(
            f"version {open_.version} is still {open_.state}: promote it to all or roll it back"
        )
    version = (session.scalar(select(func.max(FleetBundle.version))) or 0) + 1
    chosen = choose_canaries(session, canaries)
    seen = _health(session, chosen, now)
    previous = open_.version if open_ is not None and open_.state == "complete" else None
    if open_ is not None and open_.state == "rolled_back":
        previous = open_.previous
    _store(session, signer, version, {"settings": settings, "catalogue": catalogue}, "publish",
           actor, now)  # fmt: skip
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise BundleRefused("another bundle was published at the same moment; try again") from None
    rollout = FleetRollout(version=version, previous=previous, state="active", stage=0,
                           canaries=chosen,
                           baseline={d: seen[d][1].status for d in chosen if d in seen},
                           window_s=int(window.total_seconds()), stage_started_at=now,
                           updated_at=now)  # fmt: skip
    session.add(rollout)
    session.flush()
    audit(session, now, actor, "bundle_published",
          detail={"version": version, "canaries": chosen[:50], "previous": previous})  # fmt: skip
    return rollout


def publish_from(
    session: Session, signer: Signer, settings: dict[str, Any], catalogue_dir: Path | None,
    actor: str, now: datetime, canaries: list[str] | None = None, window: timedelta = WINDOW,
) -> FleetRollout:  # fmt: skip
    """:func:`publish` with the catalogue read from ``catalogue_dir`` (None: no catalogue): the
    one path of ``kiosk-central bundles publish`` and the console's publish form. An unreadable
    folder is :class:`BundleRefused`, nothing stored."""
    try:
        catalogue = bundles.read_catalogue(catalogue_dir) if catalogue_dir is not None else None
    except (OSError, ValueError) as exc:
        raise BundleRefused(f"cannot read the catalogue: {type(exc).__name__}") from None
    return publish(session, signer, settings, catalogue, actor, now, canaries, window)


def _move(session: Session, rollout: FleetRollout, states: tuple[str, ...], **values: Any) -> bool:
    done = session.execute(
        update(FleetRollout)
        .where(FleetRollout.version == rollout.version, FleetRollout.state.in_(states))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire(rollout)
    return bool(done.rowcount)


def _open(session: Session) -> FleetRollout:
    rollout = latest(session)
    if rollout is None or rollout.state not in OPEN:
        raise BundleRefused("no rollout is in progress")
    return rollout


def promote(session: Session, actor: str, now: datetime, to_all: bool = False) -> FleetRollout:
    """The next ring (or every kiosk); a halted rollout resumes with it."""
    rollout = _open(session)
    stage = len(STAGES) - 1 if to_all else min(rollout.stage + 1, len(STAGES) - 1)
    state = "complete" if stage == len(STAGES) - 1 else "active"
    before = rollout.stage
    if not _move(session, rollout, OPEN, stage=stage, state=state, stage_started_at=now,
                 updated_at=now, reason=None):  # fmt: skip
        raise BundleRefused("the rollout changed meanwhile; look again")
    audit(session, now, actor, "bundle_promoted",
          detail={"version": rollout.version, "from_stage": before, "stage": stage,
                  "percent": STAGES[stage]})  # fmt: skip
    return rollout


def halt(session: Session, actor: str, now: datetime, reason: str) -> FleetRollout:
    """No further rings; kiosks that have the version keep it until a rollback."""
    rollout = _open(session)
    if not _move(
        session, rollout, ("active",), state="halted", updated_at=now, reason=reason[:300]
    ):
        raise BundleRefused(f"version {rollout.version} is already halted")
    audit(
        session,
        now,
        actor,
        "bundle_halted",
        detail={"version": rollout.version, "reason": reason[:300]},
    )
    return rollout


def rollback(session: Session, signer: Signer, actor: str, now: datetime, reason: str) -> int:
    """Every kiosk back to the content before the newest rollout, as a new version; returns it."""
    rollout = latest(session)
    if rollout is None or rollout.state == "rolled_back" or _is_rollback(session, rollout):
        raise BundleRefused("nothing to roll back")
    bad, previous = rollout.version, rollout.previous
    if not _move(session, rollout, (*OPEN, "complete"), state="rolled_back", updated_at=now,
                 reason=reason[:300]):  # fmt: skip
        raise BundleRefused("the rollout changed meanwhile; look again")
    content: dict[str, Any] = {"settings": {}}
    if previous is not None:
        earlier = session.get(FleetBundle, previous)
        if earlier is not None:
            content = json.loads(earlier.payload)
    version = (session.scalar(select(func.max(FleetBundle.version))) or bad) + 1
    _store(session, signer, version, content, "rollback", actor, now)
    session.flush()
    session.add(FleetRollout(version=version, previous=previous, state="complete",
                             stage=len(STAGES) - 1, canaries=[], baseline={}, window_s=0,
                             stage_started_at=now, updated_at=now,
                             reason=f"rollback of {bad}"))  # fmt: skip
    session.flush()
    audit(session, now, actor, "bundle_rolled_back",
          detail={"version": bad, "new_version": version, "content_of": previous,
                  "reason": reason[:300]})  # fmt: skip
    return version


def _is_rollback(session: Session, rollout: FleetRollout) -> bool:
    bundle = session.get(FleetBundle, rollout.version)
    return bundle is not None and bundle.kind == "rollback"


def regressions(session: Session, rollout: FleetRollout, now: datetime) -> list[tuple[str, str]]:
    """Canaries that could not run ``rollout``'s version, or that were healthy when it began and
    regressed after being served it."""
    canaries = list(rollout.canaries or [])
    if not canaries:
        return []
    query = select(DeviceBundle).where(DeviceBundle.device_id.in_(canaries))
    states = {b.device_id: b for b in session.scalars(query)}
    healthy = [d for d in canaries if (rollout.baseline or {}).get(d) in HEALTHY]
    seen = _health(session, healthy, now)
    found: list[tuple[str, str]] = []
    for device_id in canaries:
        mine = states.get(device_id)
        if mine is None or rollout.version not in (mine.version, mine.served_version,
                                                   mine.refused_version):  # fmt: skip
            continue
        if mine.status == "failed" and mine.refused_version == rollout.version:
            found.append((device_id, f"could not run it: {mine.detail or 'failed'}"))
            continue
        if device_id not in seen:
            continue
        row, now_health = seen[device_id]
        served = mine.served_at or mine.reported_at
        if now_health.status == "silent":
            found.append((device_id, "silent since it was served the bundle"))
        elif now_health.status in REGRESSED and row.received_at >= served:
            detail = "; ".join(now_health.problems)[:120] or now_health.label
            found.append((device_id, f"{now_health.label}: {detail}"))
    return found


def check(session: Session, signer: Callable[[], Signer], now: datetime) -> int | None:
    """Roll the newest rollout back by itself if a canary regressed within its window; returns the
    new version (or None). Without a readable key it halts instead, and says so."""
    rollout = latest(session)
    if rollout is None or rollout.state != "active":
        return None
    if now - rollout.stage_started_at > timedelta(seconds=rollout.window_s):
        return None
    found = regressions(session, rollout, now)
    if not found:
        return None
    reason = "canaries regressed: " + "; ".join(f"{d} {why}" for d, why in found[:5])
    try:
        try:
            key = signer()
        except KeyUnavailable as exc:
            halt(session, "system", now, f"{reason} (no rollback: {exc})")
            return None
        return rollback(session, key, "system", now, reason)
    except BundleRefused:
        return None  # another node (or an admin) acted on it first


def record_poll(
    session: Session, device_id: str, have: int | None, served: int | None, now: datetime
) -> None:
    """What the kiosk runs (``have``) and what it was just served; one upsert, only on change."""
    mine = session.get(DeviceBundle, device_id)
    if (
        mine is not None
        and mine.version == have
        and (served is None or mine.served_version == served)
    ):
        return
    values: dict[str, Any] = {"device_id": device_id, "version": have, "reported_at": now}
    if served is not None:
        values |= {"served_version": served, "served_at": now}
    if mine is None or mine.version != have:
        values |= {"status": "ok", "detail": None}
    _upsert(session, values)


def report(
    session: Session, device_id: str, have: int | None, status: str, about: int | None,
    detail: str, now: datetime,
) -> None:  # fmt: skip
    """A refused (tampered, expired, older, wrong key) or failed bundle, from the kiosk; audited."""
    _upsert(session, {"device_id": device_id, "version": have, "status": status,
                      "refused_version": about, "detail": detail[:200], "reported_at": now})  # fmt: skip
    audit(session, now, f"device:{device_id}", f"bundle_{status}", device_id=device_id,
          detail={"version": about, "running": have, "detail": detail[:200]})  # fmt: skip


def _upsert(session: Session, values: dict[str, Any]) -> None:
    """One kiosk's row; never over a newer report (a heartbeat's, :mod:`central.heartbeat_store`,
    may have said a newer version while this request ran)."""
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row = {"status": "ok", **values}
    stmt = insert_(DEVICE_BUNDLES).values(row)
    changes = {k: stmt.excluded[k] for k in values if k != "device_id"}
    newer = DEVICE_BUNDLES.c.reported_at <= stmt.excluded.reported_at
    session.execute(
        stmt.on_conflict_do_update(index_elements=["device_id"], set_=changes, where=newer)
    )


def kiosks(session: Session, office: str | None = None) -> list[Any]:
    """Every live kiosk with the bundle it runs (for the console and ``bundles status``)."""
    query = (
        select(
            Device.id,
            Device.name,
            Device.office,
            DeviceBundle.version,
            DeviceBundle.status,
            DeviceBundle.refused_version,
            DeviceBundle.detail,
            DeviceBundle.reported_at,
        )  # fmt: skip
        .outerjoin(DeviceBundle, DeviceBundle.device_id == Device.id)
        .where(Device.revoked_at.is_(None))
        .order_by(Device.office, Device.name, Device.id)
    )
    if office is not None:
        query = query.where(Device.office == office)
    return list(session.execute(query))


def versions(session: Session, office: str | None = None) -> dict[str, int | None]:
    """Each kiosk's bundle version by device id (one query: the fleet page lists 10,000)."""
    query = select(DeviceBundle.device_id, DeviceBundle.version)
    if office is not None:
        query = query.join(Device, Device.id == DeviceBundle.device_id)
        query = query.where(Device.office == office)
    return {row.device_id: row.version for row in session.execute(query)}


def history(session: Session, limit: int = 20) -> list[FleetRollout]:
    query = select(FleetRollout).order_by(FleetRollout.version.desc()).limit(limit)
    return list(session.scalars(query))


def served_bundle(
    session: Session, version: int, now: datetime | None = None,
    signer: Callable[[], Signer] | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """The signed bundle as a kiosk receives it. One that expires within :data:`REFRESH_BEFORE`
    (a kiosk back after weeks off) is signed again first with fresh dates — same version, same
    content — so a late kiosk catches up instead of refusing it; without a key it goes as is."""
    found = session.get(FleetBundle, version)
    if found is None:
        return None
    if now is not None and signer is not None:
        body = json.loads(found.payload)
        if datetime.fromisoformat(body["expires_at"]) - now < REFRESH_BEFORE:
            try:
                key = signer()
            except KeyUnavailable:
                key = None
            if key is not None:
                fresh = bundles.payload(
                    version, body.get("settings", {}), body.get("catalogue"), now
                )
                found.payload = bundles.canonical(fresh)
                found.signature, found.key_id = key.sign(found.payload), key.key_id
                session.flush()
    return bundles.wire(found.version, found.payload, found.signature, found.key_id)

"""Remote commands: queued by an admin, pulled by the kiosk (heartbeat reply or long poll), answered.

States: ``queued`` → ``delivered`` → ``done`` / ``failed``; ``expired`` when a queued command was not
delivered by its ``expires_at`` or a delivered one was not answered within :data:`ANSWER_WITHIN`.
Every transition is one conditional UPDATE (``… WHERE state = 'queued' …``) and writes an audit row:

* delivery (:func:`deliver`) runs in the heartbeat writer's batch transaction or in the long poll's
  own short transaction; two of them racing for one kiosk's command — two beats, a beat and a poll,
  two server processes — update the row once: on PostgreSQL the loser waits for the row lock and
  then finds the state changed, on SQLite writers are serialised. A revoked kiosk never gets here
  (its token fails first).
* a screenshot is refused at queue time when the kiosk's latest heartbeat says a citizen session is
  open, the screen was touched less than :data:`QUIET_S` ago, or it shows a screen other than the
  attract or out-of-service screen; the kiosk checks the same rules again when it runs it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from central.db.models import Device
from central.fleet.audit import audit, audit_many, row
from central.fleet.models import (
    COMMAND_KINDS,
    CommandUpload,
    DeviceActivity,
    DeviceCommand,
)

COMMANDS = DeviceCommand.__table__
ACTIVITY = DeviceActivity.__table__
UPLOADS = CommandUpload.__table__

DELIVER_WITHIN = timedelta(hours=1)
"""A command not delivered within this is expired (the kiosk is off; queue it again)."""
ANSWER_WITHIN = timedelta(minutes=15)
"""A delivered command with no answer within this is expired (the kiosk died running it)."""
QUIET_S = 60
"""No screenshot within this many seconds of a touch."""
SCREENSHOT_SCREENS = ("attract", "out_of_service")
UPLOAD_KINDS = {"screenshot": "image/png", "diagnostics": "application/pdf"}
KEEP_UPLOAD = {"screenshot": timedelta(hours=24), "diagnostics": timedelta(days=30)}
MAX_MESSAGE = 300
MAX_RESULT_CHARS = 4000

LABELS = {
    "restart": "Restart the app",
    "reboot": "Reboot (between sessions)",
    "diagnostics": "Run diagnostics and upload the report",
    "test_slip": "Print a test slip",
    "out_of_service": "Out of service",
    "in_service": "Back in service",
    "fetch_config": "Fetch configuration now",
    "screenshot": "Screenshot",
}


class CommandRefused(ValueError):
    """The command cannot be queued (the message says why, for the admin)."""


@dataclass(frozen=True)
class Activity:
    session_active: bool
    idle_s: int | None
    screen: str | None
    received_at: datetime


def check_args(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """The arguments a kind takes, cleaned; :class:`CommandRefused` for anything else."""
    if kind not in COMMAND_KINDS:
        raise CommandRefused(f"unknown command {kind!r}")
    if kind != "out_of_service":
        return {}
    message = args.get("message")
    if not isinstance(message, dict):
        raise CommandRefused("out of service needs a message in English and in Welsh")
    clean = {}
    for lang in ("en", "cy"):
        text = message.get(lang)
        text = text.strip() if isinstance(text, str) else ""
        if not text or len(text) > MAX_MESSAGE:
            raise CommandRefused(
                f"out of service needs a message in English and in Welsh (1-{MAX_MESSAGE} "
                "characters each)"
            )
        clean[lang] = text
    return {"message": clean}


def activity(session: Session, device_id: str) -> Activity | None:
    found = session.get(DeviceActivity, device_id)
    if found is None:
        return None
    return Activity(found.session_active, found.idle_s, found.screen, found.received_at)


def screenshot_refusal(seen: Activity | None, now: datetime) -> str | None:
    """Why a screenshot may not be queued now, from the latest heartbeat; None when it may."""
    if seen is None:
        return None  # an older kiosk that does not report activity: it refuses by itself
    if seen.session_active:
        return "a citizen is using the kiosk (its latest heartbeat says a session is open)"
    if seen.idle_s is not None:
        idle = seen.idle_s + max(0.0, (now - seen.received_at).total_seconds())
        if idle < QUIET_S:
            return f"the kiosk was touched less than {QUIET_S} seconds ago"
    if seen.screen is not None and seen.screen not in SCREENSHOT_SCREENS:
        return f"the kiosk shows the {seen.screen} screen (only attract or out of service)"
    return None


def queue(
    session: Session,
    device_id: str,
    kind: str,
    args: dict[str, Any],
    actor: str,
    now: datetime,
) -> DeviceCommand:
    """Queue a command for a live kiosk (in the session's transaction; the caller commits — after
    a :class:`CommandRefused` too: a refused screenshot leaves its audit row to commit)."""
    clean = check_args(kind, args)
    device = session.get(Device, device_id)
    if device is None or device.revoked_at is not None:
        raise CommandRefused("no such kiosk, or it has been revoked")
    if kind == "screenshot":
        why = screenshot_refusal(activity(session, device_id), now)
        if why is not None:
            audit(session, now, actor, "refused", device_id=device_id, office=device.office,
                  detail={"kind": kind, "why": why})  # fmt: skip
            raise CommandRefused(f"screenshot refused: {why}")
    command = DeviceCommand(
        id="cmd_" + secrets.token_hex(8),
        device_id=device_id,
        kind=kind,
        args=clean,
        state="queued",
        requested_by=actor[:64],
        queued_at=now,
        expires_at=now + DELIVER_WITHIN,
    )
    session.add(command)
    session.flush()
    audit(session, now, actor, "queued", device_id=device_id, office=device.office,
          command_id=command.id, detail={"kind": kind, **clean})  # fmt: skip
    return command


def wire(r: Any) -> dict[str, Any]:
    return {"id": r.id, "kind": r.kind, "args": r.args or {}, "queued_at": r.queued_at.isoformat()}


def deliver(
    db: Session | Connection, device_ids: list[str], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Mark every deliverable command of ``device_ids`` delivered (one conditional UPDATE) and
    return them per device, oldest first, in the wire form. In ``db``'s transaction."""
    if not device_ids:
        return {}
    taken = db.execute(
        update(COMMANDS)
        .where(COMMANDS.c.device_id.in_(sorted(set(device_ids))))
        .where(  # a kiosk revoked after its command was queued never gets it
            COMMANDS.c.device_id.in_(
                select(Device.id).where(Device.id.in_(device_ids), Device.revoked_at.is_(None))
            )
        )
        .where(COMMANDS.c.state == "queued")
        .where(COMMANDS.c.expires_at > now)
        .values(state="delivered", delivered_at=now)
        .returning(
            COMMANDS.c.id,
            COMMANDS.c.device_id,
            COMMANDS.c.kind,
            COMMANDS.c.args,
            COMMANDS.c.queued_at,
        )  # fmt: skip
    ).all()
    out: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(taken, key=lambda r: (r.queued_at, r.id)):
        out.setdefault(r.device_id, []).append(wire(r))
    audit_many(db, [
        row(now, f"device:{r.device_id}", "delivered", device_id=r.device_id, command_id=r.id,
            detail={"kind": r.kind})
        for r in taken
    ])  # fmt: skip
    return out


def has_queued(db: Session | Connection, device_id: str, now: datetime) -> bool:
    """A cheap read: is anything waiting for this kiosk (the long poll's probe)?"""
    query = (
        select(COMMANDS.c.id)
        .where(COMMANDS.c.device_id == device_id, COMMANDS.c.state == "queued")
        .where(COMMANDS.c.expires_at > now)
        .limit(1)
    )
    return db.execute(query).first() is not None


class NotFound(LookupError):
    pass


class WrongState(ValueError):
    pass


def finish(
    session: Session,
    device_id: str,
    command_id: str,
    status: str,
    result: dict[str, Any],
    now: datetime,
) -> str:
    """The kiosk's answer: ``done`` or ``failed`` with a small result. A replay of the same answer
    is accepted again; :class:`NotFound` for another kiosk's or an unknown command,
    :class:`WrongState` when it is no longer delivered (expired, or answered otherwise)."""
    if status not in ("done", "failed"):
        raise WrongState("status must be done or failed")
    changed = session.execute(
        update(COMMANDS)
        .where(COMMANDS.c.id == command_id, COMMANDS.c.device_id == device_id)
        .where(COMMANDS.c.state == "delivered")
        .values(state=status, finished_at=now, result=result)
        .returning(COMMANDS.c.kind)
    ).first()
    if changed is None:
        found = session.execute(
            select(COMMANDS.c.state).where(
                COMMANDS.c.id == command_id, COMMANDS.c.device_id == device_id
            )
        ).first()
        if found is None:
            raise NotFound(command_id)
        if found.state == status:
            return status  # the same answer again (a retried request)
        raise WrongState(f"the command is {found.state}")
    audit(session, now, f"device:{device_id}", status, device_id=device_id,
          command_id=command_id, detail={"kind": changed.kind})  # fmt: skip
    return status


def expire(db: Session | Connection, now: datetime) -> int:
    """Expire what was never delivered or never answered, and drop uploads past their time."""
    gone = db.execute(
        update(COMMANDS)
        .where(
            or_(
                and_(COMMANDS.c.state == "queued", COMMANDS.c.expires_at <= now),
                and_(
                    COMMANDS.c.state == "delivered", COMMANDS.c.delivered_at <= now - ANSWER_WITHIN
                ),
            )
        )
        .values(state="expired", finished_at=now)
        .returning(COMMANDS.c.id, COMMANDS.c.device_id, COMMANDS.c.kind)
    ).all()
    audit_many(db, [
        row(now, "system", "expired", device_id=r.device_id, command_id=r.id,
            detail={"kind": r.kind})
        for r in gone
    ])  # fmt: skip
    db.execute(delete(UPLOADS).where(UPLOADS.c.expires_at <= now))
    return len(gone)


def sweep(engine: Any, now: datetime) -> dict[str, int]:
    """For the retention purge: expire overdue commands and drop uploads past their time
    (screenshots after 24 h) in one short transaction; counts per table."""
    with engine.begin() as conn:
        uploads = conn.execute(delete(UPLOADS).where(UPLOADS.c.expires_at <= now)).rowcount
        expired = expire(conn, now)
    return {"device_commands": expired, "command_uploads": max(0, uploads or 0)}


def store_upload(
    session: Session,
    device_id: str,
    command_id: str,
    content_type: str,
    data: bytes,
    now: datetime,
) -> None:
    """What a diagnostics or screenshot command brought back (replaces an earlier upload)."""
    command = session.get(DeviceCommand, command_id)
    if command is None or command.device_id != device_id:
        raise NotFound(command_id)
    expected = UPLOAD_KINDS.get(command.kind)
    if expected is None or content_type.split(";")[0].strip().lower() != expected:
        raise WrongState(f"a {command.kind} command takes no {content_type or 'such'} upload")
    if command.state not in ("delivered", "done"):
        raise WrongState(f"the command is {command.state}")
    if not data:
        raise WrongState("empty upload")
    session.execute(delete(UPLOADS).where(UPLOADS.c.command_id == command_id))
    session.add(CommandUpload(command_id=command_id, content_type=expected, data=data,
                              created_at=now, expires_at=now + KEEP_UPLOAD[command.kind]))  # fmt: skip
    audit(session, now, f"device:{device_id}", "uploaded", device_id=device_id,
          command_id=command_id, detail={"kind": command.kind, "bytes": len(data)})  # fmt: skip


def view_upload(
    session: Session, command_id: str, actor: str, now: datetime
) -> CommandUpload | None:
    """An upload still kept, its view audited (in the session's transaction; the caller commits)."""
    upload = session.get(CommandUpload, command_id)
    if upload is None or upload.expires_at <= now:
        return None
    command = session.get(DeviceCommand, command_id)
    audit(session, now, actor, "viewed", device_id=command.device_id if command else None,
          command_id=command_id, detail={"kind": command.kind if command else None})  # fmt: skip
    return upload


def for_device(session: Session, device_id: str, limit: int = 50) -> list[DeviceCommand]:
    query = select(DeviceCommand).where(DeviceCommand.device_id == device_id)
    return list(session.scalars(query.order_by(DeviceCommand.queued_at.desc()).limit(limit)))


def uploads_of(session: Session, command_ids: list[str], now: datetime) -> set[str]:
    if not command_ids:
        return set()
    query = select(UPLOADS.c.command_id).where(
        UPLOADS.c.command_id.in_(command_ids), UPLOADS.c.expires_at > now
    )
    return {r.command_id for r in session.execute(query)}


def upsert_activity(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """The heartbeat writer's upsert of what each kiosk said about its citizen activity (newest
    beat wins, like ``device_status``). ``rows``: device_id, received_at, session_active, idle_s,
    screen."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    insert_ = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert_(ACTIVITY)
    columns = ("received_at", "session_active", "idle_s", "screen")
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[ACTIVITY.c.device_id],
            set_={c: stmt.excluded[c] for c in columns},
            where=ACTIVITY.c.received_at <= stmt.excluded.received_at,
        ),
        sorted(rows, key=lambda r: r["device_id"]),
    )


def activity_row(device_id: str, received_at: datetime, body: dict[str, Any]) -> dict[str, Any]:
    idle = body.get("idle_s")
    screen = body.get("screen")
    return {
        "device_id": device_id,
        "received_at": received_at,
        "session_active": bool(body.get("session_active")),
        "idle_s": int(idle) if isinstance(idle, int | float) else None,
        "screen": screen[:32] if isinstance(screen, str) else None,
    }

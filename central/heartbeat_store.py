"""Heartbeats, written in batches by one writer thread (:mod:`central.groupcommit`).

One transaction per batch: read the ``devices`` rows of every token in it (one ``SELECT ... IN``),
verify each token (constant-time, a revoked device fails), insert a history row per verified beat
(one Core executemany) and upsert the latest status per device (one more). Authentication happens
*inside* the writing transaction, so a device revoked before the batch began can store nothing —
there is no token cache on this path and no revocation delay.

``device_status`` keeps the newest beat: within a batch the last one per device wins, and the upsert
only overwrites an older ``received_at``, so two server processes (``serve --workers N``) committing
out of order never move a device's status backwards.

The bundle version a beat reports (issue 14 item 3) goes to ``device_bundles`` — the one home of
what a kiosk runs, also written by its bundle poll (:func:`central.fleet.rollout.record_poll`) — only
when it differs from the stored one (read with the tokens, in the same query) and the beat is not
older than the stored report (the upsert's condition), so a steady fleet costs no extra statement
and a late poll or beat never moves a kiosk's version backwards.

Core statements on the tables, not ORM objects: no identity map, unit of work or per-row events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from central.auth.devices import secret_matches, split_token
from central.db.models import Device, DeviceStatus, Heartbeat
from central.fleet import commands as fleet_commands
from central.fleet.models import DeviceBundle
from central.groupcommit import GroupCommit

DEVICES = Device.__table__
HISTORY = Heartbeat.__table__
STATUS = DeviceStatus.__table__
RUNNING = DeviceBundle.__table__


@dataclass(frozen=True, slots=True)
class Beat:
    token: str
    received_at: datetime
    software_version: str
    outbox_depth: int
    device_states: dict[str, Any]
    activity: dict[str, Any] | None = None
    """What the kiosk said about its citizen activity (session open, idle seconds, screen)."""
    bundle_version: int | None = None
    """The configuration bundle version it runs (None: not said, or none installed)."""


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored beat: which device sent it (the token was valid), and the remote commands it
    takes back in the reply (marked delivered in the same transaction)."""

    device_id: str
    office: str
    commands: tuple[dict[str, Any], ...] = ()
    running: int | None = None
    """The bundle version stored for the device before this batch (``device_bundles``)."""


Result = Stored | None
"""Per beat: :class:`Stored`, or None when the token is unknown, wrong or revoked."""


def _status_upsert(dialect: str) -> Any:
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert_(STATUS)
    columns = ("received_at", "software_version", "outbox_depth", "device_states")
    return stmt.on_conflict_do_update(
        index_elements=[STATUS.c.device_id],
        set_={c: stmt.excluded[c] for c in columns},
        where=STATUS.c.received_at <= stmt.excluded.received_at,
    )


def _running_upsert(dialect: str) -> Any:
    """The bundle a beat says it runs: written only when it changed and the beat is not older than
    the stored report (a status of ``ok`` again: a new version starts with no complaint)."""
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert_(RUNNING).values(status="ok")
    return stmt.on_conflict_do_update(
        index_elements=[RUNNING.c.device_id],
        set_={
            "version": stmt.excluded.version,
            "reported_at": stmt.excluded.reported_at,
            "status": "ok",
            "detail": None,
        },
        where=RUNNING.c.version.is_distinct_from(stmt.excluded.version)
        & (RUNNING.c.reported_at <= stmt.excluded.reported_at),
    )


def verify(conn: Connection, tokens: Sequence[str]) -> list[Result]:
    """Check every token against its device row (read in one query)."""
    parts = [split_token(t) for t in tokens]
    ids = {p[0] for p in parts if p is not None}
    rows = {}
    if ids:
        query = select(DEVICES.c.id, DEVICES.c.office, DEVICES.c.token_hash, DEVICES.c.revoked_at,
                       RUNNING.c.version).outerjoin(RUNNING, RUNNING.c.device_id == DEVICES.c.id)  # fmt: skip
        rows = {r.id: r for r in conn.execute(query.where(DEVICES.c.id.in_(ids)))}
    results: list[Result] = []
    for part in parts:
        if part is None:
            results.append(None)
            continue
        row = rows.get(part[0])
        ok = secret_matches(part[1], row.token_hash if row is not None else None)
        live = ok and row is not None and row.revoked_at is None
        stored = Stored(row.id, row.office, running=row.version) if live and row else None
        results.append(stored)
    return results


def write_batch(engine: Engine, beats: Sequence[Beat]) -> list[Result]:
    """Verify and store ``beats`` in one transaction; committed when this returns."""
    with engine.begin() as conn:
        results = verify(conn, [b.token for b in beats])
        history: list[dict[str, Any]] = []
        latest: dict[str, dict[str, Any]] = {}
        activity: dict[str, dict[str, Any]] = {}
        running: dict[str, dict[str, Any]] = {}
        for beat, stored in zip(beats, results, strict=True):
            if stored is None:
                continue
            row = {
                "device_id": stored.device_id,
                "received_at": beat.received_at,
                "software_version": beat.software_version,
                "outbox_depth": beat.outbox_depth,
                "device_states": beat.device_states,
            }
            history.append(row)
            current = latest.get(stored.device_id)
            if current is None or current["received_at"] <= beat.received_at:
                latest[stored.device_id] = row
                running.pop(stored.device_id, None)  # the newest beat's word only
                if beat.bundle_version is not None and beat.bundle_version != stored.running:
                    running[stored.device_id] = {
                        "device_id": stored.device_id,
                        "version": beat.bundle_version,
                        "reported_at": beat.received_at,
                    }
                if beat.activity is not None:
                    activity[stored.device_id] = fleet_commands.activity_row(
                        stored.device_id, beat.received_at, beat.activity
                    )
        if history:
            conn.execute(insert(HISTORY), history)
            # In device order: writers of several server processes lock the rows in one order.
            rows = sorted(latest.values(), key=lambda row: row["device_id"])
            conn.execute(_status_upsert(engine.dialect.name), rows)
            fleet_commands.upsert_activity(conn, list(activity.values()))
            if running:
                rows = [running[d] for d in sorted(running)]
                conn.execute(_running_upsert(engine.dialect.name), rows)
            # Pending remote commands ride back on the reply: marked delivered here, in this
            # transaction, so the 200 that carries them is sent only once that is committed.
            pending = fleet_commands.deliver(conn, list(latest), max(b.received_at for b in beats))
            if pending:
                results = _with_commands(results, pending)
    return results


def _with_commands(results: list[Result], pending: dict[str, list[dict[str, Any]]]) -> list[Result]:
    """Each device's commands on its first stored beat of the batch (never on two)."""
    out: list[Result] = []
    for stored in results:
        commands = pending.pop(stored.device_id, None) if stored is not None else None
        out.append(replace(stored, commands=tuple(commands)) if commands and stored else stored)
    return out


def heartbeat_writer(engine: Engine, **options: Any) -> GroupCommit[Beat, Result]:
    return GroupCommit(lambda beats: write_batch(engine, beats), name="heartbeat-writer", **options)

"""Fleet alerts (issue 14 item 5): rules over what the kiosks' heartbeats report, kept as rows, sent
by webhook and e-mail (:mod:`central.fleet.notify`), deduplicated, cleared by themselves.

Rules (per kiosk; a kiosk never seen has none):

* ``silent`` — no heartbeat for two intervals (two missed beats), however it ended;
* ``device_fault`` — a device reports a fault or is not ready (paper near its end excepted);
* ``paper_near_end`` — the receipt printer's paper is near its end (staff should change the roll);
* ``outbox_backlog`` — :data:`central.fleet.health.BACKLOG` or more cases wait in its outbox;
* ``version_drift`` — it runs another software version than the fleet's (``KIOSK_CENTRAL_ALERT_
  VERSION``, else the version most kiosks run), or another configuration bundle than the rollout
  gives it (:func:`central.fleet.rollout.should_run`) two beats after the rollout last moved — the
  version its heartbeat or its bundle poll last said, whichever is newer. A kiosk that never spoke
  of bundles (no key pinned) is not judged on them;
* ``crash_loop`` — its crash-loop guard tripped (the ``watchdog`` entry of its device states);
* ``out_of_service`` — it shows the out-of-service screen (a command, or the crash-loop guard).

While a kiosk is silent only ``silent`` is judged: its other facts are stale, so its other alerts
stay as they were until it speaks again.

Lifecycle: a rule that holds opens an alert unless one is open for that kiosk × rule (a partial
unique index: never two, even from two nodes at once); one that no longer holds resolves it. Each
opening and each resolution is a *notice*; a notice is claimed by a conditional UPDATE of its
``*_sent_at`` column in its own transaction before it is sent, so of several nodes evaluating at
once exactly one sends it. When every channel fails the claim is given back and the next pass
tries again. Outside the office's opening hours notices are held (the rows wait) and go out when it
opens — quiet at night, nothing lost.

One pass (:func:`run_pass`) evaluates the rules, records availability
(:mod:`central.fleet.availability`) and sends what is due. It runs from ``kiosk-central alerts
evaluate`` (a timer) or the background task of ``serve`` (:class:`AlertLoop`).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from catalogue.opening_hours import ALWAYS, OpeningHours
from central.api.devices import INTERVAL_S
from central.db.models import Device
from central.fleet import availability, rollout
from central.fleet.health import _FLEET, BACKLOG, device_problems
from central.fleet.models import FleetAlert, FleetRollout
from central.fleet.notify import Channel, Notice, NotifyError

__all__ = ["RULES", "AlertLoop", "Finding", "PassResult", "findings", "open_alerts", "run_pass"]

log = logging.getLogger(__name__)

RULES = (
    "silent",
    "device_fault",
    "paper_near_end",
    "outbox_backlog",
    "version_drift",
    "crash_loop",
    "out_of_service",
)
SILENT_AFTER = timedelta(seconds=2 * INTERVAL_S + 5)
"""Two missed beats (and a few seconds for a beat in flight)."""
WATCHDOG = "watchdog"
NEAR_END = "paper_near_end"
TABLE = FleetAlert.__table__
HoursFor = Callable[[str], OpeningHours]


@dataclass(frozen=True)
class Finding:
    rule: str
    detail: str


def _faults(states: Any) -> tuple[list[str], list[str], bool]:
    """(device fault lines, paper-near-end devices, crash loop) from a beat's device states."""
    if not isinstance(states, dict):
        return [], [], False
    crash = isinstance(states.get(WATCHDOG), dict) and states[WATCHDOG].get("state") == "crash_loop"
    near: list[str] = []
    hardware: dict[str, Any] = {}
    for name, snap in list(states.items())[:64]:
        if name == WATCHDOG or not isinstance(snap, dict):
            continue
        faults = snap.get("faults") if isinstance(snap.get("faults"), list) else []
        codes = {f.get("code") for f in faults if isinstance(f, dict)}
        if NEAR_END in codes:
            near.append(str(name)[:64])
        rest = [f for f in faults if not (isinstance(f, dict) and f.get("code") == NEAR_END)]
        if rest or (not faults and snap.get("state") not in (None, "idle", "busy")):
            hardware[name] = {**snap, "faults": rest}
    return list(device_problems(hardware)), near, crash


def findings(
    row: Any, now: datetime, expected_version: str | None, expected_bundle: int | None = None
) -> tuple[set[str], list[Finding]]:
    """(the rules judged, the ones that hold) for one kiosk's row of the fleet query;
    ``expected_bundle``: the bundle it should run by now (None: not judged)."""
    if row.received_at is None:
        return set(), []
    if now - row.received_at > SILENT_AFTER:
        minutes = int((now - row.received_at).total_seconds() // 60)
        return {"silent"}, [Finding("silent", f"no heartbeat for {minutes} min")]
    found: list[Finding] = []
    hardware, near, crash = _faults(row.device_states)
    if hardware:
        found.append(Finding("device_fault", "; ".join(hardware)[:300]))
    if near:
        found.append(Finding(NEAR_END, "paper near its end: " + ", ".join(near)))
    if row.outbox_depth is not None and row.outbox_depth >= BACKLOG:
        found.append(Finding("outbox_backlog", f"{row.outbox_depth} cases wait in the outbox"))
    drift: list[str] = []
    if expected_version and row.software_version and row.software_version != expected_version:
        drift.append(f"runs {row.software_version[:64]}, the fleet runs {expected_version[:64]}")
    running = getattr(row, "bundle_version", None)
    if expected_bundle is not None and running != expected_bundle:
        said = f"bundle {running}" if running is not None else "no bundle"
        drift.append(f"runs {said}, should run bundle {expected_bundle}")
    if drift:
        found.append(Finding("version_drift", "; ".join(drift)))
    if crash:
        found.append(Finding("crash_loop", "restarted over and over: out of service by itself"))
    if row.screen == "out_of_service":
        found.append(Finding("out_of_service", "the out-of-service screen is showing"))
    return set(RULES), found


def _insert_alerts(conn: Connection) -> Any:
    insert_ = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    return insert_(TABLE).on_conflict_do_nothing(
        index_elements=[TABLE.c.device_id, TABLE.c.rule], index_where=text("resolved_at IS NULL")
    )


@dataclass
class PassResult:
    opened: int = 0
    resolved: int = 0
    sent: int = 0
    held: int = 0
    failed: int = 0
    intervals: int = 0
    errors: list[str] = field(default_factory=list)


def _fleet_version(rows: Sequence[Any], now: datetime) -> str | None:
    live = Counter(
        r.software_version for r in rows if r.received_at and now - r.received_at <= SILENT_AFTER
    )
    return live.most_common(1)[0][0] if live else None


def _bundle_due(conn: Connection, now: datetime) -> Callable[[Any], int | None]:
    """Per fleet row: the bundle it should run, once the newest rollout has stood still for two
    beats (a kiosk catches up on its next beat); None while it may still be catching up."""
    table = FleetRollout.__table__
    newest = conn.execute(select(table).order_by(table.c.version.desc()).limit(1)).first()
    if newest is None or now - max(newest.stage_started_at, newest.updated_at) <= SILENT_AFTER:
        return lambda row: None

    def due(row: Any) -> int | None:
        if getattr(row, "bundle_reported_at", None) is None:
            return None
        return rollout.should_run(newest, row.id)

    return due


def evaluate(
    conn: Connection, now: datetime, hours_for: HoursFor, expected_version: str | None = None
) -> PassResult:
    """Open and resolve alerts and record availability, in ``conn``'s transaction."""
    result = PassResult()
    rows = list(conn.execute(_FLEET))
    version = expected_version or _fleet_version(rows, now)
    bundle_for = _bundle_due(conn, now)
    open_now: dict[str, dict[str, int]] = {}
    query = select(TABLE.c.id, TABLE.c.device_id, TABLE.c.rule).where(TABLE.c.resolved_at.is_(None))
    for r in conn.execute(query):
        open_now.setdefault(r.device_id, {})[r.rule] = r.id
    to_open: list[dict[str, Any]] = []
    to_resolve: list[int] = []
    states: dict[str, tuple[str, str, datetime]] = {}
    for row in rows:
        judged, found = findings(row, now, version, bundle_for(row))
        holding = {f.rule for f in found}
        mine = open_now.get(row.id, {})
        for f in found:
            if f.rule not in mine:
                to_open.append({"device_id": row.id, "office": row.office, "rule": f.rule,
                                "detail": f.detail, "opened_at": now})  # fmt: skip
        to_resolve += [i for rule, i in mine.items() if rule in judged and rule not in holding]
        facts = {
            "last_seen": row.received_at,
            "out_of_service": bool(holding & {"out_of_service", "crash_loop"}),
            "hardware_fault": "device_fault" in holding,
        }
        state = availability.state_of(facts, now, hours_for(row.office), SILENT_AFTER)
        if state is not None:
            since = row.received_at if state == "offline" else now
            states[row.id] = (row.office, state, since)
    if to_open:
        result.opened = len(conn.execute(_insert_alerts(conn).returning(TABLE.c.id), to_open).all())
    if to_resolve:
        done = conn.execute(
            update(TABLE)
            .where(TABLE.c.id.in_(to_resolve), TABLE.c.resolved_at.is_(None))
            .values(resolved_at=now)
        )
        result.resolved = done.rowcount or 0
    result.intervals = availability.record(conn, now, states)
    return result


_PENDING = (
    select(
        TABLE.c.id,
        TABLE.c.device_id,
        TABLE.c.office,
        TABLE.c.rule,
        TABLE.c.detail,
        TABLE.c.opened_at,
        TABLE.c.resolved_at,
        TABLE.c.open_sent_at,
        TABLE.c.resolved_sent_at,
        Device.name,
    )  # fmt: skip
    .join(Device, Device.id == TABLE.c.device_id)
    .where(
        TABLE.c.open_sent_at.is_(None)
        | (TABLE.c.resolved_at.is_not(None) & TABLE.c.resolved_sent_at.is_(None))
    )
    .order_by(TABLE.c.id)
    .limit(500)
)


def _claim(engine: Engine, ids: Sequence[int], column: str, now: datetime) -> set[int]:
    """Mark these notices as this node's to send; returns the ids it got (one UPDATE … RETURNING:
    a row another node claimed first no longer matches ``IS NULL``)."""
    if not ids:
        return set()
    col = TABLE.c[column]
    with engine.begin() as conn:
        rows = conn.execute(
            update(TABLE)
            .where(TABLE.c.id.in_(ids), col.is_(None))
            .values({column: now})
            .returning(TABLE.c.id)
        )
        return {r.id for r in rows}


def _give_back(engine: Engine, ids: Sequence[int], column: str) -> None:
    if ids:
        with engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.id.in_(ids)).values({column: None}))


def _deliver(notice: Notice, channels: Sequence[Channel], result: PassResult) -> bool:
    delivered = False
    for channel in channels:
        try:
            channel.send(notice)
            delivered = True
        except NotifyError as exc:
            result.errors.append(str(exc))
            log.warning("alert %s not sent: %s", notice.alert_id, exc)
    return delivered or not channels


def _notice(r: Any, event: str) -> Notice:
    resolved_at = r.resolved_at if event == "resolved" else None
    return Notice(event, r.id, r.device_id, r.name, r.office, r.rule, r.detail, r.opened_at,
                  resolved_at)  # fmt: skip


def send_due(
    engine: Engine, now: datetime, hours_for: HoursFor, channels: Sequence[Channel]
) -> PassResult:
    """Send the notices due (in their office's opening hours; at most 500 a pass), openings first,
    then the resolutions whose opening has been told, each batch claimed in one statement."""
    result = PassResult()
    with engine.connect() as conn:
        pending = list(conn.execute(_PENDING))
    due = [r for r in pending if hours_for(r.office).is_open(now)]
    result.held = len(pending) - len(due)
    told = {r.id for r in due if r.open_sent_at is not None}
    for event, column in (("opened", "open_sent_at"), ("resolved", "resolved_sent_at")):
        if event == "opened":
            wanted = [r for r in due if r.open_sent_at is None]
        else:
            wanted = [r for r in due if r.resolved_at is not None and r.id in told]
        mine = _claim(engine, [r.id for r in wanted], column, now)
        failed: list[int] = []
        for r in wanted:
            if r.id not in mine:
                continue  # another node has it
            if _deliver(_notice(r, event), channels, result):
                result.sent += 1
                told.add(r.id)
            else:
                failed.append(r.id)
        _give_back(engine, failed, column)
        result.failed += len(failed)
    return result


def run_pass(
    engine: Engine,
    now: datetime,
    hours_for: HoursFor = lambda _office: ALWAYS,
    channels: Sequence[Channel] = (),
    expected_version: str | None = None,
) -> PassResult:
    """One fleet pass: evaluate (one transaction), then send what is due."""
    with engine.begin() as conn:
        result = evaluate(conn, now, hours_for, expected_version)
    sent = send_due(engine, now, hours_for, channels)
    result.sent, result.held, result.failed, result.errors = (
        sent.sent, sent.held, sent.failed, sent.errors,
    )  # fmt: skip
    return result


def open_alerts(conn: Connection, office: str | None = None) -> list[Any]:
    """Open alerts, oldest first, with the kiosk's name."""
    query = (
        select(
            TABLE.c.id,
            TABLE.c.device_id,
            Device.name,
            TABLE.c.office,
            TABLE.c.rule,
            TABLE.c.detail,
            TABLE.c.opened_at,
            TABLE.c.open_sent_at,
        )  # fmt: skip
        .join(Device, Device.id == TABLE.c.device_id)
        .where(TABLE.c.resolved_at.is_(None))
        .order_by(TABLE.c.opened_at, TABLE.c.id)
    )
    if office is not None:
        query = query.where(TABLE.c.office == office)
    return list(conn.execute(query))


class AlertLoop:
    """``serve``'s background task: a pass every ``period_s`` in a daemon thread; never raises."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], period_s: float = 30.0,
                 **pass_kw: Any) -> None:  # fmt: skip
        self.engine, self.clock, self.period_s, self.pass_kw = engine, clock, period_s, pass_kw
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> AlertLoop:
        self._thread = threading.Thread(target=self._run, name="fleet-alerts", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            try:
                run_pass(self.engine, self.clock(), **self.pass_kw)
            except Exception:  # noqa: BLE001 - the next pass tries again
                log.exception("fleet alert pass failed")


def hours_from_offices(catalogue_dir: Path) -> HoursFor:
    """Each office's opening hours from offices.toml (beside the catalogue). A file that cannot be
    read gives every office :data:`ALWAYS` (alerts at once: the safe side) and one warning."""
    from central.web.offices import OfficesError, load, path_for

    try:
        offices = load(path_for(catalogue_dir))
    except OfficesError as exc:
        log.warning("opening hours unknown, alerts are never held: %s", exc)
        return lambda _office: ALWAYS
    table = {o.id: o.hours for o in offices.offices}
    return lambda office: table.get(office, ALWAYS)


def start_loop(
    engine: Engine, catalogue_dir: Path, clock: Callable[[], datetime]
) -> AlertLoop | None:
    """``serve``'s pass every ``KIOSK_CENTRAL_ALERT_PERIOD_S`` seconds (30; ``0``: none, when a
    timer runs ``kiosk-central alerts evaluate`` instead). Every node may run it: claims make each
    notice go out once."""
    import os

    from central.fleet.notify import AlertSettings, channels_from

    raw = os.environ.get("KIOSK_CENTRAL_ALERT_PERIOD_S", "30").strip()
    period = float(raw) if raw.replace(".", "", 1).isdigit() else 30.0
    if period <= 0:
        return None
    settings = AlertSettings.from_env()
    for problem in settings.problems():
        log.warning("fleet alerts: %s", problem)
    return AlertLoop(
        engine, clock, period, hours_for=hours_from_offices(catalogue_dir),
        channels=channels_from(settings), expected_version=settings.expected_version,
    ).start()  # fmt: skip

"""Each kiosk's health from its registration and its latest heartbeat (``device_status``).

A kiosk is, worst first:

* ``silent`` — no heartbeat for :data:`SILENT_AFTER` (three missed beats): off, crashed or cut off;
* ``never`` — registered but has never sent a heartbeat (not installed yet, or a wrong token);
* ``out_of_service`` — an admin put it out of service (a remote command) and it shows so;
* ``fault`` — its last heartbeat says a device has a fault or is not ready (out of paper, unplugged);
* ``backlog`` — :data:`BACKLOG` or more changes wait in its outbox (central refuses them, or the
  link is poor);
* ``ok``.

Revoked kiosks are not listed. The device states come from the kiosks — input like any other —
so they are read defensively: any shape is accepted, texts are cut to :data:`MAX_TEXT` characters
and the page escapes them. They carry conditions and counters only, never personal data (the
kiosk's fleet agent sends nothing else).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.api.devices import INTERVAL_S
from central.db.models import Device, DeviceStatus
from central.fleet.models import DeviceActivity, DeviceBundle

SILENT_AFTER = timedelta(seconds=3 * INTERVAL_S)
BACKLOG = 20
MAX_TEXT = 120
READY_STATES = frozenset({"idle", "busy"})
ORDER = ("silent", "never", "out_of_service", "fault", "backlog", "ok")
LABELS = {
    "silent": "Silent",
    "never": "Never seen",
    "out_of_service": "Out of service",
    "fault": "Device fault",
    "backlog": "Outbox backlog",
    "ok": "OK",
}


_FLEET = (
    select(
        Device.id,
        Device.name,
        Device.office,
        DeviceStatus.received_at,
        DeviceStatus.software_version,
        DeviceStatus.outbox_depth,
        DeviceStatus.device_states,
        DeviceActivity.screen,
        DeviceBundle.version.label("bundle_version"),
        DeviceBundle.reported_at.label("bundle_reported_at"),
    )  # fmt: skip
    .outerjoin(DeviceStatus, DeviceStatus.device_id == Device.id)
    .outerjoin(DeviceActivity, DeviceActivity.device_id == Device.id)
    .outerjoin(DeviceBundle, DeviceBundle.device_id == Device.id)
    .where(Device.revoked_at.is_(None))
)
"""Columns, not ORM objects: 10,000 kiosks are read in a fraction of the time."""


@dataclass(frozen=True)
class KioskHealth:
    device_id: str
    name: str
    office: str
    status: str
    last_seen: datetime | None
    software_version: str
    outbox_depth: int | None
    problems: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.status]

    def silent_for(self, now: datetime) -> timedelta | None:
        return None if self.last_seen is None else now - self.last_seen


def _text(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def device_problems(states: Any) -> tuple[str, ...]:
    """What the kiosk's devices report as wrong, one line each ("receipt-printer: Out of paper")."""
    if not isinstance(states, dict):
        return ()
    found: list[str] = []
    for name, snap in list(states.items())[:64]:
        if not isinstance(snap, dict):
            continue
        faults = snap.get("faults")
        messages = [
            _text(f.get("message") or f.get("code") or "fault") if isinstance(f, dict) else _text(f)
            for f in (faults if isinstance(faults, list) else [])[:8]
        ]
        state = snap.get("state")
        if not messages and isinstance(state, str) and state.lower() not in READY_STATES:
            messages = [_text(state)]
        found += [f"{_text(name)}: {m}" for m in messages]
    return tuple(found)


def assess(row: Any, now: datetime) -> KioskHealth:
    """One kiosk from a row of :data:`_FLEET` (its registration and, when it has beaten, its
    latest heartbeat; ``received_at`` is None when it never has)."""
    seen = row.received_at is not None
    problems = device_problems(row.device_states) if seen else ()
    if not seen:
        status = "never"
    elif now - row.received_at > SILENT_AFTER:
        status = "silent"
    elif row.screen == "out_of_service":
        status = "out_of_service"
    elif problems:
        status = "fault"
    elif row.outbox_depth >= BACKLOG:
        status = "backlog"
    else:
        status = "ok"
    return KioskHealth(
        device_id=row.id,
        name=row.name,
        office=row.office,
        status=status,
        last_seen=row.received_at,
        software_version=_text(row.software_version) if seen else "",
        outbox_depth=row.outbox_depth if seen else None,
        problems=problems,
    )


def fleet(session: Session, office: str | None, now: datetime) -> list[KioskHealth]:
    """Every kiosk not revoked (of ``office``, or all when None), worst first, then by office and
    name."""
    query = _FLEET if office is None else _FLEET.where(Device.office == office)
    kiosks = [assess(row, now) for row in session.execute(query)]
    return sorted(
        kiosks, key=lambda k: (ORDER.index(k.status), k.office, k.name.casefold(), k.device_id)
    )


def summary(kiosks: Iterable[KioskHealth]) -> list[tuple[str, str, int]]:
    """(status, label, count) for each status present, worst first."""
    counts = Counter(k.status for k in kiosks)
    return [(s, LABELS[s], counts[s]) for s in ORDER if counts[s]]


def by_office(kiosks: Iterable[KioskHealth]) -> list[tuple[str, int, list[tuple[str, str, int]]]]:
    """(office, kiosks, its :func:`summary`) per office, the offices with the most kiosks needing
    attention first: what an admin reads first across a whole fleet."""
    groups: dict[str, list[KioskHealth]] = {}
    for k in kiosks:
        groups.setdefault(k.office, []).append(k)
    rows = [(office, len(group), summary(group)) for office, group in groups.items()]
    return sorted(rows, key=lambda r: (-sum(n for s, _, n in r[2] if s != "ok"), r[0]))


def versions(kiosks: Iterable[KioskHealth]) -> list[tuple[str, int]]:
    """Software versions in the fleet and how many kiosks run each (a rollout at a glance)."""
    counts = Counter(k.software_version for k in kiosks if k.software_version)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

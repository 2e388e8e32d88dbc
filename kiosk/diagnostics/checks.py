"""One line of a diagnosis (:class:`Check`), and the two checks every way in shares.

Why one home: ``kiosk diagnose``, the readiness report, the technician's screen and central's
remote "diagnostics" command all print the same lines; a device's health result became a line in
three places and the disk check was written twice, and they drifted (different sentences for the
same disk). Now :func:`device_health` is the only translation of a driver's
:class:`~peripherals.model.HealthResult` into a line, and :func:`check_disk` the only disk check.

Failure model: a check never raises for a device problem. A driver's :class:`PeripheralError`
(the drivers translate serial, USB and CUPS errors into it at their edge) becomes a ``fault`` line
naming the device; anything else is left to :func:`kiosk.diagnostics.runner.guarded`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from peripherals.conditions import HealthLevel
from peripherals.errors import PeripheralError

__all__ = ["MIN_FREE_BYTES", "VERDICTS", "Check", "check_disk", "device_health"]

#: Less free space than this in the data dir is a fault: the outbox and the statistics live there.
MIN_FREE_BYTES = 200 * 1024 * 1024

VERDICTS = {"ok": "OK", "fault": "FAULT", "not_checked": "NOT CHECKED"}
"""How each status is printed on the report (the same words as ``kiosk diagnose``)."""


@dataclass
class Check:
    """One line of the diagnosis. status: "ok", "fault" or "not_checked"."""

    name: str
    kind: str
    status: str
    sentence: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "sentence": self.sentence,
            "details": self.details,
        }


class _Checkable(Protocol):
    def check_health(self, level: HealthLevel) -> Any: ...


def device_health(name: str, kind: str, device: _Checkable, level: HealthLevel) -> Check:
    """Ask an open device for its health at ``level``; its answer (or its error) as one line."""
    try:
        result = device.check_health(level)
    except PeripheralError as exc:
        return Check(name, kind, "fault", f"{name}: {exc}")
    details = {
        **result.details,
        "condition": result.condition.value,
        "faults": [f.to_dict() for f in result.faults],
    }
    return Check(name, kind, "ok" if result.ok else "fault", result.sentence, details)


def check_disk(data_dir: Path, *, usage: Any = shutil.disk_usage) -> Check:
    """Room left for the kiosk's data (``usage``: injected by tests for a full disk)."""
    data_dir = Path(data_dir)
    probe = data_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    found = usage(probe)
    free_mb = found.free // (1024 * 1024)
    details = {"path": str(data_dir), "free_bytes": found.free, "total_bytes": found.total}
    if found.free < MIN_FREE_BYTES:
        return Check(
            "disk",
            "disk",
            "fault",
            f"Only {free_mb} MB free for {data_dir} (at least {MIN_FREE_BYTES // 2**20} MB needed).",
            details,
        )
    return Check("disk", "disk", "ok", f"{free_mb} MB free for {data_dir}.", details)

"""What the technician's diagnostics screen asks the kiosk, without Kivy: every call may block.

:class:`DiagnosticsService` wraps the running app's :class:`~kiosk.runtime.devices.DeviceHub` (the
devices the app already has open — the diagnostics screen must not open them a second time), the
link check and the outbox. The screen (:mod:`screens.diagnostics`, Kivy only) calls these methods
on a worker thread and draws the returned :class:`~kiosk.diagnostics.checks.Check` lines.

Why it is here and not in ``screens/``: it is the kiosk's diagnostics seen from one front end, and
it runs the same checks through the same runner (:mod:`kiosk.diagnostics.runner`) as
``kiosk diagnose`` and the readiness report; a test drives it without a display.

Failure model: nothing here raises to the screen — a device error or a probe that blows up is a
``fault`` line (the runner's guard); a print that fails is a ``fault`` line too. Nothing here ever
holds citizen data: device snapshots carry states, faults and counters only, swipes and scans are
reported by their shape (tracks read, symbology, length), never their content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.diagnostics.checks import Check, check_disk, device_health
from kiosk.diagnostics.readiness import ReadinessReport
from kiosk.diagnostics.runner import Probes, guarded, run_checks
from peripherals.conditions import HealthLevel
from peripherals.errors import PeripheralError

__all__ = ["DeviceLine", "DiagnosticsService", "device_lines"]

log = logging.getLogger("kiosk.diagnostics")

#: statistics worth a technician's eye, in the order shown
STAT_ORDER = ("lines", "cuts", "swipes", "scans", "read_errors", "reconnects", "faults", "jobs")


@dataclass(frozen=True)
class DeviceLine:
    """One device as the technician sees it: no port secrets, no card data."""

    name: str
    kind: str
    state: str
    condition: str
    faults: tuple[str, ...]
    statistics: tuple[tuple[str, int], ...]
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.state in ("idle", "busy") and not self.faults

    def stats_text(self) -> str:
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.statistics)


def device_lines(states: dict[str, dict[str, Any]]) -> list[DeviceLine]:
    """The hub's snapshots as display lines, in configuration order."""
    lines = []
    for name, snap in states.items():
        stats = snap.get("statistics") or {}
        ordered = [k for k in STAT_ORDER if k in stats] + sorted(set(stats) - set(STAT_ORDER))
        lines.append(
            DeviceLine(
                name=name,
                kind=str(snap.get("kind", snap.get("driver", ""))),
                state=str(snap.get("state", "")),
                condition=str(snap.get("condition", "")),
                faults=tuple(
                    str(f.get("message", f.get("code", ""))) for f in snap.get("faults", [])
                ),
                statistics=tuple((k, int(stats[k])) for k in ordered if isinstance(stats[k], int)),
                note=str(snap.get("note", "")),
            )
        )
    return lines


class DiagnosticsService:
    """The running kiosk seen from the technician's screen.

    ``hub`` is the app's DeviceHub; ``config`` the KioskConfig; ``central_check`` and
    ``outbox_check`` answer a :class:`Check` each (defaults: :class:`Probes.for_config
    <kiosk.diagnostics.runner.Probes>`, which needs the device token). ``report_dir`` is where readiness reports are written.
    """

    def __init__(
        self,
        hub: Any,
        config: Any,
        *,
        central_check: Callable[[], Check] | None = None,
        outbox_check: Callable[[], Check] | None = None,
        office_check: Callable[[], Check] | None = None,
        log_tail: Any = None,
        report_dir: Path | None = None,
    ) -> None:
        self.hub = hub
        self.config = config
        self._injected = {"central": central_check, "outbox": outbox_check, "office": office_check}
        self.log_tail = log_tail
        self.report_dir = report_dir or Path(config.data_dir) / "reports"

    def _probes(self) -> Probes:
        return Probes.for_config(self.config).replace(**self._injected)

    # ---- what is there --------------------------------------------------------------------------
    def devices(self) -> list[DeviceLine]:
        return device_lines(self.hub.states())

    def kind_of(self, name: str) -> str:
        return str(self.hub.states().get(name, {}).get("kind", ""))

    def device_for(self, kind: str) -> Any:
        """The open device of this kind ("receipt_printer", "card_reader", "scanner", …)."""
        for name, snap in self.hub.states().items():
            if snap.get("kind") == kind:
                return self.hub.device(name)
        return None

    # ---- checks ---------------------------------------------------------------------------------
    def check_device(self, name: str, level: HealthLevel) -> Check:
        kind = f"device ({self.kind_of(name) or 'unknown'})"
        device = self.hub.device(name)
        if device is None:
            note = self.hub.states().get(name, {}).get("note", "not opened")
            return Check(name, kind, "fault", f"{name}: {note}.")
        return device_health(name, kind, device, level)

    def check_all(self, level: HealthLevel) -> list[Check]:
        """Every device at ``level``, then the disk, the central link, the office central knows
        this kiosk under, and the outbox (:func:`kiosk.diagnostics.runner.run_checks`)."""
        devices = [self.check_device(name, level) for name in self.hub.states()]
        return run_checks(devices, self._probes())

    def check_disk(self) -> Check:
        return guarded("disk", lambda: check_disk(Path(self.config.data_dir)))

    def central(self) -> Check:
        return guarded("central", self._probes().central)

    def office(self) -> Check:
        """Does central know this kiosk under the office kiosk.toml names? (A mismatch is why
        central would refuse every case this kiosk sends.)"""
        return guarded("office", self._probes().office)

    def outbox(self) -> Check:
        return guarded("outbox", self._probes().outbox)

    # ---- log ------------------------------------------------------------------------------------
    def log_lines(self, last: int = 40) -> list[str]:
        return self.log_tail.lines(last) if self.log_tail is not None else []

    # ---- the readiness report -------------------------------------------------------------------
    def report(
        self, checks: list[Check] | None, level: HealthLevel, extra: list[Check]
    ) -> ReadinessReport:
        """A :class:`ReadinessReport` of the last checks run (or fresh internal ones) plus the
        interactive results (``extra``)."""
        if not checks:
            checks, level = self.check_all(HealthLevel.INTERNAL), HealthLevel.INTERNAL
        statistics = {}
        for name in self.hub.states():
            device = self.hub.device(name)
            if device is not None:
                statistics[name] = device.statistics.snapshot()
        office = getattr(getattr(self.config, "office", None), "name", "")
        report = ReadinessReport.from_checks(
            checks, kiosk_id=self.config.kiosk_id, office=office, level=level.name.lower(),
            statistics=statistics,
        )  # fmt: skip
        return report.with_checks(*extra) if extra else report

    def export(self, report: ReadinessReport) -> Path:
        """Write the report as PDF into ``report_dir``; returns its path."""
        self.report_dir.mkdir(parents=True, exist_ok=True)
        stamp = report.created_at.strftime("%Y%m%d-%H%M%S")
        path = self.report_dir / f"readiness-{report.kiosk_id}-{stamp}.pdf"
        report.write_pdf(path)
        log.info("readiness report written (%s)", report.verdict)
        return path

    def print_report(self, report: ReadinessReport, pdf: Path) -> Check:
        """Print the report: A4 on the document printer when there is one, else a receipt slip."""
        document = self.device_for("document_printer")
        try:
            if document is not None:
                document.print_pdf(pdf.read_bytes(), "kiosk readiness report", timeout=60)
                return Check("report print", "print", "ok", "The report was printed on A4.")
            printer = self.device_for("receipt_printer")
            if printer is None:
                return Check("report print", "print", "fault", "There is no printer to print on.")
            width = getattr(getattr(printer, "profile", None), "width_chars", 42)
            printer.print_receipt(report.to_receipt(width))
        except (PeripheralError, OSError) as exc:
            return Check("report print", "print", "fault", f"The report did not print: {exc}")
        return Check(
            "report print", "print", "ok", "The report was printed on the receipt printer."
        )

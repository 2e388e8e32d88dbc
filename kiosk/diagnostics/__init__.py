"""The technician's diagnostics, without Kivy: the checks, one runner, the service the diagnostics
screen calls, the log tail, the touch-grid test and the readiness report.

Why one package: ``kiosk diagnose`` (:mod:`kiosk.device_commands`), the readiness report, the
technician's screen (:mod:`screens.diagnostics`, Kivy only) and central's remote diagnostics
command all print the same lines; they make them here (:mod:`.checks`, :mod:`.devices`,
:mod:`.link_checks`, :mod:`.office_check`) and run them all through :func:`.runner.run_checks`.

Failure model: no check raises to its caller; a device error or a probe that blows up is a
``fault`` line (see :mod:`.runner`).
"""

from __future__ import annotations

from kiosk.diagnostics.checks import Check
from kiosk.diagnostics.devices import check_live_device
from kiosk.diagnostics.log_tail import LogTail
from kiosk.diagnostics.readiness import ReadinessReport, speech_check, touch_check
from kiosk.diagnostics.runner import Probes, run_checks
from kiosk.diagnostics.touch_grid import Cell, TouchGrid

__all__ = [
    "Cell",
    "Check",
    "LogTail",
    "Probes",
    "ReadinessReport",
    "TouchGrid",
    "check_live_device",
    "run_checks",
    "speech_check",
    "touch_check",
]

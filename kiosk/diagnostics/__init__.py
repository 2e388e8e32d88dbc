"""The technician's diagnostics mode, without Kivy: log tail, touch-grid test, readiness report.

The screens in ``screens/`` draw these; the ``kiosk diagnose --report`` command and the
diagnostics screen produce the same :class:`ReadinessReport`.
"""

from __future__ import annotations

from kiosk.diagnostics.log_tail import LogTail
from kiosk.diagnostics.readiness import (
    Check,
    ReadinessReport,
    check_live_device,
    speech_check,
    touch_check,
)
from kiosk.diagnostics.touch_grid import Cell, TouchGrid

__all__ = [
    "Cell",
    "Check",
    "LogTail",
    "ReadinessReport",
    "TouchGrid",
    "check_live_device",
    "speech_check",
    "touch_check",
]

"""The diagnostics screen's service without Kivy: the office line joins every check run, and a
check that blows up becomes a fault line, never a traceback on the technician's screen."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from kiosk.diagnostics.checks import Check
from kiosk.diagnostics.service import DiagnosticsService
from peripherals.conditions import HealthLevel


class NoDevices:
    def states(self) -> dict:  # type: ignore[type-arg]
        return {}


def service(tmp_path: Path, office) -> DiagnosticsService:  # type: ignore[no-untyped-def]
    config = SimpleNamespace(data_dir=tmp_path, kiosk_id="k1")
    return DiagnosticsService(
        NoDevices(), config,
        central_check=lambda: Check("central", "link", "ok", "Central answers in 3 ms."),
        outbox_check=lambda: Check("outbox", "outbox", "ok", "0 waiting.", {"waiting": 0}),
        office_check=office,
    )  # fmt: skip


def test_every_check_run_compares_the_office_with_central(tmp_path: Path) -> None:
    wrong = Check("office", "link", "fault", "kiosk.toml says office A but central registered B")
    checks = service(tmp_path, lambda: wrong).check_all(HealthLevel.INTERNAL)
    assert [c.name for c in checks] == ["disk", "central", "office", "outbox"]
    assert checks[2] is wrong


def test_an_office_check_that_fails_is_a_fault_line(tmp_path: Path) -> None:
    def broken() -> Check:
        raise ConnectionResetError("peer went away")

    line = service(tmp_path, broken).office()
    assert (line.name, line.status) == ("office", "fault")
    assert line.sentence == "The office could not be checked (ConnectionResetError)."

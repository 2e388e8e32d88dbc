"""One runner for every way in: the lines come in one order, a probe that blows up is a fault line
that names what could not be checked (never the exception's text), a full disk is a fault, and the
technician's service (no Kivy in it) runs the same checks as ``kiosk diagnose``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from kiosk.diagnostics.checks import Check, check_disk, device_health
from kiosk.diagnostics.runner import Probes, run_checks
from kiosk.diagnostics.service import DiagnosticsService
from peripherals.conditions import Condition, HealthLevel, HealthResult
from peripherals.errors import DeviceTimeout

REPO = Path(__file__).resolve().parents[3]


def line(name: str, status: str = "ok") -> Check:
    return Check(name, name, status, f"{name} said {status}.")


def probes(**swap) -> Probes:  # type: ignore[no-untyped-def]
    base = {n: (lambda n=n: line(n)) for n in ("disk", "central", "office", "outbox")}
    return Probes(**{**base, **swap})


def test_devices_come_first_then_disk_central_office_outbox() -> None:
    checks = run_checks([line("printer"), line("reader", "fault")], probes())
    assert [c.name for c in checks] == ["printer", "reader", "disk", "central", "office", "outbox"]
    assert [c.status for c in checks][:2] == ["ok", "fault"]


def test_a_probe_that_raises_is_a_fault_line_without_the_exceptions_text() -> None:
    def leaky() -> Check:
        raise ConnectionError("https://central/?token=s3cret refused")

    checks = run_checks([], probes(central=leaky))
    central = checks[1]
    assert (central.name, central.kind, central.status) == ("central", "link", "fault")
    assert central.sentence == "Central could not be checked (ConnectionError)."
    assert "s3cret" not in central.sentence
    assert [c.status for c in checks] == ["ok", "fault", "ok", "ok"]  # the others still run


def test_a_full_disk_is_a_fault_that_says_how_much_is_needed(tmp_path: Path) -> None:
    full = check_disk(tmp_path, usage=lambda _: SimpleNamespace(free=5 * 2**20, total=2**30))
    assert full.status == "fault"
    assert full.sentence == f"Only 5 MB free for {tmp_path} (at least 200 MB needed)."
    roomy = check_disk(tmp_path, usage=lambda _: SimpleNamespace(free=900 * 2**20, total=2**30))
    assert (roomy.status, roomy.sentence) == ("ok", f"900 MB free for {tmp_path}.")


class Printer:
    def __init__(self, answer: HealthResult | Exception) -> None:
        self.answer = answer

    def check_health(self, level: HealthLevel) -> HealthResult:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_a_devices_health_result_and_its_error_become_lines() -> None:
    switched_off = HealthResult(
        "printer", HealthLevel.INTERNAL, False, Condition.NO_DEVICE, sentence="Printer is off."
    )
    got = device_health("printer", "device (escpos)", Printer(switched_off), HealthLevel.INTERNAL)
    assert (got.status, got.sentence, got.details["condition"]) == (
        "fault",
        "Printer is off.",
        Condition.NO_DEVICE.value,
    )
    timeout = Printer(DeviceTimeout("no answer in 2 s"))
    got = device_health("printer", "device (escpos)", timeout, HealthLevel.INTERNAL)
    assert (got.status, got.sentence) == ("fault", "printer: no answer in 2 s")


class Hub:
    def __init__(self, devices: dict) -> None:  # type: ignore[type-arg]
        self.devices = devices

    def states(self) -> dict:  # type: ignore[type-arg]
        return {n: {"kind": "receipt_printer", "note": "port busy"} for n in self.devices}

    def device(self, name: str):  # type: ignore[no-untyped-def]
        return self.devices[name]


def test_the_service_runs_the_devices_through_the_same_runner(tmp_path: Path) -> None:
    hub = Hub({"printer": Printer(DeviceTimeout("no answer")), "spare": None})
    service = DiagnosticsService(
        hub, SimpleNamespace(data_dir=tmp_path, kiosk_id="k1"),
        central_check=lambda: line("central"), outbox_check=lambda: line("outbox"),
        office_check=lambda: line("office"),
    )  # fmt: skip
    checks = service.check_all(HealthLevel.INTERNAL)
    assert [c.name for c in checks] == ["printer", "spare", "disk", "central", "office", "outbox"]
    assert checks[0].sentence == "printer: no answer"
    assert checks[1].sentence == "spare: port busy."
    assert checks[2].sentence.endswith(f"MB free for {tmp_path}.")


def test_the_service_imports_no_kivy() -> None:
    code = "import sys, kiosk.diagnostics.service; print('kivy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"

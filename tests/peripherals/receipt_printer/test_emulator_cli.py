"""`kiosk emulate`: the first stdout line is the port URL; bad names exit 2; SIGTERM ends it."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from peripherals.conditions import Condition
from peripherals.emulators.cli import run
from peripherals.errors import ConfigurationError
from peripherals.escpos.printer import ReceiptPrinter
from peripherals.registry import DRIVERS, open_device

LAUNCH = "import sys; from kiosk.cli import main; sys.exit(main(sys.argv[1:]))"


def test_emulate_prints_url_first_and_stops_on_sigterm(tmp_path) -> None:
    link = tmp_path / "printer"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "emulate",
            "receipt-printer",
            "--fault",
            "paper_out",
            "--link",
            str(link),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url == str(link) and link.is_symlink()
        device = open_device(
            "escpos", "receipt", url, {"profile": "kiosk-emulator"}, tmp_path, None
        )
        try:
            assert isinstance(device, ReceiptPrinter)
            assert device.condition is Condition.USER_ERROR
            assert [f.code for f in device.faults] == ["paper_out"]
        finally:
            device.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert not link.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_unknown_device_or_fault_exit_2(capsys) -> None:
    assert run("toaster", [], None, None) == 2
    assert "unknown device 'toaster'" in capsys.readouterr().err
    assert run("receipt-printer", ["on_fire"], None, None) == 2
    err = capsys.readouterr().err
    assert "unknown fault(s) on_fire" in err and "paper_out" in err
    assert run("receipt-printer", [], -5, None) == 2


def test_registry_refuses_bad_configuration(tmp_path) -> None:
    assert "escpos" in DRIVERS
    with pytest.raises(ConfigurationError, match="unknown device driver"):
        open_device("telex", "t", "loop://", {}, tmp_path, None)
    with pytest.raises(ConfigurationError, match="bad options"):
        open_device("escpos", "p", "loop://", {"colour": "red"}, tmp_path, None)
    with pytest.raises(ConfigurationError, match="unknown printer profile"):
        open_device("escpos", "p", "loop://", {"profile": "nope"}, tmp_path, None)


def test_absent_printer_opens_as_no_device(tmp_path) -> None:
    device = open_device("escpos", "p", str(tmp_path / "missing"), {}, tmp_path, None)
    try:
        assert device.condition is Condition.NO_DEVICE
        assert device.status()["state"] == "error"
        assert device.check_health("internal").ok is False
    finally:
        device.close()


def test_kiosk_toml_options_are_understood(tmp_path) -> None:
    from peripherals.registry import create_device

    device = create_device(
        "escpos",
        "receipt-printer",
        "loop://",
        {"baud": 19200, "width_chars": 42, "codepage": "cp858"},
        tmp_path,
        None,
    )
    assert isinstance(device, ReceiptPrinter)
    assert device.transport.baudrate == 19200
    assert device.profile.width_chars == 42
    assert next(iter(device.profile.code_pages)) == "cp858"
    with pytest.raises(ConfigurationError, match="codepage"):
        create_device("escpos", "p", "loop://", {"codepage": "koi8_r"}, tmp_path, None)


@pytest.mark.parametrize(
    "module",
    [
        "peripherals.model",
        "peripherals.errors",
        "peripherals.transport",
        "peripherals.events",
        "peripherals.stats",
        "peripherals.registry",
        "peripherals.escpos.commands",
        "peripherals.escpos.status",
        "peripherals.escpos.printer",
        "peripherals.escpos.udc",
        "peripherals.magstripe.events",
        "peripherals.scanner.lines",
        "peripherals.scanner.ssi",
        "peripherals.wedge",
        "peripherals.wedge.keymap",
        "peripherals.wedge.keyboard",
        "peripherals.cups.reasons",
    ],
)
def test_public_surface(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    assert mod.__all__, module
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert not missing


def test_the_registry_lists_every_switch_each_emulator_understands() -> None:
    from peripherals.emulators.registry import EMULATORS, FAULTS

    for name, factory in EMULATORS.items():
        assert FAULTS[name] == type(factory()).device_faults, name

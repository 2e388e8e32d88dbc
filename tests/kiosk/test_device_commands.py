"""`kiosk devices` and `kiosk diagnose`, end to end: real subprocesses against emulators on ptys."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator
from peripherals.emulators.magstripe_reader import CardReaderEmulator
from peripherals.emulators.pty_host import PtyHost
from peripherals.emulators.scanner import ScannerEmulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[dict[str, object]]:
    hosts = {
        "receipt-printer": PtyHost(ReceiptPrinterEmulator(), link=tmp_path / "dev" / "printer"),
        "card-reader": PtyHost(CardReaderEmulator(), link=tmp_path / "dev" / "reader"),
        "scanner": PtyHost(ScannerEmulator(), link=tmp_path / "dev" / "scanner"),
    }
    for host in hosts.values():
        host.start()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""kiosk_id = "test-kiosk"
central_url = "http://127.0.0.1:9"
data_dir = "{tmp_path / "data"}"
[office]
id = "o1"
name = "Test office"
[[peripherals]]
name = "receipt-printer"
driver = "escpos"
port = "{hosts["receipt-printer"].url}"
[[peripherals]]
name = "card-reader"
driver = "magstripe"
port = "{hosts["card-reader"].url}"
[[peripherals]]
name = "scanner"
driver = "scanner"
port = "{hosts["scanner"].url}"
options = {{ suffix = "CRLF" }}
""",
        encoding="utf-8",
    )
    try:
        yield {"config": config, "hosts": hosts, "tmp": tmp_path}
    finally:
        for host in hosts.values():
            getattr(host.device, "close_control", lambda: None)()
            host.stop()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


def test_devices_json_lists_every_device_online(kiosk) -> None:
    result = run("devices", "--config", str(kiosk["config"]), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    by_name = {d["name"]: d for d in doc["devices"]}
    assert set(by_name) == {"receipt-printer", "card-reader", "scanner"}
    for name in ("card-reader", "scanner"):
        assert by_name[name]["condition"] == "online"
        assert by_name[name]["state"] == "idle"
        assert "swipes" in by_name[name]["statistics"]
    assert by_name["card-reader"]["driver"] == "magstripe"


def test_devices_text_shows_an_unplugged_reader(kiosk) -> None:
    kiosk["hosts"]["card-reader"].set_fault("unplug", True)
    result = run("devices", "--config", str(kiosk["config"]))
    assert result.returncode == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("card-reader"))
    assert "no_device" in line and "not connected" in line


def use_central(kiosk, central) -> None:
    """Point the kiosk's config at a real central, under the office central registered it in,
    and give it its token file."""
    token = kiosk["tmp"] / "device-token"
    token.write_text(central.token)
    config = kiosk["config"]
    text = config.read_text().replace('"http://127.0.0.1:9"', f'"{central.url}"')
    text = text.replace('id = "o1"', f'id = "{central.office}"', 1)
    config.write_text(text.replace("[office]", f'device_token_file = "{token}"\n[office]', 1))


def test_diagnose_all_healthy_exits_0_with_json_shape_and_report(kiosk, live_central) -> None:
    use_central(kiosk, live_central)
    report = kiosk["tmp"] / "ready.pdf"
    result = run("diagnose", "--config", str(kiosk["config"]), "--json", "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["healthy"] is True and doc["level"] == "internal"
    checks = {c["name"]: c for c in doc["checks"]}
    for name in ("receipt-printer", "card-reader", "scanner", "disk"):
        assert checks[name]["status"] == "ok", checks[name]
    assert checks["disk"]["details"]["free_bytes"] > 0
    assert checks["central"]["status"] == checks["outbox"]["status"] == "ok"
    assert checks["central"]["details"]["latency_ms"] >= 0
    assert "accepts this kiosk's token" in checks["central"]["sentence"]
    from pypdf import PdfReader

    text = PdfReader(str(report)).pages[0].extract_text()
    assert "READY: every check passed" in text and "central" in text and "card-reader" in text


def test_diagnose_central_down_or_token_refused_is_a_fault(kiosk, live_central) -> None:
    use_central(kiosk, live_central)
    (kiosk["tmp"] / "device-token").write_text(live_central.device_id + ".wrong-secret")
    result = run("diagnose", "--config", str(kiosk["config"]))
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if " central " in x)
    assert line.startswith("FAULT") and "refuses this kiosk's token" in line
    live_central.stop()
    result = run("diagnose", "--config", str(kiosk["config"]))
    line = next(x for x in result.stdout.splitlines() if " central " in x)
    assert result.returncode == 1 and "unreachable" in line


def test_diagnose_paper_out_exits_1_and_says_so(kiosk) -> None:
    kiosk["hosts"]["receipt-printer"].set_fault("paper_out", True)
    result = run("diagnose", "--config", str(kiosk["config"]))
    assert result.returncode == 1, result.stdout
    line = next(x for x in result.stdout.splitlines() if "receipt-printer" in x)
    assert line.startswith("FAULT") and "paper" in line.lower() and "out" in line.lower()
    assert "NOT READY" in result.stdout


def test_diagnose_unplugged_scanner_exits_1_in_json(kiosk) -> None:
    kiosk["hosts"]["scanner"].set_fault("unplug", True)
    result = run("diagnose", "--config", str(kiosk["config"]), "--json")
    assert result.returncode == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["scanner"]["status"] == "fault"
    assert checks["scanner"]["details"]["condition"] == "no_device"


def test_config_errors_exit_2_with_file_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text(
        'kiosk_id = "k"\ncentral_url = "http://x"\ndata_dir = "d"\n[office]\nid = "o"\nname = "O"\n'
        '[[peripherals]]\nname = "r"\ndriver = "teleporter"\nport = "/dev/x"\n',
        encoding="utf-8",
    )
    for command in (("devices",), ("diagnose", "--json")):
        result = run(*command, "--config", str(bad))
        assert result.returncode == 2
        assert f"{bad}:9" in result.stderr and "driver" in result.stderr
        assert "Traceback" not in result.stderr


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = run("diagnose", "--config", str(tmp_path / "nope.toml"))
    assert (
        result.returncode == 2
        and "cannot read" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_diagnose_external_prints_a_test_slip(kiosk, live_central) -> None:
    use_central(kiosk, live_central)
    printer = kiosk["hosts"]["receipt-printer"].device
    result = run("diagnose", "--config", str(kiosk["config"]), "--level", "external", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["level"] == "external"
    assert printer.receipts, "the external check printed nothing on the receipt printer"

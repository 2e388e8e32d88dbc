"""`kiosk diagnose` compares kiosk.toml's office with the one central registered this kiosk under:
the real command in a subprocess against a real `kiosk-central serve` on loopback. Another office
is a FAULT line that says what to fix (exit 1); the same office an ok line; central down a warning
line (not checked), never a traceback. The readiness report carries the same line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_central import LiveCentral

from kiosk.config import load_kiosk_config
from kiosk.diagnostics.office_check import check_office
from kiosk.diagnostics.readiness import ReadinessReport

ROOT = Path(__file__).resolve().parents[3]
MISMATCH = (
    "kiosk.toml says office CARDIFF but central registered this kiosk under SWANSEA: cases would "
    "be refused. Fix [office] id in kiosk.toml or re-register the device "
    "(kiosk-central add-device --office CARDIFF)."
)


@pytest.fixture
def swansea(tmp_path: Path) -> Iterator[LiveCentral]:
    central = LiveCentral(tmp_path, office="SWANSEA").start()
    yield central
    central.stop()


def kiosk_toml(tmp_path: Path, central: LiveCentral, office: str) -> Path:
    """A kiosk without devices (the lines under test are about central), with its token file."""
    token = tmp_path / "device-token"
    token.write_text(central.token, encoding="utf-8")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""kiosk_id = "office-test"
central_url = "{central.url}"
data_dir = "{tmp_path / "data"}"
device_token_file = "{token}"
catalogue_dir = "{ROOT / "config" / "services"}"
[office]
id = "{office}"
name = "Test office"
""",
        encoding="utf-8",
    )
    return config


def diagnose(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "diagnose", "--config", str(config), *extra],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip


def line(result: subprocess.CompletedProcess[str], name: str) -> str:
    return next(x for x in result.stdout.splitlines() if f" {name} " in x)


def test_another_office_is_a_fault_that_says_what_to_fix(tmp_path: Path, swansea) -> None:
    config = kiosk_toml(tmp_path, swansea, "CARDIFF")
    result = diagnose(config)
    assert result.returncode == 1, result.stdout + result.stderr
    office = line(result, "office")
    assert office.startswith("FAULT") and office.endswith(MISMATCH)
    assert line(result, "central").startswith("ok")  # the link itself is fine
    assert result.stdout.rstrip().endswith("NOT READY: see the FAULT lines above.")
    assert swansea.token not in result.stdout + result.stderr

    doc = json.loads(diagnose(config, "--json").stdout)
    check = {c["name"]: c for c in doc["checks"]}["office"]
    assert doc["healthy"] is False
    assert check["status"] == "fault" and check["sentence"] == MISMATCH
    assert check["details"] == {
        "configured": "CARDIFF",
        "registered": "SWANSEA",
        "device_id": swansea.device_id,
    }


def test_the_same_office_is_an_ok_line_and_all_healthy(tmp_path: Path, swansea) -> None:
    config = kiosk_toml(tmp_path, swansea, "swansea")
    result = diagnose(config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert line(result, "office") == (
        "ok           office             kiosk.toml and central agree: this kiosk is registered "
        "under office SWANSEA."
    )
    assert result.stdout.rstrip().endswith("All healthy.")


def test_central_down_is_a_warning_not_a_crash(tmp_path: Path, swansea) -> None:
    config = kiosk_toml(tmp_path, swansea, "CARDIFF")
    swansea.stop()
    result = diagnose(config)
    assert result.returncode == 1  # the central line is the fault
    assert "Traceback" not in result.stderr
    office = line(result, "office")
    assert office.startswith("not checked") and "FAULT" not in office
    assert "Warning: office CARDIFF not compared with central: central is unreachable" in office
    assert line(result, "central").startswith("FAULT")


def test_the_readiness_report_carries_the_office_line(tmp_path: Path, swansea) -> None:
    config = load_kiosk_config(kiosk_toml(tmp_path, swansea, "CARDIFF"), env={})
    report = ReadinessReport.gather(config, central_timeout_s=2.0)
    assert [c.name for c in report.checks] == ["disk", "central", "office", "outbox"]
    assert report.check("office").status == "fault"
    assert report.verdict == "NOT READY: 1 fault"
    assert f"FAULT       office: {MISMATCH}" in report.text_lines()
    assert check_office(config).sentence == MISMATCH

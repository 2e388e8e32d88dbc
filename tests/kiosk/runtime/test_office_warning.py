"""At start the runtime compares its office with central's registration (a real `kiosk-central
serve` on loopback) and logs ONE warning on a mismatch — the sentence that says what to fix, no
token — and nothing at warning level when they match or when central cannot be reached."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_central import LiveCentral

from kiosk.config import load_kiosk_config
from kiosk.runtime.app import KioskRuntime

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def swansea(tmp_path: Path) -> Iterator[LiveCentral]:
    central = LiveCentral(tmp_path, office="SWANSEA").start()
    yield central
    central.stop()


def started(tmp_path: Path, central: LiveCentral, office: str) -> KioskRuntime:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""kiosk_id = "office-warning"
central_url = "{central.url}"
data_dir = "{tmp_path / "data"}"
catalogue_dir = "{ROOT / "config" / "services"}"
[office]
id = "{office}"
name = "Test office"
""",
        encoding="utf-8",
    )
    loaded = load_kiosk_config(config, env={"KIOSK_DEVICE_TOKEN": central.token})
    runtime = KioskRuntime(loaded).start()
    assert runtime.office_check is not None
    runtime.office_check.join(timeout=30)
    assert not runtime.office_check.is_alive()
    return runtime


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_another_office_logs_one_clear_warning(tmp_path, swansea, caplog) -> None:
    caplog.set_level(logging.INFO)
    runtime = started(tmp_path, swansea, "CARDIFF")
    try:
        (record,) = warnings(caplog)
        assert record.name == "kiosk.runtime.app"
        assert record.getMessage() == (
            "kiosk.toml says office CARDIFF but central registered this kiosk under SWANSEA: "
            "cases would be refused. Fix [office] id in kiosk.toml or re-register the device "
            "(kiosk-central add-device --office CARDIFF)."
        )
        assert swansea.token.split(".", 1)[1] not in caplog.text
    finally:
        runtime.stop()


def test_the_same_office_logs_no_warning(tmp_path, swansea, caplog) -> None:
    caplog.set_level(logging.INFO)
    runtime = started(tmp_path, swansea, "Swansea")
    try:
        assert warnings(caplog) == []
    finally:
        runtime.stop()


def test_central_down_at_start_is_no_crash_and_no_warning(tmp_path, swansea, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.runtime.app")
    swansea.stop()
    runtime = started(tmp_path, swansea, "CARDIFF")
    try:
        assert [r for r in warnings(caplog) if r.name == "kiosk.runtime.app"] == []
        assert "office not compared with central: central unreachable" in caplog.text
    finally:
        runtime.stop()

"""`kiosk run --simulate` on a fresh checkout: a local central and a device token made for it, and
every start-up problem told in one line — through the real `kiosk-central` and `kiosk` commands."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.local_central import LocalCentralError, simulated_central
from tests.kiosk.live_central import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def fresh_config(tmp_path: Path, port: int, catalogue: Path | None = None) -> Path:
    """The shipped kiosk.toml, copied elsewhere, with its own data folder, port and catalogue."""
    text = (ROOT / "config" / "kiosk.toml").read_text(encoding="utf-8")
    text = text.replace("${KIOSK_CENTRAL_URL:-http://127.0.0.1:8080}", f"http://127.0.0.1:{port}")
    text = text.replace("${KIOSK_DATA_DIR:-../var/kiosk}", str(tmp_path / "data"))
    text = text.replace(
        "${KIOSK_DEVICE_TOKEN_FILE:-../var/kiosk/device-token}", str(tmp_path / "data" / "token")
    )
    text = text.replace('"services"', f'"{catalogue or ROOT / "config" / "services"}"')
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def me(url: str, token: str) -> dict:
    request = urllib.request.Request(
        url + "/api/v1/devices/me", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        return json.loads(reply.read())


def test_simulate_starts_a_central_registers_once_and_stops_it(tmp_path: Path) -> None:
    port = free_port()
    config = load_kiosk_config(fresh_config(tmp_path, port), env={})
    lines: list[str] = []
    with simulated_central(config, say=lines.append) as central:
        token_file = tmp_path / "data" / "token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert central.registered and central.url == f"http://127.0.0.1:{port}"
        assert me(central.url, token)["office"] == "demo-office"
        assert "registered" in lines[0] and str(central.log) in lines[0]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    # The next run keeps the token and starts the same central again: no second device.
    with simulated_central(config, say=lines.append) as again:
        assert not again.registered
        assert me(again.url, token)["office"] == "demo-office"
        assert (tmp_path / "data" / "token").read_text().strip() == token
    assert token not in "".join(lines) + (tmp_path / "data" / "simulated-central.log").read_text()


def test_no_token_and_a_central_that_is_not_ours_names_the_command(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        config = load_kiosk_config(fresh_config(tmp_path, port), env={})
        with pytest.raises(LocalCentralError) as caught, simulated_central(config):
            pass
    message = str(caught.value)
    assert "kiosk-central add-device --office demo-office --name demo-kiosk-01" in message
    assert not (tmp_path / "data" / "token").exists()


def test_a_token_and_a_running_central_are_used_as_they_are(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        config = load_kiosk_config(fresh_config(tmp_path, port), env={"KIOSK_DEVICE_TOKEN": "t"})
        with simulated_central(config) as central:
            assert central.database is None and not central.registered


def test_kiosk_run_with_a_broken_catalogue_says_one_thing_and_exits(tmp_path: Path) -> None:
    catalogue = tmp_path / "services"
    catalogue.mkdir()
    for source in (ROOT / "config" / "services").glob("*.toml"):
        (catalogue / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    broken = sorted(catalogue.glob("*.toml"))[0]
    lines = broken.read_text(encoding="utf-8").count("\n")
    broken.write_text(broken.read_text(encoding="utf-8") + "garbage [[[\n", encoding="utf-8")
    config = fresh_config(tmp_path, free_port(), catalogue)
    env = {**os.environ, "KIOSK_DEVICE_TOKEN": "x", "KIOSK_WINDOWED": "1"}
    done = subprocess.run(
        [str(BIN / "kiosk"), "run", "--config", str(config)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{broken}:{lines + 1}:" in done.stderr


def test_serve_with_an_unsupported_database_says_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "kiosk-central"), "serve", "--db", "mysql://user:hunter2@db.example/cases"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "unsupported database URL mysql://user:***@db.example/cases" in done.stderr
    assert "hunter2" not in done.stderr

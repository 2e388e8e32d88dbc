"""Enrolment and remote commands end to end against a real `kiosk-central serve` (issue 14 items
1-2): a code made by `kiosk-central enrol-code`, `kiosk enrol CODE` stores a 0600 token that then
authenticates; a reused, expired or wrong code is refused and the token file is left alone;
enrolling the same kiosk name again replaces the token and revokes the old one; a first start with
a code left for it enrols by itself. Commands: queued in central's database, the kiosk's long poll
brings one within ~2 s and its result reaches central; a heartbeat brings another; a screenshot is
refused by central while the kiosk's heartbeat says a session is open."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_central import BIN, ROOT, LiveCentral

from kiosk.config import load_kiosk_config
from kiosk.link import CentralClient
from kiosk.link.errors import Unauthorised
from kiosk.runtime.commands import Activity, CommandClient, CommandRunner, Effects, ServiceState
from kiosk.runtime.enrol import first_start
from kiosk.runtime.fleet import FleetAgent

OFFICE = "ENROL1"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[LiveCentral]:
    live = LiveCentral(tmp_path, office=OFFICE).start()
    yield live
    live.stop()


def kiosk_toml(folder: Path, central: LiveCentral, name: str = "kiosk.toml") -> Path:
    path = folder / name
    path.write_text(
        f"""kiosk_id = "hall-kiosk"
central_url = "{central.url}"
data_dir = "{folder / (name + "-data")}"
catalogue_dir = "{ROOT / "config" / "services"}"
[office]
id = "{OFFICE}"
name = "Enrolment office"
""",
        encoding="utf-8",
    )
    return path


def enrol_code(central: LiveCentral, *extra: str) -> dict[str, str]:
    out = subprocess.run(
        [str(BIN / "kiosk-central"), "enrol-code", "--db", central.db_url, "--office", OFFICE,
         "--json", *extra],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def kiosk_enrol(config: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk"), "enrol", code, "--config", str(config)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_code_from_the_cli_becomes_a_0600_token_that_authenticates(tmp_path, central) -> None:  # type: ignore[no-untyped-def]
    shown = subprocess.run(
        [str(BIN / "kiosk-central"), "enrol-code", "--db", central.db_url, "--office", OFFICE],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0 and "enrolment code: " in shown.stdout
    assert "█" in shown.stdout or "▀" in shown.stdout  # the QR, in terminal characters
    code = enrol_code(central, "--name", "Hall kiosk")["code"]
    config = kiosk_toml(tmp_path, central)
    out = kiosk_enrol(config, code)
    assert out.returncode == 0, out.stderr
    token_file = load_kiosk_config(config).device_token_file
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    assert token not in out.stdout + out.stderr
    me = CentralClient(central.url, token).registration()
    assert me["office"] == OFFICE and me["name"] == "Hall kiosk"
    assert me["device_id"] in out.stdout
    assert not list(token_file.parent.glob(".device-token.*"))  # no temporary file left behind

    reused = kiosk_enrol(config, code)
    assert reused.returncode == 1 and "wrong, used or expired" in reused.stderr
    assert token_file.read_text().strip() == token

    expired = enrol_code(central)
    _expire(central, expired["id"])
    for bad in (expired["code"], "0000-0000-0000-0000-0000", "nonsense"):
        refused = kiosk_enrol(config, bad)
        assert refused.returncode == 1 and "wrong, used or expired" in refused.stderr, bad
    assert token_file.read_text().strip() == token

    again = kiosk_enrol(config, enrol_code(central, "--name", "Hall kiosk")["code"])
    assert again.returncode == 0, again.stderr
    new_token = token_file.read_text().strip()
    assert new_token != token and token_file.stat().st_mode & 0o777 == 0o600
    assert CentralClient(central.url, new_token).registration()["name"] == "Hall kiosk"
    with pytest.raises(Unauthorised):
        CentralClient(central.url, token, retries=0).registration()

    unnamed = kiosk_enrol(config, enrol_code(central)["code"])  # a code naming no kiosk
    assert unnamed.returncode == 0, unnamed.stderr
    third = token_file.read_text().strip()
    assert CentralClient(central.url, third).registration()["name"] == "hall-kiosk"  # kiosk_id
    with pytest.raises(Unauthorised):  # the kiosk showed its old token: that device is revoked
        CentralClient(central.url, new_token, retries=0).registration()


def test_a_first_start_with_a_code_left_for_it_enrols(tmp_path, central) -> None:  # type: ignore[no-untyped-def]
    config = load_kiosk_config(kiosk_toml(tmp_path, central, "first.toml"), env={})
    config.data_dir.mkdir(parents=True)
    (config.data_dir / "enrolment-code").write_text(enrol_code(central)["code"] + "\n")
    done = first_start(config, env={})
    assert done is not None and done.office == OFFICE and done.name == "hall-kiosk"
    assert not (config.data_dir / "enrolment-code").exists()
    assert config.device_token_file.stat().st_mode & 0o777 == 0o600
    assert first_start(config, env={}) is None  # has a token now: nothing to do


def _expire(central: LiveCentral, code_id: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    from central.db.base import make_engine
    from central.fleet.models import EnrolmentCode

    engine = make_engine(central.db_url)
    try:
        with engine.begin() as conn:
            past = datetime(2020, 1, 1, tzinfo=UTC)
            table = EnrolmentCode.__table__
            conn.execute(update(table).where(table.c.id == code_id).values(expires_at=past))
    finally:
        engine.dispose()


def _queue(central: LiveCentral, device_id: str, kind: str, args: dict | None = None) -> str:  # type: ignore[type-arg]
    from central.db.base import make_engine, make_sessionmaker
    from central.db.types import utcnow
    from central.fleet import commands

    engine = make_engine(central.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                return commands.queue(
                    session, device_id, kind, args or {}, "staff:test", utcnow()
                ).id
            finally:
                session.commit()
    finally:
        engine.dispose()


def _state(central: LiveCentral, command_id: str) -> str:
    return central.sql("SELECT state FROM device_commands WHERE id = :id", {"id": command_id})[0][0]


def test_commands_arrive_by_long_poll_and_heartbeat_and_results_reach_central(
    tmp_path, central
) -> None:  # type: ignore[no-untyped-def]
    printed = threading.Event()
    effects = Effects(
        restart=lambda: None,
        reboot=lambda: None,
        test_slip=lambda: printed.set() or {"printed": True},
        diagnostics=lambda: ({"healthy": True}, b"%PDF-1.4\n% a report\n"),
        fetch_config=lambda: {"services": 1},
        screenshot=lambda: b"\x89PNG\r\n",
    )
    activity, service = Activity(), ServiceState()
    runner = CommandRunner(
        CommandClient(central.url, central.token, retries=0), effects, activity, service,
        long_poll_s=10,
    )  # fmt: skip
    runner.start()
    try:
        time.sleep(1.0)  # the long poll is waiting now
        queued_at = time.monotonic()
        slip = _queue(central, central.device_id, "test_slip")
        assert printed.wait(10)
        arrived = time.monotonic() - queued_at
        assert arrived < 2.5, f"the long poll brought the command after {arrived:.1f} s"
        deadline = time.monotonic() + 10
        while _state(central, slip) != "done":
            assert time.monotonic() < deadline, _state(central, slip)
            time.sleep(0.1)
        report = _queue(central, central.device_id, "diagnostics")
        deadline = time.monotonic() + 15
        while _state(central, report) != "done":
            assert time.monotonic() < deadline, _state(central, report)
            time.sleep(0.1)
        uploaded = central.sql("SELECT content_type FROM command_uploads WHERE command_id = :id",
                               {"id": report})  # fmt: skip
        assert uploaded == [("application/pdf",)]
    finally:
        runner.stop()

    # The heartbeat path, and central's screenshot refusal from the heartbeat's activity.
    client = CentralClient(central.url, central.token)
    handled: list[list[dict]] = []  # type: ignore[type-arg]
    agent = FleetAgent(client, lambda: {}, lambda: 0,
                       activity=lambda: activity.snapshot(service), on_commands=handled.append)  # fmt: skip
    message = {"message": {"en": "Closed for repair", "cy": "Ar gau i'w drwsio"}}
    oos = _queue(central, central.device_id, "out_of_service", message)
    assert agent.beat().ok and [c["id"] for c in handled[0]] == [oos]
    assert _state(central, oos) == "delivered"
    assert agent.beat().ok and len(handled) == 1  # delivered once
    activity.session(True)
    assert agent.beat().ok
    from central.fleet.commands import CommandRefused

    with pytest.raises(CommandRefused, match="session is open"):
        _queue(central, central.device_id, "screenshot")
    refused = central.sql("SELECT count(*) FROM fleet_audit WHERE action = 'refused'")
    assert refused == [(1,)]


def test_the_real_effects_diagnose_fetch_and_refuse_a_slip_without_printer(
    tmp_path, central
) -> None:  # type: ignore[no-untyped-def]
    from kiosk.runtime.app import KioskRuntime
    from kiosk.runtime.remote_effects import runtime_effects

    config = load_kiosk_config(
        kiosk_toml(tmp_path, central), env={"KIOSK_DEVICE_TOKEN": central.token}
    )
    runtime = KioskRuntime(config)
    try:
        effects = runtime_effects(runtime)
        summary, pdf = effects.diagnostics()
        assert pdf is not None and pdf.startswith(b"%PDF")
        assert summary["checks"] >= 3 and isinstance(summary["healthy"], bool)
        fetched = effects.fetch_config()
        assert fetched["office"] == OFFICE and fetched["services"]
        with pytest.raises(RuntimeError, match="no receipt printer"):
            effects.test_slip()
    finally:
        runtime.stop()

"""The fleet's command line on both databases: `kiosk-central enrol-code` prints the typed code and
a terminal QR (or JSON) and the code works once; `kiosk-central command` queues a command (audited
as the CLI) and refuses what cannot be queued; `kiosk-central commands` lists states."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from central.db.base import make_sessionmaker
from central.fleet.models import FleetAudit

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "central.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env=dict(os.environ), timeout=120)  # fmt: skip


def test_enrol_code_prints_a_code_and_a_qr_that_enrol_once(db_url, client, office, app) -> None:  # type: ignore[no-untyped-def]
    app.state.enrol_limiter.scope = office
    shown = cli("enrol-code", "--db", db_url, "--office", office, "--name", "Desk 2")
    assert shown.returncode == 0, shown.stderr
    code = shown.stdout.split("enrolment code: ")[1].split()[0]
    assert "▀" in shown.stdout or "█" in shown.stdout
    assert f"kiosk enrol {code}" in shown.stdout
    assert client.post("/api/v1/enrol", json={"code": code}).status_code == 201
    assert client.post("/api/v1/enrol", json={"code": code}).status_code == 403
    as_json = json.loads(cli("enrol-code", "--db", db_url, "--office", office, "--json").stdout)
    assert as_json["office"] == office and len(as_json["code"]) == 23
    assert cli("enrol-code", "--db", db_url, "--office", "").returncode != 0


def test_command_queues_and_commands_lists(db_url, engine, device) -> None:  # type: ignore[no-untyped-def]
    device_id = device[0]
    out = cli("command", "--db", db_url, device_id, "out_of_service", "--message-en", "Closed",
              "--message-cy", "Ar gau")  # fmt: skip
    assert out.returncode == 0, out.stderr
    command_id = out.stdout.split()[1]
    missing = cli("command", "--db", db_url, device_id, "out_of_service", "--message-en", "x")
    assert missing.returncode == 1 and "Welsh" in missing.stderr
    assert cli("command", "--db", db_url, "dev_nope", "restart").returncode == 1
    listed = json.loads(cli("commands", "--db", db_url, device_id, "--json").stdout)
    assert [(c["id"], c["state"], c["requested_by"]) for c in listed] == [
        (command_id, "queued", "cli")
    ]
    with make_sessionmaker(engine)() as s:
        row = s.query(FleetAudit).filter(FleetAudit.command_id == command_id).one()
        assert (row.actor, row.action, row.device_id) == ("cli", "queued", device_id)

"""`kiosk-central bundles ...` on both databases (issue 14 item 3): keygen writes a 0600 key and its
public half and never prints the key; publish refuses settings that may not change remotely and a
missing key (exit 1, the reason on stderr); promote walks the rings to all; halt and rollback by
hand, each audited as the CLI; status lists the rollouts and every kiosk's version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_support import clear_bundles
from sqlalchemy import select

from central.db.base import make_sessionmaker
from central.fleet.models import FleetAudit

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "KIOSK_CENTRAL_BUNDLE_KEY"}
    return subprocess.run([sys.executable, "-m", "central.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env=environment | (env or {}), timeout=120)  # fmt: skip


@pytest.fixture(autouse=True)
def no_bundles(engine) -> None:  # type: ignore[no-untyped-def]
    clear_bundles(engine)


def test_keygen_publish_promote_halt_rollback_status(db_url, engine, device, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "k" / "bundle.pem"
    made = cli("bundles", "keygen", str(key))
    assert made.returncode == 0, made.stderr
    assert key.stat().st_mode & 0o777 == 0o600 and "PRIVATE" not in made.stdout
    assert "BEGIN PUBLIC KEY" in (tmp_path / "k" / "bundle.pem.pub").read_text()
    assert cli("bundles", "keygen", str(key)).returncode == 1  # never overwritten
    settings = tmp_path / "s.json"
    settings.write_text(json.dumps({"idle.goodbye_s": 10, "central_url": "https://evil.example"}))
    base = ["--db", db_url, "--settings", str(settings), "--canary", device[0]]
    refused = cli("bundles", "publish", *base, "--key", str(key))
    assert refused.returncode == 1 and "not remote-changeable: central_url" in refused.stderr
    settings.write_text(json.dumps({"idle.goodbye_s": 10}))
    no_key = cli("bundles", "publish", *base)
    assert no_key.returncode == 1 and "KIOSK_CENTRAL_BUNDLE_KEY" in no_key.stderr
    env = {"KIOSK_CENTRAL_BUNDLE_KEY": str(key)}
    out = cli("bundles", "publish", *base, env=env)
    assert out.returncode == 0 and "published version 1 to 1 canary" in out.stdout, out.stderr
    assert "stage 1 (active)" in cli("bundles", "promote", "--db", db_url).stdout
    assert "stage 3 (complete)" in cli("bundles", "promote", "--db", db_url, "--all").stdout
    late = cli("bundles", "promote", "--db", db_url)
    assert late.returncode == 1 and "no rollout is in progress" in late.stderr

    assert cli("bundles", "publish", *base, env=env).returncode == 0
    assert cli("bundles", "halt", "--db", db_url, "--reason", "desk 3 queue").returncode == 0
    back = cli("bundles", "rollback", "--db", db_url, "--reason", "wrong text", env=env)
    assert back.returncode == 0 and "every kiosk gets version 3" in back.stdout
    status = json.loads(cli("bundles", "status", "--db", db_url, "--json", env=env).stdout)
    assert [(r["version"], r["state"]) for r in status["rollouts"]] == [
        (3, "complete"), (2, "rolled_back"), (1, "complete")]  # fmt: skip
    assert device[0] in {k["device_id"] for k in status["kiosks"]}
    with make_sessionmaker(engine)() as s:
        trail = s.scalars(select(FleetAudit).where(FleetAudit.action.like("bundle_%"),
                                                   FleetAudit.actor == "cli")
                          .order_by(FleetAudit.id)).all()  # fmt: skip
        assert [a.action for a in trail][-6:] == [
            "bundle_published", "bundle_promoted", "bundle_promoted", "bundle_published",
            "bundle_halted", "bundle_rolled_back"]  # fmt: skip

"""Migrations from empty on both databases, readiness, and the kiosk-central command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import inspect

from central.app import create_app
from central.catalogue_service import CatalogueService
from central.db.base import make_engine
from central.migrate import head_revisions, is_at_head, upgrade
from central.settings import Settings

CORE_TABLES = {"cases", "case_events", "idempotency_keys", "devices", "heartbeats", "device_status"}
ROOT = Path(__file__).resolve().parents[2]


def test_db_url_fixture_was_migrated_from_empty_to_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) >= CORE_TABLES
        assert is_at_head(engine)
        assert "0001" in _history()
        upgrade(db_url)  # idempotent
        assert is_at_head(engine)
    finally:
        engine.dispose()


def _history() -> set[str]:
    from alembic.script import ScriptDirectory

    from central.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def test_readyz_is_503_on_an_unmigrated_database_and_without_catalogue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(
        Settings(db_url=url, catalogue_dir=tmp_path), catalogue=CatalogueService(None, "missing")
    )
    r = TestClient(app).get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["checks"] == {
        "database": "ok",
        "migrations": "not at head",
        "catalogue": "not loaded",
    }
    app.state.engine.dispose()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_cli_add_device_prints_a_token_that_works(db_url: str, tmp_path: Path) -> None:
    out = _cli("add-device", "--db", db_url, "--office", "CLI1", "--name", "Front door", "--json")
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert created["office"] == "CLI1" and created["token"].startswith(created["id"] + ".")
    app = create_app(
        Settings(db_url=db_url, catalogue_dir=tmp_path), catalogue=CatalogueService(None)
    )
    client = TestClient(app)
    beat = {"software_version": "t", "outbox_depth": 0, "device_states": {}}
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.post("/api/v1/devices/heartbeat", json=beat, headers=headers).status_code == 200
    revoked = _cli("revoke-device", "--db", db_url, created["id"])
    assert revoked.returncode == 0, revoked.stderr
    assert client.post("/api/v1/devices/heartbeat", json=beat, headers=headers).status_code == 401
    assert _cli("revoke-device", "--db", db_url, "dev_missing").returncode == 1
    app.state.engine.dispose()


def test_cli_migrate_then_human_output_and_refusals(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    url = f"sqlite:///{db}"
    refused = _cli("add-device", "--db", url, "--office", "X", "--name", "Y")
    assert refused.returncode == 1 and "migrate" in refused.stderr
    assert "Traceback" not in refused.stderr
    migrated = _cli("migrate", env={"KIOSK_CENTRAL_DB": str(db)})
    assert migrated.returncode == 0, migrated.stderr
    engine = make_engine(url)
    assert is_at_head(engine) and head_revisions()
    engine.dispose()
    out = _cli("add-device", "--db", url, "--office", "X", "--name", "Y")
    assert out.returncode == 0 and "token:" in out.stdout
    help_text = _cli("--help").stdout
    for name in ("serve", "migrate", "add-device", "revoke-device"):
        assert name in help_text


def test_cli_bad_database_url_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    bad = _cli("migrate", "--db", f"postgresql+psycopg://nobody@127.0.0.1:1/{uuid.uuid4().hex}")
    assert bad.returncode == 1
    assert "cannot migrate" in bad.stderr and "Traceback" not in bad.stderr


def test_serve_migrates_its_embedded_default_then_answers(tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "var" / "central.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "serve", "--port", str(port)],
        cwd=tmp_path,  # the default database lives under ./var of the working directory
        env={**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_CENTRAL_DB": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        assert r.status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
        assert ready["checks"]["database"] == "ok" and ready["checks"]["migrations"] == "ok"
        assert db.exists()
    finally:
        proc.terminate()
        proc.wait(timeout=15)

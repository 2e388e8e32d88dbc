"""Bundles end to end (issue 14 item 3): a real `kiosk-central serve` process, its key made with
`kiosk-central bundles keygen`, bundles published and promoted with the CLI, and kiosks polling it
over HTTP with the real client and store. The canary takes the new version, the other kiosk does
not until the rollout is promoted; a kiosk that was off catches up on its first tick; a canary that
cannot apply a bundle reports it and the rollout rolls itself back; a revoked kiosk gets nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from live_central import BIN, LiveCentral

from kiosk.link.errors import Unauthorised
from kiosk.runtime.bundles import KEY_FILE, BundleClient, BundleStore, BundleSync, load_public_key


def cli(central: LiveCentral, *args: str) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([str(BIN / "kiosk-central"), *args[:2], "--db", central.db_url, *args[2:]],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    return out


def add_device(central: LiveCentral, name: str) -> tuple[str, str]:
    out = subprocess.run([str(BIN / "kiosk-central"), "add-device", "--db", central.db_url,
                          "--office", central.office, "--name", name, "--json"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    made = json.loads(out.stdout)
    return made["id"], made["token"]


@pytest.fixture
def central(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    key = tmp_path / "keys" / "bundle.pem"
    made = subprocess.run([str(BIN / "kiosk-central"), "bundles", "keygen", str(key)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert "BEGIN" not in made.stdout  # the key is never printed
    assert key.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("KIOSK_CENTRAL_BUNDLE_KEY", str(key))
    live = LiveCentral(tmp_path).start()
    yield live
    live.stop()


def kiosk(
    central: LiveCentral, folder: Path, token: str, check=None
) -> tuple[BundleStore, BundleSync]:  # type: ignore[no-untyped-def]
    folder.mkdir()
    shutil.copy(central.folder / "keys" / "bundle.pem.pub", folder / KEY_FILE)
    store = BundleStore(folder / "bundles", load_public_key(folder / KEY_FILE), check=check)
    client = BundleClient(central.url, token, timeout_s=10, retries=0)
    return store, BundleSync(store, client, lambda: False)


def settings_file(folder: Path, settings: dict) -> str:  # type: ignore[type-arg]
    path = folder / f"settings-{len(list(folder.glob('settings-*')))}.json"
    path.write_text(json.dumps(settings))
    return str(path)


def test_rings_catch_up_automatic_rollback_and_revocation(central, tmp_path) -> None:  # type: ignore[no-untyped-def]
    canary_id, canary_token = central.device_id, central.token
    other_id, other_token = add_device(central, "other")
    away_id, away_token = add_device(central, "away")
    canary, canary_sync = kiosk(central, tmp_path / "canary", canary_token)
    other, other_sync = kiosk(central, tmp_path / "other", other_token)

    good = settings_file(tmp_path, {"idle.warning_after_s": 90})
    out = cli(central, "bundles", "publish", "--settings", good, "--canary", canary_id)
    assert out.returncode == 0, out.stderr
    canary_sync.tick()
    other_sync.tick()
    assert canary.version() == 1 and other.version() is None
    assert cli(central, "bundles", "promote", "--all").returncode == 0
    other_sync.tick()
    assert other.version() == 1 and other.current().settings == {"idle.warning_after_s": 90}

    # The away kiosk was off for all of it: its first tick takes the version of its ring.
    away, away_sync = kiosk(central, tmp_path / "away", away_token)
    away_sync.tick()
    assert away.version() == 1

    # Version 2 names a setting the canary's software cannot apply: it reports a failure.
    def old_software(settings) -> None:  # type: ignore[no-untyped-def]
        from kiosk.runtime.bundles import BundleRefused

        if "texts.out_of_hours" in settings:
            raise BundleRefused("settings", "not applicable here: texts.out_of_hours")

    canary.check = old_software
    bad = settings_file(tmp_path, {"texts.out_of_hours": {"en": "Closed", "cy": "Ar gau"}})
    assert (
        cli(central, "bundles", "publish", "--settings", bad, "--canary", canary_id).returncode == 0
    )
    canary_sync.tick()
    assert canary.version() == 1
    status = json.loads(cli(central, "bundles", "status", "--json").stdout)
    assert [(r["version"], r["state"]) for r in status["rollouts"]][:2] == [
        (3, "complete"),
        (2, "rolled_back"),
    ]
    other_sync.tick()
    assert other.version() == 3 and other.current().settings == {"idle.warning_after_s": 90}
    other_sync.tick()  # each poll says which version the kiosk runs
    status = json.loads(cli(central, "bundles", "status", "--json").stdout)
    versions = {k["device_id"]: (k["version"], k["status"]) for k in status["kiosks"]}
    assert versions[other_id] == (3, "ok") and versions[canary_id] == (1, "failed")
    assert central.sql("SELECT count(*) FROM device_bundles WHERE served_version = 2") == [(1,)]

    subprocess.run([str(BIN / "kiosk-central"), "revoke-device", "--db", central.db_url, away_id],
                   capture_output=True, check=True)  # fmt: skip
    revoked = central.sql("SELECT revoked_at FROM devices WHERE id = :id", {"id": away_id})
    assert revoked[0][0] is not None
    with pytest.raises(Unauthorised):
        BundleClient(central.url, away_token, timeout_s=10, retries=0).fetch_bundle(1)

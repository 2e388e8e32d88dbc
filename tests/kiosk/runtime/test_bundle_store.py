"""Signed bundles on the kiosk (issue 14 item 3), with a key pair made here and a fake central: a
bundle signed by the pinned key is staged and applied between sessions only, the previous one is
kept; tampered, wrong-key, expired, not-yet-valid, older and unappliable bundles are refused,
reported once, and the old one keeps running; a kill between writing and renaming (the rename
fails) leaves the old bundle and no half-written one; a kiosk clock hours off breaks nothing
because central's time in the answer is used; the idle timeouts of an applied bundle reach the
kiosk's configuration."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.config import load_kiosk_config
from kiosk.runtime.bundles import KEY_FILE, BundleRefused, BundleSync, apply_settings, store_for

ROOT = Path(__file__).resolve().parents[3]
CENTRAL_NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def signed(key: Ed25519PrivateKey, version: int, settings: dict[str, Any] | None = None,
           issued: datetime = CENTRAL_NOW, days: int = 30, **extra: Any) -> dict[str, Any]:  # fmt: skip
    payload = {"version": version, "issued_at": issued.isoformat(),
               "expires_at": (issued + timedelta(days=days)).isoformat(),
               "settings": settings or {}, **extra}  # fmt: skip
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signature = base64.b64encode(key.sign(text.encode("utf-8"))).decode()
    return {"version": version, "payload": text, "signature": signature, "key_id": "k"}


class Central:
    """Serves one bundle (with central's time) and keeps what the kiosk reports."""

    def __init__(self) -> None:
        self.bundle: dict[str, Any] | None = None
        self.now = CENTRAL_NOW
        self.asked: list[int | None] = []
        self.reports: list[dict[str, Any]] = []
        self.serve_any = False
        """Serve the bundle even when it is not newer (a broken or hostile central)."""

    def fetch_bundle(self, have: int | None) -> dict[str, Any]:
        self.asked.append(have)
        newer = self.bundle and (have is None or self.bundle["version"] > have)
        newer = self.bundle is not None and (have is None or self.bundle["version"] > have)
        served = self.bundle if newer or self.serve_any else None
        return {"target": self.bundle["version"] if self.bundle else None,
                "now": self.now.isoformat(), "bundle": served}  # fmt: skip

    def report_bundle(self, body: dict[str, Any]) -> None:
        self.reports.append(body)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def config(tmp_path, key):  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (data / KEY_FILE).write_bytes(public)
    return load_kiosk_config(ROOT / "config" / "kiosk.toml", env={"KIOSK_DATA_DIR": str(data)})


def sync(config, central, session):  # type: ignore[no-untyped-def]
    wrong_clock = datetime(2031, 1, 1, tzinfo=UTC)  # years ahead: central's time must be used
    store = store_for(config, clock=lambda: wrong_clock)
    return store, BundleSync(store, central, lambda: session["open"])


def test_applied_between_sessions_only_and_the_previous_one_kept(config, key) -> None:  # type: ignore[no-untyped-def]
    central, session = Central(), {"open": True}
    store, syncer = sync(config, central, session)
    central.bundle = signed(key, 1, {"idle.warning_after_s": 90})
    syncer.tick()
    assert store.version() is None and store.pending().version == 1  # a citizen is at the kiosk
    syncer.tick()
    assert central.reports == [] and store.version() is None
    session["open"] = False
    syncer.tick()
    assert store.version() == 1 and central.asked[-1] == 1
    assert apply_settings(config, store.current().settings).idle.warning_after_s == 90
    central.bundle = signed(key, 2, {"idle.respond_s": 45})
    syncer.tick()
    assert store.version() == 2 and store.previous().version == 1
    assert store.current().settings == {"idle.respond_s": 45}


@pytest.mark.parametrize("case", ["tampered", "wrong_key", "expired", "not_yet_valid", "older",
                                  "unappliable", "unknown_key"])  # fmt: skip
def test_a_bad_bundle_is_refused_reported_once_and_the_old_one_kept(config, key, case) -> None:  # type: ignore[no-untyped-def]
    central, session = Central(), {"open": False}
    store, syncer = sync(config, central, session)
    central.bundle = signed(key, 5, {"idle.warning_after_s": 90})
    syncer.tick()
    assert store.version() == 5
    bad = {
        "tampered": lambda: {
            **signed(key, 6),
            "payload": signed(key, 6)["payload"].replace(
                '"settings":{}', '"settings":{"idle.respond_s":20}'
            ),
        },  # fmt: skip
        "wrong_key": lambda: signed(Ed25519PrivateKey.generate(), 6),
        "expired": lambda: signed(key, 6, issued=CENTRAL_NOW - timedelta(days=31)),
        "not_yet_valid": lambda: signed(key, 6, issued=CENTRAL_NOW + timedelta(hours=1)),
        "older": lambda: signed(key, 4),
        "unappliable": lambda: signed(key, 6, {"idle.respond_s": 5}),  # under WCAG's 20 s
        "unknown_key": lambda: signed(key, 6, {"central_url": "https://evil.example"}),
    }[case]()
    central.bundle, central.serve_any = bad, True
    syncer.tick()
    syncer.tick()
    assert store.version() == 5 and store.pending() is None
    assert store.current().settings == {"idle.warning_after_s": 90}
    assert len(central.reports) == 1, central.reports
    report = central.reports[0]
    failed = case in ("unappliable", "unknown_key")  # signed, fresh, but bad for this kiosk
    assert report["status"] == ("failed" if failed else "refused") and report["version"] == 5
    assert report["about"] == bad["version"]
    expected = {"tampered": "signature", "wrong_key": "signature", "unknown_key": "settings",
                "unappliable": "settings"}.get(case, case)  # fmt: skip
    assert report["detail"].startswith(expected)


def test_within_the_skew_window_it_is_taken(config, key) -> None:  # type: ignore[no-untyped-def]
    central, session = Central(), {"open": False}
    store, syncer = sync(config, central, session)
    central.bundle = signed(key, 1, issued=CENTRAL_NOW + timedelta(minutes=4))  # central's nodes
    syncer.tick()
    assert store.version() == 1 and central.reports == []


def test_a_kill_between_write_and_rename_leaves_the_old_bundle(config, key) -> None:  # type: ignore[no-untyped-def]
    central = Central()
    store = store_for(config)
    store.stage(signed(key, 1, {"idle.goodbye_s": 5}), CENTRAL_NOW)
    store.apply_pending(in_session=False)

    def killed(src: Path, dst: Path) -> None:
        raise OSError(5, "killed before the rename")

    dying = store_for(config, rename=killed)
    syncer = BundleSync(dying, central, lambda: False)
    central.bundle = signed(key, 2, {"idle.goodbye_s": 9})
    syncer.tick()
    after = store_for(config)  # the next start
    assert after.version() == 1 and after.pending() is None
    assert after.current().settings == {"idle.goodbye_s": 5}
    assert [p.name for p in after.versions.iterdir()] == ["1"]
    assert central.reports == []  # not a refusal: it is fetched again on the next tick
    syncer = BundleSync(after, central, lambda: False)
    syncer.tick()
    assert after.version() == 2


def test_a_malformed_answer_is_refused_not_raised(config, key) -> None:  # type: ignore[no-untyped-def]
    store = store_for(config)
    for wire in ({"version": 1}, {"version": 1, "payload": "{}", "signature": "!!"},
                 {**signed(key, 1), "version": 2}):  # fmt: skip
        with pytest.raises(BundleRefused):
            store.verify(wire, CENTRAL_NOW)
    assert store.version() is None


def test_a_running_kiosk_syncs_after_each_beat_only_with_a_pinned_key(config, key) -> None:  # type: ignore[no-untyped-def]
    import threading

    from kiosk.runtime.bundles import sync_for
    from kiosk.runtime.fleet import FleetAgent

    syncer = sync_for(config, "dev_x.secret", lambda: False)
    assert syncer is not None and syncer.store.root == config.data_dir / "bundles"
    (config.data_dir / KEY_FILE).unlink()
    assert sync_for(config, "dev_x.secret", lambda: False) is None  # takes no bundle at all

    class Sender:
        def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
            return {"interval_s": 30}

    ticked = threading.Event()
    agent = FleetAgent(Sender(), dict, lambda: 0, bundles=ticked.set)
    agent.start()
    try:
        assert ticked.wait(10), "the fleet agent never ran the bundles tick"
    finally:
        agent.stop()
    assert agent.sent >= 1


def test_kiosk_bundle_shows_running_previous_and_staged(config, key) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    store = store_for(config)
    for version in (1, 2):
        store.stage(signed(key, version, {"idle.goodbye_s": version + 4}), CENTRAL_NOW)
        store.apply_pending(in_session=False)
    store.stage(signed(key, 3), CENTRAL_NOW)
    env = {**os.environ, "KIOSK_DATA_DIR": str(config.data_dir)}
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "bundle", "--json", "--config",
                          str(ROOT / "config" / "kiosk.toml")], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "current": {"version": 2, "settings": {"idle.goodbye_s": 6}},
        "previous": {"version": 1, "settings": {"idle.goodbye_s": 5}},
        "pending": {"version": 3, "settings": {}},
    }


def test_a_catalogue_in_a_bundle_lands_in_its_folder_and_bad_names_are_refused(config, key) -> None:  # type: ignore[no-untyped-def]
    store = store_for(config)
    text = (ROOT / "config" / "services" / "change-of-address.toml").read_text(encoding="utf-8")
    store.stage(signed(key, 1, catalogue={"change-of-address.toml": text}), CENTRAL_NOW)
    applied = store.apply_pending(in_session=False)
    assert (applied.catalogue_dir / "change-of-address.toml").read_text(encoding="utf-8") == text
    for name in ("../escape.toml", ".hidden.toml", "notes.txt"):
        with pytest.raises(BundleRefused):
            store.stage(signed(key, 2, catalogue={name: "x = 1"}), CENTRAL_NOW)
        assert not (config.data_dir / "escape.toml").exists()
    assert store.version() == 1 and store.pending() is None
    assert [p.name for p in store.versions.iterdir()] == ["1"]


def test_an_installed_bundle_takes_effect_at_the_next_start_between_sessions(
    config, key, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Installed between sessions, the bundle asks the app to restart (only with no session open:
    the watchdog's between-sessions rule), and the next start runs with its settings."""
    from kiosk.runtime.bundles import configured
    from kiosk.runtime.watchdog import CrashLoopGuard, MemoryBudget, Notifier, Watchdog

    assert configured(config) == config  # nothing installed yet: the file's settings
    session = {"open": True}
    restarts: list[str] = []
    dog = Watchdog(
        Notifier(None, None),
        CrashLoopGuard(tmp_path, max_starts=5, window_s=600),
        MemoryBudget(2**40, read=lambda: 0),
        between_sessions=lambda: not session["open"],
        restart=lambda: restarts.append(dog.restart_reason or ""),
    )
    central = Central()
    store = store_for(config, clock=lambda: CENTRAL_NOW)
    syncer = BundleSync(
        store, central, lambda: session["open"],
        lambda bundle: dog.restart_between_sessions(f"bundle {bundle.version}"),
    )  # fmt: skip
    central.bundle = signed(key, 3, {"idle.warning_after_s": 75})
    syncer.tick()
    dog.tick()
    assert store.version() is None and restarts == []  # a citizen is at the kiosk
    session["open"] = False
    syncer.tick()
    assert store.version() == 3 and restarts == []  # installed; the restart waits for a tick
    dog.tick()
    assert restarts == ["bundle 3"]
    assert config.idle.warning_after_s != 75
    assert configured(config).idle.warning_after_s == 75  # what the next start runs with


def test_a_kiosk_without_a_pinned_key_starts_with_its_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kiosk.runtime.bundles import configured

    data = tmp_path / "bare"
    data.mkdir()
    bare = load_kiosk_config(ROOT / "config" / "kiosk.toml", env={"KIOSK_DATA_DIR": str(data)})
    assert configured(bare) == bare


def test_the_running_kiosk_wires_its_bundles_into_the_fleet_agent(config, key) -> None:  # type: ignore[no-untyped-def]
    """KioskRuntime with a pinned key: the agent checks for bundles after each beat and its
    heartbeat says the version installed (none yet); without a key, neither."""
    from kiosk.runtime.app import KioskRuntime

    runtime = KioskRuntime(config, token="dev_test.token")  # built, not started: no network
    assert runtime.bundles is not None and runtime.fleet.bundles == runtime.bundles.tick
    assert runtime.fleet.bundle_version is not None and runtime.fleet.bundle_version() is None
    runtime.bundles.store.stage(signed(key, 4, {"idle.respond_s": 40}), CENTRAL_NOW)
    runtime.bundles.store.apply_pending(in_session=False)
    assert runtime.fleet.bundle_version() == 4

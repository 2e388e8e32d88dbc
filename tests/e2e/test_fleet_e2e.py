"""Twenty real headless kiosk runtime processes (`kiosk agent`) against one `kiosk-central serve`
(issue 14 items 1-2): each enrols itself at its first start from an enrolment code left for it and
stores a 0600 token; a command queued for every kiosk is delivered once to each (long poll or
heartbeat) and reported done; a restart command stops its kiosk between sessions (systemd would
start it again) after reporting done; every step is in the audit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kiosk"))
from live_central import BIN, ROOT, LiveCentral  # noqa: E402

KIOSKS = 20
OFFICE = "FLEET20"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[LiveCentral]:
    live = LiveCentral(tmp_path, office=OFFICE).start()
    yield live
    live.stop()


def _sessions(central: LiveCentral):  # type: ignore[no-untyped-def]
    from central.db.base import make_engine, make_sessionmaker

    engine = make_engine(central.db_url)
    return engine, make_sessionmaker(engine)


def _wait(check, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.2)
    return time.monotonic() - started


def test_twenty_kiosk_processes_enrol_take_commands_and_report(tmp_path, central) -> None:  # type: ignore[no-untyped-def]
    from central.db.types import utcnow
    from central.fleet import commands, enrolment

    engine, sessions = _sessions(central)
    with sessions() as s:
        codes = [enrolment.make_code(s, OFFICE, f"kiosk-{n:02d}", "test", utcnow()).code
                 for n in range(KIOSKS)]  # fmt: skip
        s.commit()
    procs: list[subprocess.Popen[bytes]] = []
    folders = []
    try:
        for n, code in enumerate(codes):
            folder = tmp_path / f"kiosk-{n:02d}"
            folder.mkdir()
            (folder / "kiosk.toml").write_text(
                f'kiosk_id = "kiosk-{n:02d}"\ncentral_url = "{central.url}"\n'
                f'data_dir = "{folder / "data"}"\ncatalogue_dir = "{ROOT / "config" / "services"}"\n'
                f'[office]\nid = "{OFFICE}"\nname = "Fleet office"\n',
                encoding="utf-8",
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
            env["KIOSK_ENROLMENT_CODE"] = code
            log = (folder / "agent.log").open("wb")
            procs.append(subprocess.Popen(
                [str(BIN / "kiosk"), "agent", "--config", str(folder / "kiosk.toml")],
                stdout=log, stderr=log, env=env,
            ))  # fmt: skip
            folders.append(folder)

        def enrolled() -> bool:
            for n, p in enumerate(procs):
                assert p.poll() is None, (folders[n] / "agent.log").read_text()[-2000:]
            rows = central.sql(
                "SELECT count(*) FROM devices d JOIN device_status s ON s.device_id = d.id "
                "WHERE d.office = :o AND d.revoked_at IS NULL", {"o": OFFICE})  # fmt: skip
            return rows[0][0] == KIOSKS  # (LiveCentral's own registered kiosk never beats)

        _wait(enrolled, 120, "20 kiosks enrolled and beating")
        for folder in folders:
            token = folder / "data" / "device-token"
            assert token.stat().st_mode & 0o777 == 0o600
        ids = dict(central.sql("SELECT name, id FROM devices WHERE office = :o AND name LIKE "
                               "'kiosk-%'", {"o": OFFICE}))  # fmt: skip
        assert sorted(ids) == [f"kiosk-{n:02d}" for n in range(KIOSKS)]

        with sessions() as s:
            queued = [commands.queue(s, ids[f"kiosk-{n:02d}"], "fetch_config", {}, "staff:test",
                                     utcnow()).id for n in range(KIOSKS)]  # fmt: skip
            s.commit()

        def all_done() -> bool:
            rows = central.sql("SELECT state, count(*) FROM device_commands WHERE kind = "
                               "'fetch_config' GROUP BY state")  # fmt: skip
            return dict(rows).get("done") == KIOSKS

        took = _wait(all_done, 60, "fetch_config done on every kiosk")
        print(f"20 kiosks: fetch_config delivered and reported done in {took:.1f} s")
        delivered = central.sql("SELECT command_id, count(*) FROM fleet_audit WHERE action = "
                                "'delivered' GROUP BY command_id")  # fmt: skip
        assert sorted(delivered) == sorted((c, 1) for c in queued)  # each exactly once

        target = 5
        with sessions() as s:
            restart = commands.queue(s, ids[f"kiosk-{target:02d}"], "restart", {}, "staff:test",
                                     utcnow()).id  # fmt: skip
            s.commit()
        _wait(lambda: procs[target].poll() is not None, 60, "the restarted kiosk stopping")
        assert procs[target].returncode == 0  # a clean stop; Restart=always starts it again
        state = central.sql("SELECT state FROM device_commands WHERE id = :id", {"id": restart})
        assert state == [("done",)]
        assert all(p.poll() is None for n, p in enumerate(procs) if n != target)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        engine.dispose()
    assert all(p.returncode == 0 for p in procs), [p.returncode for p in procs]

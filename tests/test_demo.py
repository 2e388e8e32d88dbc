"""`make demo` end to end: the real central, emulated devices, the phone and staff pages in Chromium.
It must finish, list what it wrote, and say plainly what it could not show."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.browser
def test_demo_runs_the_whole_journey_and_lists_its_files(tmp_path):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium not found at /usr/bin/chromium: the demo test did NOT run")
    env = {**os.environ, "DEMO_OUTPUT": str(tmp_path / "out"), "DEMO_HEADLESS": "1"}
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py")],
        capture_output=True, text=True, env=env, timeout=420, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = tmp_path / "out"
    shipped = len(
        [p for p in (ROOT / "config" / "services").glob("*.toml") if not p.name.startswith("_")]
    )
    assert f"{shipped} services, 0 problems" in r.stdout
    refs = re.findall(r"submitted: case (\S+), (sent to central|saved on this kiosk)", r.stdout)
    assert [how for _, how in refs] == ["sent to central", "saved on this kiosk"]
    reference, offline_reference = refs[0][0], refs[1][0]
    assert f"the phone shows reference {reference}" in r.stdout
    receipt = (out / "receipts" / "receipt-001.txt").read_text()
    assert reference in receipt and "Eich cyfeirnod" in receipt
    assert "AB123456C" not in receipt and "Ann Example" not in receipt
    assert offline_reference in (out / "receipts" / "receipt-002.txt").read_text()
    assert f"central now has {offline_reference} (status submitted)" in r.stdout
    assert (out / "receipts" / "receipt-001.png").stat().st_size > 1000
    assert "→ staff" in r.stdout.split("one timeline")[1].splitlines()[0]
    for name in ("phone-01-compare-code", "staff-02-case-timeline"):
        assert (out / "web" / f"{name}.png").exists()
    shots = sorted(p.name for p in (out / "screens").glob("*.png"))
    assert shots[0] == "01-attract.png" and shots[-1].endswith("goodbye.png"), shots
    assert {"check-answers", "outcome", "feedback"} <= {n[3:-4] for n in shots}, shots
    app_receipt = sorted((out / "receipts-app").glob("receipt-*.txt"))[0].read_text()
    assert "Eich cyfeirnod" in app_receipt and "Ann Example" not in app_receipt
    assert "Traceback" not in r.stdout + r.stderr

"""The kiosk process killed with SIGKILL at random points across 200 submissions, against a real
central: every stored submission arrives exactly once (none lost, none duplicated)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

WORKER = Path(__file__).resolve().parent / "kill_worker.py"
TOTAL = 200


def test_sigkill_at_random_points_loses_and_duplicates_nothing(live_central, tmp_path):
    rng = random.Random(20261123)
    cmd = [sys.executable, str(WORKER), str(tmp_path), live_central.url, live_central.token,
           str(TOTAL)]  # fmt: skip
    kills = 0
    while True:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if kills < 12:
            # Kill after a random number of stored cases (not after a wall-clock delay, which a fast
            # machine outruns), then a random few milliseconds more: mid-write, mid-relay, anywhere.
            target, seen, drained = rng.randint(3, 25), 0, False
            for line in proc.stdout:
                drained = drained or line.startswith("drained")
                seen += line.startswith("stored")
                if seen >= target or drained:
                    break
            if not drained:
                time.sleep(rng.uniform(0.0, 0.03))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    kills += 1
                proc.wait()
                proc.stdout.close()
                proc.stderr.close()
                continue
            out, err = proc.communicate(timeout=180)
            out = "drained\n" + out
        else:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err[-2000:]
        assert "drained" in out
        break
    assert kills >= 8, "the worker finished before it could be killed often enough"
    cases = live_central.sql("SELECT COUNT(*), COUNT(DISTINCT reference) FROM cases")
    assert cases == [(TOTAL, TOTAL)]
    events = live_central.sql(
        "SELECT type, COUNT(*), COUNT(DISTINCT event_id) FROM case_events GROUP BY type"
    )
    assert sorted(events) == [("created", TOTAL, TOTAL), ("submitted", TOTAL, TOTAL)]
    assert live_central.sql("SELECT COUNT(*) FROM cases WHERE status <> 'submitted'") == [(0,)]

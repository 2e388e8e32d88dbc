"""A kiosk process for the SIGKILL test: submits cases until the outbox holds TOTAL of them, relaying
all the while, then drains. Killed at random points, restarted, it carries on from what is stored.
Usage: python kill_worker.py FOLDER URL TOKEN TOTAL"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from outbox_support import kiosk_parts, submission  # noqa: E402


def main() -> int:
    folder, url, token, total = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    outbox, relay, desk = kiosk_parts(folder, url, token)
    relay.start()
    db = sqlite3.connect(outbox.path)
    stored = db.execute("SELECT COUNT(*) FROM local_cases").fetchone()[0]
    db.close()
    while stored < total:
        desk.submit(submission())
        stored += 1
        print(f"stored {stored}", flush=True)
        time.sleep(0.01)  # a citizen every 10 ms: slow enough to be killed mid-way
    while outbox.depth():
        time.sleep(0.02)
    print("drained", flush=True)
    relay.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

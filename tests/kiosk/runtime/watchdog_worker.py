"""A kiosk process for the watchdog tests, fed by a supervisor that speaks systemd's notify protocol.

Usage: python watchdog_worker.py FOLDER MODE   (MODE: hang | crash)

Each start: the crash-loop guard counts it (3 starts in 10 minutes make a loop), the outbox and the
badge PIN book are opened from FOLDER, and one line says what survived:
``started n=<start> crash_loop=<0|1> depth=<outbox rows> locked=<0|1>``.

* ``hang``: the first start stores a case in the outbox, locks a badge with five wrong PINs, then
  its "UI loop" (the watchdog's ticks) freezes for good. Later starts tick forever.
* ``crash``: every start crashes (exit 1) just after it started, unless it is in a crash loop:
  then it stays up, out of service, and keeps ticking.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outbox"))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from outbox_support import kiosk_parts, submission  # noqa: E402

from kiosk.badge_pins import PinBook  # noqa: E402
from kiosk.runtime.watchdog import (  # noqa: E402
    CrashLoopGuard,
    MemoryBudget,
    Notifier,
    Watchdog,
)

BADGE = "TEC0042"


def main() -> int:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    outbox, _relay, desk = kiosk_parts(folder, "http://127.0.0.1:9", "dev-token.secret")
    pins = PinBook.load(folder / "pins.toml")
    watchdog = Watchdog(
        Notifier.from_env(),
        CrashLoopGuard(folder, max_starts=3, window_s=600),
        MemoryBudget(2**40),
        between_sessions=lambda: True,
        restart=lambda: None,
    )
    watchdog.started()
    starts = len(watchdog.guard.recent())
    first = not (folder / "first-start-done").exists()
    if mode == "hang" and first:
        pins.set_pin(BADGE, "2580")
        desk.submit(submission())
        for _ in range(5):
            pins.attempt(BADGE, "0000")
    locked = PinBook.load(folder / "pins.toml").locked_for(BADGE) > 0
    print(f"started n={starts} crash_loop={int(watchdog.crash_loop)} depth={outbox.depth()}"
          f" locked={int(locked)}", flush=True)  # fmt: skip
    (folder / "first-start-done").touch()
    if mode == "crash" and not watchdog.crash_loop:
        return 1
    ticks = 0
    while True:
        watchdog.tick()
        ticks += 1
        if mode == "hang" and first and ticks == 3:
            time.sleep(3600)  # the UI loop is frozen: no more WATCHDOG=1
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())

"""`kiosk emulate DEVICE [--fault NAME]... [--baud N] [--link PATH]`: run one emulator until stopped.

The first stdout line is the port URL to put in kiosk.toml (flushed at once, so a parent process can
read it); everything else goes to stderr. Ends on SIGINT/SIGTERM with exit 0; a bad device or fault
name prints a clear message and exits 2.

Environment: KIOSK_EMULATOR_OUTPUT=DIR makes output devices also save what they print there
(the receipt printer writes receipt-NNN.txt and receipt-NNN.png).

`--fault unplug` makes the cable flap (plugged 3 s, unplugged 3 s) so reconnection can be watched.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from peripherals.emulators.registry import EMULATORS, create_emulator, faults_for, host_for

__all__ = ["run"]

FLAP_SECONDS = 3.0


def run(device: str, faults: list[str], baud: int | None = None, link: str | None = None) -> int:
    """Start the emulator named `device` with `faults` on; block until SIGINT/SIGTERM."""
    if device not in EMULATORS:
        print(
            f"kiosk emulate: unknown device {device!r}; choose from: {', '.join(sorted(EMULATORS))}",
            file=sys.stderr,
        )
        return 2
    allowed = faults_for(device)
    bad = [f for f in faults if f not in allowed]
    if bad:
        print(
            f"kiosk emulate: unknown fault(s) {', '.join(bad)} for {device}; "
            f"choose from: {', '.join(sorted(allowed))}",
            file=sys.stderr,
        )
        return 2
    if baud is not None and baud <= 0:
        print("kiosk emulate: --baud must be a positive number", file=sys.stderr)
        return 2

    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    emulator = create_emulator(device)
    output = os.environ.get("KIOSK_EMULATOR_OUTPUT")
    if output and hasattr(emulator, "output_dir"):
        emulator.output_dir = Path(output)
    emulator.output_sink = lambda text: print(text, file=sys.stderr, flush=True)
    host = host_for(emulator, link=Path(link) if link else None, baud=baud)
    try:
        url = host.start()
        for name in faults:
            if name != "unplug":
                host.set_fault(name, True)
        print(url, flush=True)
        print(
            f"{device} emulator on {url} ({getattr(host, 'slave_path', None) or 'IPP'}); faults: "
            f"{', '.join(faults) or 'none'}; Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        flapping = "unplug" in faults
        while not stop.wait(FLAP_SECONDS):
            if flapping:
                if host.plugged:
                    host.unplug()
                else:
                    host.replug()
                print(f"cable {'in' if host.plugged else 'out'}", file=sys.stderr, flush=True)
    finally:
        host.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0

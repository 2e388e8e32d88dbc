"""Card readers and scanners: time from the device's bytes to the driver's event (prints figures).

Swipe-to-event and scan-to-event latency, p50 and p99 over N reads, for each input path the kiosk
supports:
  serial  the emulator on a real pseudo-terminal → SerialTransport → framer/parser → event
          (card reader: MagTek framing; MagTek insertion; ID TECH, whose swipe ends by the track
          gap; scanner: CR-terminated lines, Zebra SSI with its ACK)
  HID     kernel input_event records written into a pipe → KeyboardTransport (key map) → the same
          parsers → event (no uinput here: the pipe stands in for /dev/input/eventN)
The clock starts just before the first byte is written and stops in the event subscriber. Beside
bench_escpos.py's receipt figures. Run: .venv/bin/python bench/bench_input_latency.py [N]
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peripherals.emulators.magstripe_reader import CardReaderEmulator, tracks_for  # noqa: E402
from peripherals.emulators.pty_host import PtyHost  # noqa: E402
from peripherals.emulators.scanner import ScannerEmulator, SsiScannerEmulator  # noqa: E402
from peripherals.events import CardSwiped, CodeScanned, EventBus  # noqa: E402
from peripherals.magstripe.driver import CardReader  # noqa: E402
from peripherals.scanner import Scanner  # noqa: E402
from peripherals.wedge import KeyboardTransport  # noqa: E402
from peripherals.wedge.keymap import keystrokes  # noqa: E402

PAN = "4539578763621486"
CODE = "https://kiosk.example/h/ABCD-EFGH"


class Stopwatch:
    def __init__(self, bus: EventBus, kind: type) -> None:
        self.done = threading.Event()
        self.at = 0.0
        bus.subscribe(self._seen, kind)

    def _seen(self, _event: object) -> None:
        self.at = time.perf_counter()
        self.done.set()

    def time(self, send) -> float:  # noqa: ANN001 - a callable that writes the bytes
        self.done.clear()
        start = time.perf_counter()
        send()
        if not self.done.wait(5):
            raise RuntimeError("no event within 5 s")
        return self.at - start


def figures(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"  {name:<50} p50 {statistics.median(ms):7.2f} ms   p99 {p99:7.2f} ms")


def serial_reader(n: int, fmt: str, switch: str | None) -> list[float]:
    emu = CardReaderEmulator()
    if switch:
        emu.set_fault(switch)
    host = PtyHost(emu)
    host.start()
    bus = EventBus(threaded=True)
    reader = CardReader("card-reader", host.url, bus=bus, format=fmt)
    reader.open()
    watch = Stopwatch(bus, CardSwiped)
    try:
        return [watch.time(lambda: emu.swipe(tracks_for(PAN))) for _ in range(n)]
    finally:
        reader.close()
        host.stop()
        bus.close()


def serial_scanner(n: int, mode: str) -> list[float]:
    emu = SsiScannerEmulator() if mode == "ssi" else ScannerEmulator()
    host = PtyHost(emu)
    host.start()
    bus = EventBus(threaded=True)
    scanner = Scanner("scanner", host.url, mode=mode, bus=bus)
    scanner.open()
    time.sleep(0.2)  # the SSI init and its ACKs
    watch = Stopwatch(bus, CodeScanned)
    try:
        return [watch.time(lambda: emu.scan(CODE)) for _ in range(n)]
    finally:
        scanner.close()
        host.stop()
        bus.close()


def hid(n: int, device: str) -> list[float]:
    r, w = os.pipe()
    bus = EventBus(threaded=True)
    options = {"opener": lambda _url: r}
    if device == "reader":
        dev = CardReader("card-reader", "/dev/input/bench-kbd", bus=bus,
                         transport_factory=KeyboardTransport, transport_options=options)  # fmt: skip
        keys, kind = keystrokes(tracks_for(PAN) + "\n"), CardSwiped
    else:
        dev = Scanner("scanner", "/dev/input/bench-kbd", bus=bus,
                      transport_factory=KeyboardTransport, transport_options=options)  # fmt: skip
        keys, kind = keystrokes(CODE + "\n"), CodeScanned
    dev.open()
    watch = Stopwatch(bus, kind)
    try:
        return [watch.time(lambda: os.write(w, keys)) for _ in range(n)]
    finally:
        dev.close()
        os.close(w)
        bus.close()


def main() -> int:
    logging.disable(logging.WARNING)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(f"input latency, {n} reads each (bytes written → event delivered)")
    print("card reader, swipe-to-event")
    figures("serial MagTek (STX … CR ETX)", serial_reader(n, "magtek", None))
    figures(
        "serial MagTek insertion (ESC, sensor, no LRC)",
        serial_reader(n, "magtek_insert", "magtek_insert"),
    )
    figures(
        "serial ID TECH (CR per track; + 0.1 s track gap)",
        serial_reader(max(10, n // 10), "idtech", "idtech"),
    )
    figures("HID keyboard wedge (input_event records)", hid(n, "reader"))
    print("scanner, scan-to-event")
    figures("serial line mode (CR LF)", serial_scanner(n, "line"))
    figures("serial Zebra SSI (decode packet, ACK)", serial_scanner(n, "ssi"))
    figures("HID keyboard wedge (input_event records)", hid(n, "scanner"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

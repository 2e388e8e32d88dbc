"""Receipt printer: our driver against python-escpos on the same emulator (prints figures only).

(a) latency of a paper-status query (DLE EOT 4), median over N
(b) time to print a standard receipt (header, 12 lines, QR, cut) at 115200 and 9600 baud — the
    emulator reads at that line rate — beside the line-rate bound bytes×10/baud. "Printed" = the
    emulator has the cut receipt (our driver also waits for the printer's completion reply).
(c) bytes sent for that receipt by each.

Goals (from issue 3): status ≥ 20× faster than python-escpos; print time within 1.15× of the line-rate
bound; fewer bytes than python-escpos defaults. Run: .venv/bin/python bench/bench_escpos.py
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peripherals.emulators.escpos_printer import ReceiptPrinterEmulator  # noqa: E402
from peripherals.emulators.pty_host import PtyHost  # noqa: E402
from peripherals.escpos.printer import ReceiptPrinter  # noqa: E402
from peripherals.escpos.receipt import Line, Qr, Receipt  # noqa: E402

HEADER = "JOBCENTRE PLUS"
LINES = [f"Item {i:02d} ...................... {i * 3 + 1:>5}.00" for i in range(12)]
QR = "https://kiosk.example/h/ABCD-EFGH#Zk3yZk3yZk3yZk3y"
N_OURS, N_THEIRS, N_PRINT = 200, 5, 3


def our_receipt() -> Receipt:
    return Receipt(
        [Line(HEADER, bold=True, align="center", width=2, height=2)]
        + [Line(t) for t in LINES]
        + [Qr(QR, module_size=6)]
    )


def their_receipt(p) -> None:  # python-escpos, its documented defaults
    p.set(align="center", bold=True, double_height=True, double_width=True)
    p.text(HEADER + "\n")
    p.set(align="left", bold=False, normal_textsize=True)
    for t in LINES:
        p.text(t + "\n")
    p.set(align="center")
    p.qr(QR, native=True, size=6)
    p.cut()


def wait_cut(emu: ReceiptPrinterEmulator, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(emu.receipts) < count and time.monotonic() < deadline:
        time.sleep(0.0005)


def main() -> int:
    logging.disable(logging.WARNING)
    from escpos.printer import Serial

    emu = ReceiptPrinterEmulator()
    host = PtyHost(emu)
    host.start()
    ours = ReceiptPrinter("bench", host.url, profile="kiosk-emulator", status_timeout=1.0)
    ours.open()

    # (a) status latency
    t_ours = []
    for _ in range(N_OURS):
        t0 = time.perf_counter()
        ours.paper_status()
        t_ours.append(time.perf_counter() - t0)
    ours.close()
    theirs = Serial(devfile=host.url, baudrate=115200)  # python-escpos defaults (timeout 1 s)
    t_theirs = []
    for _ in range(N_THEIRS):
        t0 = time.perf_counter()
        theirs.paper_status()
        t_theirs.append(time.perf_counter() - t0)
    theirs.close()
    m_ours, m_theirs = statistics.median(t_ours), statistics.median(t_theirs)

    # (b) + (c) print a standard receipt
    rows = []
    for baud in (115200, 9600):
        host.baud = baud
        for who in ("ours", "python-escpos"):
            times, sizes = [], []
            for _ in range(N_PRINT):
                before_bytes, before_receipts = len(emu.received), len(emu.receipts)
                if who == "ours":
                    drv = ReceiptPrinter("bench", host.url, profile="kiosk-emulator")
                    drv.open()
                    before_bytes = len(emu.received)  # init is not part of the receipt
                    t0 = time.perf_counter()
                    drv.print_receipt(our_receipt())
                    wait_cut(emu, before_receipts + 1)
                    elapsed = time.perf_counter() - t0
                    drv.close()
                else:
                    p = Serial(devfile=host.url, baudrate=baud)
                    t0 = time.perf_counter()
                    their_receipt(p)
                    wait_cut(emu, before_receipts + 1)
                    elapsed = time.perf_counter() - t0
                    p.close()
                time.sleep(0.05)
                times.append(elapsed)
                sizes.append(len(emu.received) - before_bytes)
            size = statistics.median(sizes)
            bound = size * 10 / baud
            rows.append((baud, who, statistics.median(times), size, bound))
    host.stop()

    print("ESC/POS receipt printer benchmark (pseudo-terminal emulator, same for both clients)")
    print()
    print(
        f"(a) paper status query (DLE EOT 4), median: ours {m_ours * 1e3:.3f} ms (N={N_OURS}), "
        f"python-escpos {m_theirs * 1e3:.1f} ms (N={N_THEIRS}) → {m_theirs / m_ours:,.0f}× faster"
        f"  [goal ≥ 20×]"
    )
    print()
    print(
        f"{'baud':>7} {'client':<14} {'print time':>11} {'bytes':>6} {'line bound':>11} "
        f"{'time/bound':>10}"
    )
    for baud, who, t, size, bound in rows:
        print(
            f"{baud:>7} {who:<14} {t * 1e3:>9.1f}ms {size:>6.0f} {bound * 1e3:>9.1f}ms "
            f"{t / bound:>9.2f}×"
        )
    print()
    by = {(b, w): (t, s) for b, w, t, s, _ in rows}
    for baud in (115200, 9600):
        (t_o, s_o), (t_t, s_t) = by[(baud, "ours")], by[(baud, "python-escpos")]
        print(
            f"{baud:>7} baud: ours sends {s_o:.0f} bytes vs {s_t:.0f} ({s_o / s_t:.2f}×), "
            f"prints in {t_o / t_t:.2f}× python-escpos's time  [goals: bytes < 1×, "
            f"time ≤ 1.15× line bound]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Documents: time to make a QR code, and to build + render a document as ESC/POS bytes and as an
A4 PDF (prints medians beside the goals of issue 5; never asserts).

(a) QR matrix for a handoff URL, uncached (each run a new payload): best mask (the default) and a
    fixed mask; the PNG on top of a cached matrix.
(b) build_document + to_receipt + render_receipt (kiosk-emulator profile), Welsh.
(c) build_document + to_pdf, Welsh, new payload each run (so the QR is made every time too).

Goals: QR ≤ 20 ms, PDF ≤ 60 ms. Run: .venv/bin/python bench/bench_documents.py
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue import load_catalogue_strict  # noqa: E402
from kiosk.documents import build_document, qr_matrix, qr_png, to_pdf, to_receipt  # noqa: E402
from kiosk.references import make_case_reference  # noqa: E402
from peripherals.escpos.profiles import get_profile  # noqa: E402
from peripherals.escpos.render import render_receipt  # noqa: E402

N = 40
URL = "https://kiosk.example.gov.uk/h/K7Q2X9#{:043d}"


@dataclass(frozen=True)
class Sub:
    service_id: str
    language: str
    answers: dict[str, object] = field(default_factory=dict)


def median_ms(fn, n: int = N) -> float:  # type: ignore[no-untyped-def]
    fn(-1)  # warm-up: imports, font registration
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    catalogue = load_catalogue_strict(ROOT / "config" / "services")
    service = catalogue.services["proof-of-benefit-letter"]
    sub = Sub(service.id, "cy", {"benefit": "universal_credit", "period": "current"})
    profile = get_profile("kiosk-emulator")
    ref = make_case_reference("CARDIFF1")

    def doc(i: int):  # type: ignore[no-untyped-def]
        return build_document(
            sub,
            service,
            "letter",
            reference=ref,
            office="Canolfan Waith Tŵr y Dref",
            today=date(2026, 11, 23),
            qr_payload=URL.format(i + 10_000 * run[0]),
        )

    run = [0]
    rows = []
    rows.append(("QR matrix, best mask", median_ms(lambda i: qr_matrix(URL.format(i + 1000))), 20))
    rows.append(
        ("QR matrix, fixed mask", median_ms(lambda i: qr_matrix(URL.format(i + 2000), mask=0)), 20)
    )
    rows.append(("QR PNG (matrix cached)", median_ms(lambda i: qr_png(URL.format(1))), None))
    run[0] = 1
    receipt_bytes = [0]

    def receipt(i: int) -> None:
        data = render_receipt(to_receipt(doc(i), profile.width_chars), profile)
        receipt_bytes[0] = len(data)

    rows.append(("build + ESC/POS receipt", median_ms(receipt), None))
    run[0] = 2
    pdf_bytes = [0]

    def pdf(i: int) -> None:
        pdf_bytes[0] = len(to_pdf(doc(i)))

    rows.append(("build + PDF (QR made each time)", median_ms(pdf), 60))
    run[0] = 3
    rows.append(("build + PDF (QR cached)", median_ms(lambda i: to_pdf(doc(0))), 60))

    print(f"documents benchmark, median of {N} runs (Welsh letter, 81-char QR payload)")
    for name, ms, goal in rows:
        verdict = "" if goal is None else ("  within goal" if ms <= goal else "  OVER goal")
        goal_txt = "" if goal is None else f"   goal ≤ {goal} ms"
        print(f"  {name:34s} {ms:7.2f} ms{goal_txt}{verdict}")
    print(f"  receipt: {receipt_bytes[0]} bytes to the printer; PDF: {pdf_bytes[0]} bytes")


if __name__ == "__main__":
    main()

"""Diagnostics mode on the real window, against real parts: the devices of config/kiosk.toml behind
their emulators on pseudo-terminals, a real central service (for the link and its latency), a
real PIN file. Technician badge → PIN → every view → readiness PDF (read back with pdftotext)
→ exit to attract, with a screenshot of each diagnostics screen in test-artifacts/screens/."""

from __future__ import annotations

# The shared fixtures are imported by name, so test arguments of the same name are not redefinitions.
# ruff: noqa: F811
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_device_flows_support import (  # noqa: F401  (fixtures)
    STAFF_TRACK,
    TECH_ID,
    TECH_PIN,
    TECH_TRACK,
    badge_in,
    flows,
    hub,
    pins,
)

ROOT = Path(__file__).resolve().parents[2]
DEVICES = ("receipt-printer", "document-printer", "card-reader", "scanner")


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Any]:
    sys.path.insert(0, str(ROOT / "tests" / "kiosk"))
    from live_central import LiveCentral

    live = LiveCentral(tmp_path / "central", office="demo-office")
    live.folder.mkdir()
    live.start()
    yield live
    live.stop()


@pytest.fixture
def config(tmp_path: Path, central: Any) -> Any:
    """The shipped kiosk.toml, pointed at the live central with this kiosk's token."""
    from kiosk.config import load_kiosk_config

    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CENTRAL_URL": central.url,
           "KIOSK_DEVICE_TOKEN": central.token}  # fmt: skip
    return load_kiosk_config(ROOT / "config" / "kiosk.toml", env=env)


def _text(d: Any, kid: str) -> str:
    return str(d.find(kid).text)


def _idle(d: Any, flows: Any) -> None:
    screen = flows.diagnostics
    d.wait_until(lambda: not screen.running, 60, "the diagnostics job")


def test_technician_runs_every_check_and_exports_the_readiness_report(
    ui, hub, flows, artifacts, tmp_path
):
    d = ui.d
    badge_in(ui, hub, TECH_TRACK, TECH_PIN)
    d.wait_until(lambda: d.screen == "diagnostics", 10, "diagnostics")
    assert ui.session.kind.value == "diagnostics" and ui.session.staff_id == TECH_ID
    _idle(d, flows)

    # home: every device with state and statistics, the central link with its latency, the outbox
    for name in DEVICES:
        assert d.has(f"diag-device:{name}"), name
    assert "idle, online" in _text(d, "diag-device:receipt-printer")
    assert ", online" in _text(d, "diag-device:document-printer")
    central = _text(d, "diag-central")
    assert central.startswith("Central answers in ") and "accepts this kiosk's token" in central
    assert _text(d, "diag-outbox") == "Outbox: 0 waiting to be sent"
    assert _text(d, "diag-office") == (
        "kiosk.toml and central agree: this kiosk is registered under office demo-office."
    )
    assert not d.has("assisted-banner")
    d.screenshot(artifacts / "01-diagnostics-home.png")

    # internal checks: nothing printed; the document printer is out of paper (its emulator
    # answers IPP as a CUPS queue would)
    paper = hub.emulator("receipt-printer")
    before = len(paper.receipts)
    hub.emulator("document-printer").set_fault("paper_out", True)
    d.tap("diag:internal")
    _idle(d, flows)
    hub.emulator("document-printer").set_fault("paper_out", False)
    assert (
        _text(d, "diag-check:receipt-printer")
        == "OK · receipt-printer: The receipt printer is ready."
    )
    assert _text(d, "diag-check:card-reader").startswith("OK · card-reader: ")
    assert _text(d, "diag-check:central").startswith("OK · central: Central answers in ")
    assert _text(d, "diag-check:office").startswith("OK · office: kiosk.toml and central agree")
    assert _text(d, "diag-check:document-printer") == (
        "Fault · document-printer: The document printer is out of paper."
    )
    assert _text(d, "diag-summary") == "Faults found: 1"
    assert len(paper.receipts) == before
    d.screenshot(artifacts / "02-internal-checks.png")
    d.tap("diag:home")

    # external checks: the receipt printer prints its test slip
    d.tap("diag:external")
    _idle(d, flows)
    assert "test slip was printed" in _text(d, "diag-check:receipt-printer")
    assert len(paper.receipts) == before + 1 and "TEST SLIP" in str(paper.receipts[-1].text())
    assert "test page printed" in _text(d, "diag-check:document-printer")
    page = hub.emulator("document-printer").printed
    assert len(page) == 1 and page[0].read_bytes().startswith(b"%PDF")
    d.screenshot(artifacts / "03-external-checks.png")
    d.tap("diag:home")

    # interactive: test print judged by the technician, a swipe and a scan from the emulators
    d.tap("diag:interactive")
    d.tap("diag:test-print")
    _idle(d, flows)
    assert len(paper.receipts) == before + 2
    d.tap("diag:print-good")
    assert _text(d, "diag-print-result") == (
        "OK · receipt printer test print: The technician saw a clear test slip."
    )
    assert not d.has("diag:print-good")  # asked once
    d.tap("diag:card-test")
    assert _text(d, "diag-card-result") == "Swipe a card now"
    hub.emulator("card-reader").swipe("%B4111111111111111^CITIZEN/TEST^30121010000000?"
                                      ";4111111111111111=30121010000000?")  # fmt: skip
    d.wait_until(lambda: "read" in _text(d, "diag-card-result"), 10, "the swipe result")
    assert (
        _text(d, "diag-card-result")
        == "OK · card-reader swipe test: A card was read (tracks 1, 2)."
    )
    d.tap("diag:code-test")
    hub.emulator("scanner").scan("KIOSK-RESUME-1234")
    d.wait_until(lambda: "read" in _text(d, "diag-code-result"), 10, "the scan result")
    assert "A code was read" in _text(d, "diag-code-result")
    assert "17 characters" in _text(d, "diag-code-result")
    shown = " ".join(d.texts(everywhere=False))
    assert "4111" not in shown and "CITIZEN" not in shown and "KIOSK-RESUME" not in shown
    d.screenshot(artifacts / "04-interactive-checks.png")
    d.tap("diag:home")

    # the touch grid: every cell touched once, then Finish
    d.tap("diag:touch")
    grid_test = flows.diagnostics.touch_test
    assert d.has("touch-grid")
    grid = grid_test.grid
    d.screenshot(artifacts / "05-touch-grid-empty.png")
    for cell in grid.cells[:-1]:
        x, y, w, h = grid.cell_rect(cell)
        if grid_test.finish.collide_point(x + w / 2, y + h / 2):  # use the corner away from it
            cx, cy = grid_test.finish.center
            x = x + 4 if x + w / 2 < cx else x + w - 4
            y = y + 4 if y + h / 2 < cy else y + h - 4
        else:
            x, y = x + w / 2, y + h / 2
        _touch(d, x, y)
    assert grid.touched == grid.total - 1 and d.has("touch-grid")
    d.screenshot(artifacts / "06-touch-grid-nearly.png")
    x, y, w, h = grid.cell_rect(grid.cells[-1])
    _touch(d, x + w / 2, y + h / 2)
    assert not d.has("touch-grid")
    assert _text(d, "diag-touch-result") == (
        f"OK · touchscreen: All {grid.total} areas of the screen respond to touch."
    )
    d.tap("diag:home")

    # the colour test: six solid colours, a touch each, then back home
    d.tap("diag:colour")
    colours = flows.diagnostics.colour_test
    for index in range(6):
        assert d.has("colour-test") and colours.index == index
        shot = d.screenshot(artifacts / f"07-colour-{index + 1}-{colours.colour_name}.png")
        assert _centre_pixel(shot) == _rgb(colours.colour_name), colours.colour_name
        _touch(d, 640, 400)
    assert not d.has("colour-test") and d.has("diag:home") is False and d.has("diag:internal")

    # the log tail
    d.tap("diag:log")
    assert "session" in _text(d, "diag-log")
    d.screenshot(artifacts / "08-log.png")
    d.tap("diag:home")

    # the readiness report (of the last checks run): PDF with every device, printed on A4 by the
    # document printer
    d.tap("diag:report")
    _idle(d, flows)
    assert _text(d, "diag-verdict") == "READY"
    assert _text(d, "diag-report-print") == "OK · report print: The report was printed on A4."
    pdfs = sorted((tmp_path / "reports").glob("readiness-*.pdf"))
    assert len(pdfs) == 1 and str(pdfs[0]) in _text(d, "diag-report-path")
    text = _pdftotext(pdfs[0])
    for name in (*DEVICES, "touchscreen", "central", "office", "outbox"):
        assert name in text, name
    assert "4111" not in text and "KIOSK-RESUME" not in text
    assert hub.emulator("document-printer").printed[-1].read_bytes() == pdfs[0].read_bytes()
    d.screenshot(artifacts / "09-readiness-report.png")
    d.tap("diag:home")

    d.tap("diag:exit")
    d.wait_until(lambda: d.screen == "attract", 10, "attract")
    assert ui.session.kind is None and ui.session.staff_id is None


def test_badges_in_diagnostics_do_not_start_sessions_and_a_wipe_forgets_the_run(ui, hub, flows):
    d = ui.d
    badge_in(ui, hub, TECH_TRACK, TECH_PIN)
    d.wait_until(lambda: d.screen == "diagnostics", 10, "diagnostics")
    _idle(d, flows)
    d.tap("diag:interactive")
    d.tap("diag:card-test")
    hub.emulator("card-reader").swipe(STAFF_TRACK)  # the swipe test takes it: no PIN pad
    d.wait_until(lambda: "badge" in _text(d, "diag-card-result"), 10, "the swipe result")
    assert _text(d, "diag-card-result") == "OK · card-reader swipe test: A staff badge was read."
    assert not d.has("pin-pad") and ui.session.state.value == "diagnostics"
    hub.emulator("card-reader").swipe(STAFF_TRACK)  # nobody waiting: ignored
    d.pump(10)
    assert not d.has("pin-pad") and ui.session.state.value == "diagnostics"
    # the scanner unplugged: the scan test says so instead of waiting for ever
    scanner = hub.emulator("scanner").host
    scanner.unplug()
    d.wait_until(lambda: hub.states()["scanner"]["condition"] != "online", 10, "the unplug")
    d.tap("diag:code-test")
    assert _text(d, "diag-code-result").startswith(
        "Fault · scanner scan test: The scan test cannot"
    )
    assert not flows.diagnostics.waiting
    scanner.replug()
    ui.session.wipe("idle")
    d.wait_until(lambda: d.screen == "attract", 10, "attract")
    assert flows.diagnostics.results == {} and flows.diagnostics.view == "home"


def _touch(d: Any, x: float, y: float) -> None:
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(x, y)
    touch.touch_down()
    d.pump(1)
    touch.touch_up()
    d.pump(1)


def _rgb(name: str) -> tuple[int, int, int]:
    from screens.diagnostics_tests import COLOURS

    rgba = dict(COLOURS)[name]
    return tuple(round(c * 255) for c in rgba[:3])  # type: ignore[return-value]


def _centre_pixel(path: Path) -> tuple[int, int, int]:
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        return rgb.getpixel((rgb.width // 2, rgb.height // 2))  # type: ignore[return-value]


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils, tools/system-deps.sh) is needed to read the report")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True)  # fmt: skip
    return out.stdout

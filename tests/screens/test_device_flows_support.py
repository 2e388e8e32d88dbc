"""Fixtures and helpers for the device-flow screen tests (assisted sessions, diagnostics, faults).

The devices are the shipped config/kiosk.toml's, each behind its REAL emulator on a pseudo-terminal
(``DeviceHub(simulate=True)``): a swipe goes through the magstripe framing, the driver, the badge
rules and the event bus exactly as on a kiosk. PINs are real scrypt hashes in a PIN file.
Imported by test_assisted*.py and test_diagnostics*.py; it holds no tests of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

STAFF_ID, STAFF_PIN = "000042", "2580"
TECH_ID, TECH_PIN = "000007", "7391"
STAFF_TRACK = f"%STF{STAFF_ID}?"
TECH_TRACK = f"%TEC{TECH_ID}?"


@pytest.fixture
def hub(config: Any, tmp_path: Path) -> Iterator[Any]:
    from kiosk.runtime.devices import DeviceHub

    devices = DeviceHub(config, simulate=True, emulator_output=tmp_path / "paper").start()
    yield devices
    devices.close()


@pytest.fixture
def pins(tmp_path: Path) -> Any:
    from kiosk.badge_pins import PinBook, badge_key

    book = PinBook(tmp_path / "badge-pins.toml")
    book.set_pin(badge_key("staff", STAFF_ID), STAFF_PIN)
    book.set_pin(badge_key("technician", TECH_ID), TECH_PIN)
    return book


@pytest.fixture
def flows(ui: SimpleNamespace, hub: Any, pins: Any, config: Any, tmp_path: Path) -> Iterator[Any]:
    from kiosk.diagnostics import LogTail
    from kiosk.diagnostics.service import DiagnosticsService
    from screens.device_flows import attach

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)  # what the app's logging set-up does; the log tail shows INFO
    tail = LogTail().attach()
    service = DiagnosticsService(hub, config, log_tail=tail, report_dir=tmp_path / "reports")
    wired = attach(ui.c, hub, pins, config=config, service=service)
    ui.d.pump(2)
    yield wired
    wired.detach()
    tail.detach()
    root.setLevel(level)


def swipe(ui: SimpleNamespace, hub: Any, tracks: str) -> None:
    """Swipe on the real emulator and wait until the app has heard it."""
    assert hub.emulator("card-reader").swipe(tracks)


def enter_pin(d: Any, pin: str) -> None:
    for digit in pin:
        d.tap(f"pin-key:{digit}")
    d.tap("pin-enter")


def badge_in(ui: SimpleNamespace, hub: Any, tracks: str, pin: str) -> None:
    d = ui.d
    swipe(ui, hub, tracks)
    d.wait_until(lambda: d.has("pin-pad"), 10, "the PIN pad")
    enter_pin(d, pin)
    d.wait_until(lambda: not d.has("pin-pad"), 10, "the PIN pad to close")


def type_date(d: Any, field_id: str, dmy: str) -> None:
    day, month, year = dmy.split()
    for part, value in (("day", day), ("month", month), ("year", year)):
        d.type_into(f"field:{field_id}:{part}", value)


def answer_first_step(d: Any, today: date) -> None:
    """From the language screen: English, moving home, change of address, the first step."""
    from screens.script import journey_answers

    answers = journey_answers(today)
    d.tap("language:en")
    d.tap("event:moving-home")
    d.tap("service:change-of-address")
    d.tap("start-now")
    d.type_into("field:full_name", answers["full_name"])
    d.type_into("field:ni_number", answers["ni_number"])
    type_date(d, "date_of_birth", answers["date_of_birth"])
    d.tap("continue")


def to_outcome(d: Any, today: date) -> None:
    """From the language screen to the outcome screen, every answer by touch."""
    from screens.script import journey_answers

    answers = journey_answers(today)
    answer_first_step(d, today)
    d.type_into("field:address_line_1", answers["address_line_1"])
    d.type_into("field:town", answers["town"])
    d.type_into("field:postcode", answers["postcode"])
    type_date(d, "date_moved", answers["date_moved"])
    d.tap("key:done")
    d.tap("continue")
    d.tap("option:others_on_benefits:no")
    d.tap("continue")
    d.tap("option:contact_by:post")
    d.tap("continue")
    d.wait_until(lambda: d.screen == "check_answers", 20, "check answers")
    d.tap("submit")
    d.wait_until(lambda: d.screen == "outcome", 20, "the outcome screen")

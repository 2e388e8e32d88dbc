"""Short cuts for the screen tests: reach a screen quickly (by touch, or through the session
for the parts another test already covers by touch)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def step_answers(today: date) -> list[dict[str, object]]:
    return [
        {"full_name": "Bryn Tester", "ni_number": "AB654321D", "date_of_birth": "1975-06-30"},
        {
            "address_line_1": "7 Ffordd Las",
            "town": "Abertawe",
            "postcode": "SA1 1AA",
            "date_moved": (today - timedelta(days=10)).isoformat(),
        },  # fmt: skip
        {"others_on_benefits": False},
        {"contact_by": "post"},
    ]


def to_first_step(ui: Any) -> None:
    """attract → language → A–Z → change of address, all by touch."""
    d = ui.d
    d.tap(d.shell.manager)
    d.tap("language:en")
    d.tap("view:a-z")
    d.tap("service:change-of-address")
    d.tap("start-now")
    assert d.screen == "step"


def to_check_answers(ui: Any) -> None:
    s = ui.session
    s.start()
    s.choose_language("en")
    s.choose_service("change-of-address")
    for values in step_answers(ui.today):
        assert s.answer(values) == {}
    ui.d.pump(2)
    assert ui.d.screen == "check_answers"


def to_outcome(ui: Any) -> None:
    to_check_answers(ui)
    ui.d.tap("submit")
    ui.d.wait_until(lambda: ui.d.screen == "outcome", what="the outcome screen")


def personal_texts(ui: Any) -> list[str]:
    """The answers a person typed (as they would appear on any widget)."""
    values = [str(v) for step in step_answers(ui.today) for v in step.values()]
    return [v for v in values if len(v) > 4 and v not in ("False", "post")]

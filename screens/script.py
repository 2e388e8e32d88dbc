"""A whole citizen journey played with synthetic touches, one screenshot per screen.

Used by the tests and by ``make demo`` (tools/demo_screens.py), which is why it ships in the
package. Every answer is typed key by key on the on-screen keyboard; every choice is a touch on its
button. The answers are fictional.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from screens.driver import Driver

__all__ = ["SERVICE", "journey_answers", "play_journey"]

SERVICE = "change-of-address"


def journey_answers(today: date) -> dict[str, str]:
    moved = today - timedelta(days=20)
    return {
        "full_name": "Ann Example",
        "ni_number": "AB123456C",
        "date_of_birth": "2 4 1980",
        "address_line_1": "1 Heol y Frenhines",
        "town": "Caerdydd",
        "postcode": "CF10 1AA",
        "date_moved": f"{moved.day} {moved.month} {moved.year}",
    }


def _driver(target: Any) -> Driver:
    if isinstance(target, Driver):
        return target
    controller = getattr(target, "controller", target)
    return Driver(controller)


def _type_date(d: Driver, field_id: str, dmy: str) -> None:
    day, month, year = dmy.split()
    for part, value in (("day", day), ("month", month), ("year", year)):
        d.type_into(f"field:{field_id}:{part}", value)


def play_journey(
    app_or_harness: Any,
    out_dir: Path,
    *,
    language: str = "en",
    outcome: str = "print",
    today: date | None = None,
    timeout: float = 30.0,
) -> list[Path]:
    """attract → language → service → 4 steps → check → submit → outcome → feedback → goodbye.

    ``outcome`` is "print" or "staff" (the phone needs a second device; see the tests).
    Returns the screenshots written to ``out_dir`` (01-attract.png, 02-language.png, …).
    """
    d = _driver(app_or_harness)
    out_dir = Path(out_dir)
    shots: list[Path] = []
    answers = journey_answers(today or date.today())

    def shot(name: str) -> None:
        shots.append(d.screenshot(out_dir / f"{len(shots) + 1:02d}-{name}.png"))

    d.wait_until(lambda: d.screen == "attract", timeout, "the attract screen")
    shot("attract")
    d.tap(d.shell.manager)
    d.wait_until(lambda: d.screen == "language", timeout, "the language screen")
    shot("language")
    d.tap(f"language:{language}")
    shot("life-events")
    d.tap("event:moving-home")
    shot("services")
    d.tap(f"service:{SERVICE}")
    shot("start-page")
    d.tap("start-now")
    d.type_into("field:full_name", answers["full_name"])
    d.type_into("field:ni_number", answers["ni_number"])
    _type_date(d, "date_of_birth", answers["date_of_birth"])
    shot("step-1-keyboard")
    d.tap("continue")
    d.type_into("field:address_line_1", answers["address_line_1"])
    d.type_into("field:town", answers["town"])
    d.type_into("field:postcode", answers["postcode"])
    _type_date(d, "date_moved", answers["date_moved"])
    d.tap("key:done")
    shot("step-2")
    d.tap("continue")
    d.tap("option:others_on_benefits:no")
    shot("step-3")
    d.tap("continue")
    d.tap("option:contact_by:post")
    shot("step-4")
    d.tap("continue")
    d.wait_until(lambda: d.screen == "check_answers", timeout, "check answers")
    shot("check-answers")
    d.tap("submit")
    if d.screen == "submitting":
        shot("submitting")
    d.wait_until(lambda: d.screen == "outcome", timeout, "the outcome screen")
    shot("outcome")
    d.tap(f"outcome:{outcome}")
    if d.has("slip:print"):  # a backend that prints a slip with a code to carry on later
        shot("slip-factor")
        d.tap("slip:print")
        d.wait_until(lambda: d.has("slip:continue"), timeout, "the printed slip")
        shot("slip-printed")
        d.tap("slip:continue")
    else:
        d.wait_until(lambda: d.has("outcome:continue"), timeout, f"the {outcome} result")
        shot(f"outcome-{outcome}")
        d.tap("outcome:continue")
    d.tap("face:4")
    shot("feedback")
    d.tap("feedback:send")
    d.wait_until(lambda: d.screen == "goodbye", timeout, "goodbye")
    shot("goodbye")
    d.tap("finish")
    d.wait_until(lambda: d.screen == "attract", timeout, "the attract screen again")
    return shots

"""Issue 17 item 8: a hint's example passes its own field's check, on every day the service runs.

A citizen who follows the example ("For example, ‘AB 12 34 56 C’", "For example, 14 10 2026") must
never be refused for it. Fixed example dates go stale as "today" moves, so date hints write
``{example}`` and the channels fill in a date from the field's limits.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from catalogue_helpers import SHIPPED, good_service, line_of

from catalogue.hints import example_date, hint_text
from catalogue.loader import load_catalogue, load_catalogue_strict
from catalogue.model import FieldType
from catalogue.validation import normalise

QUOTED = re.compile(r"[‘']([^’']+)[’']")
DMY = re.compile(r"\b(\d{1,2}) (\d{1,2}) (\d{4})\b")
DAYS = [date(2026, 12, 2) + timedelta(days=n) for n in (0, 1, 45, 200, 400, 1500)]


def _shipped_fields():  # type: ignore[no-untyped-def]
    catalogue = load_catalogue_strict(SHIPPED)
    for service in catalogue.services.values():
        for step in service.steps:
            for field in step.fields:
                if field.hint is not None:
                    yield service.id, field


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_example_in_a_shipped_hint_passes_its_own_field_on_that_day(day: date) -> None:
    checked = 0
    for service_id, field in _shipped_fields():
        for lang in ("en", "cy"):
            text = hint_text(field, lang, day)
            assert text is not None and "{" not in text, (service_id, field.id, text)
            if field.type is FieldType.DATE:
                examples = [f"{d} {m} {y}" for d, m, y in DMY.findall(text)]
            else:
                examples = QUOTED.findall(text) if "xample" in text or "enghraifft" in text else []
            for example in examples:
                normalise(field, example, day)  # raises AnswerError if the citizen is refused
                checked += 1
    assert checked >= 20  # the shipped services do show examples: this test reads them


def test_a_moving_window_example_is_computed_inside_the_window_in_both_languages() -> None:
    catalogue = load_catalogue_strict(SHIPPED)
    moved = next(
        f
        for step in catalogue.services["change-of-address"].steps
        for f in step.fields
        if f.type is FieldType.DATE and f.min_date == "-3m"
    )
    day = date(2026, 12, 2)
    shown = example_date(moved, day)
    assert date(2026, 9, 2) <= shown <= day
    digits = f"{shown.day} {shown.month} {shown.year}"
    assert hint_text(moved, "en", day) == f"For example, {digits}. It must be in the last 3 months."
    assert hint_text(moved, "cy", day) == (
        f"Er enghraifft, {digits}. Rhaid iddo fod yn ystod y 3 mis diwethaf."
    )


def _problems(folder: Path, text: str) -> list[str]:
    (folder / "s.toml").write_text(text, encoding="utf-8")
    _, problems = load_catalogue(folder)
    return [f"{p.line}: {p.key}: {p.message}" for p in problems]


def _with_field(extra: str) -> str:
    return good_service("s") + "\n[[steps.fields]]\n" + extra


def test_a_quoted_example_the_field_refuses_is_a_problem_at_the_hint(catalogue_dir: Path) -> None:
    text = _with_field(
        'id = "ni"\ntype = "ni_number"\nlabel.en = "NI"\nlabel.cy = "YG"\n'
        'hint.en = "For example, ‘QQ 12 34 56 C’."\nhint.cy = "Er enghraifft, ‘AB 12 34 56 C’."\n'
    )
    found = _problems(catalogue_dir, text)
    line = line_of(text, "hint.en = ")
    assert found == [
        f"{line}: steps[1].fields[2].hint: hint.en: the example 'QQ 12 34 56 C' fails this "
        "field's own check"
    ]


def test_a_fixed_date_in_a_moving_window_is_a_problem_and_example_is_not(
    catalogue_dir: Path,
) -> None:
    field = (
        'id = "moved_on"\ntype = "date"\nlabel.en = "When"\nlabel.cy = "Pryd"\n'
        'min_date = "-3m"\nmax_date = "today"\n'
    )
    stale = _with_field(field + 'hint.en = "For example, 27 3 2001"\nhint.cy = "{example}"\n')
    found = _problems(catalogue_dir, stale)
    assert len(found) == 1 and "hint.en: the example '27 3 2001' fails" in found[0]
    assert found[0].startswith(f"{line_of(stale, 'hint.en = ')}: steps[1].fields[2].hint:")
    fresh = _with_field(field + 'hint.en = "For example, {example}"\nhint.cy = "{example}"\n')
    assert _problems(catalogue_dir, fresh) == []


def test_example_on_a_field_that_is_not_a_date_is_a_problem(catalogue_dir: Path) -> None:
    text = _with_field(
        'id = "name"\ntype = "text"\nlabel.en = "Name"\nlabel.cy = "Enw"\n'
        'hint.en = "For example, {example}"\nhint.cy = "Er enghraifft, Siân"\n'
    )
    found = _problems(catalogue_dir, text)
    assert [p.split(": ", 2)[2] for p in found] == ["{example} is only for date fields (hint.en)"]

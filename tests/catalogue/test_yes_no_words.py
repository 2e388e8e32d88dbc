"""Welsh yes/no answers follow the question's verb (Oes / Nac oes, Ydw / Nac ydw, Hoffwn / Na
hoffwn): each yes/no question names its own words, every channel shows and reads them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from catalogue_helpers import good_service, line_of

from catalogue.loader import load_catalogue, load_catalogue_strict
from catalogue.messages import message_for
from catalogue.model import FieldType
from catalogue.validation import AnswerError, normalise

TODAY = date(2026, 12, 2)
ROOT = Path(__file__).resolve().parents[2]
WORDS = 'answers.yes.en = "Yes"\nanswers.yes.cy = "Ydw"\nanswers.no.en = "No"\nanswers.no.cy = "Nac ydw"\n'


def _problems(folder: Path, text: str) -> list[str]:
    (folder / "s.toml").write_text(text, encoding="utf-8")
    _, problems = load_catalogue(folder)
    return [f"{p.line}: {p.key}: {p.message}" for p in problems]


def test_a_yes_no_question_without_its_words_is_a_problem_at_its_line(catalogue_dir: Path) -> None:
    text = good_service("s").replace(WORDS, "")
    found = _problems(catalogue_dir, text)
    assert len(found) == 1
    line = line_of(text, "[[steps.fields]]")  # a missing key is told at its table
    assert found[0].startswith(f"{line}: steps[0].fields[0].answers:"), found
    assert "Nac oes" in found[0]


def test_words_on_another_field_and_equal_words_are_problems(catalogue_dir: Path) -> None:
    text = good_service("s").replace(
        'label.cy = "Cod post"', 'label.cy = "Cod post"\nanswers.yes.en = "Y"\nanswers.yes.cy = "Y"'
    )
    text = text.replace('answers.no.cy = "Nac ydw"', 'answers.no.cy = "ydw"')
    messages = " | ".join(_problems(catalogue_dir, text))
    assert "answers apply only to yes_no fields" in messages
    assert "the yes and no answers must differ (cy)" in messages


def test_the_question_s_words_are_read_and_said_back(catalogue_dir: Path) -> None:
    catalogue, problems = load_catalogue(catalogue_dir)
    assert problems == []
    field = next(f for f in catalogue.services["good"].steps[0].fields if f.id == "moved")
    assert normalise(field, "Nac ydw", TODAY) is False
    assert normalise(field, " ydw ", TODAY) is True
    assert field.yes_no_word(True, "cy") == "Ydw" and field.yes_no_word(False, "en") == "No"
    required = message_for(field, "required")
    assert (required.en, required.cy) == ("Select ‘Yes’ or ‘No’", "Dewiswch ‘Ydw’ neu ‘Nac ydw’")
    with pytest.raises(AnswerError):
        normalise(field, "ie-ish", TODAY)


def test_every_shipped_yes_no_question_has_its_own_welsh_words() -> None:
    catalogue = load_catalogue_strict(ROOT / "config" / "services")
    seen = 0
    for service in catalogue.services.values():
        for step in service.steps:
            for field in step.fields:
                if field.type is not FieldType.YES_NO:
                    continue
                seen += 1
                yes, no = field.answer_words()
                assert field.answers is not None, field.id
                assert yes.cy not in ("Ie", "Na") and no.cy not in ("Ie", "Na"), field.id
                for _code, text in field.errors:
                    assert "‘Ie’" not in text.cy and "‘Na’" not in text.cy, field.id
    assert seen >= 4

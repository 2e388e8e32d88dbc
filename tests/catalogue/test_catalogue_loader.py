"""Every way a service file can be wrong is reported with its file, line and key — and only that
file is left out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from catalogue_helpers import good_service, line_of

from catalogue.loader import CatalogueError, Problem, load_catalogue, load_catalogue_strict
from catalogue.model import Channel, DocumentKind, FieldType

TODAY = date(2026, 3, 15)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems_for(folder: Path, name: str, text: str) -> tuple[list[Problem], Path]:
    path = _write(folder, name, text)
    catalogue, problems = load_catalogue(folder, today=TODAY)
    # The good service beside it always survives.
    assert "good" in catalogue.services
    mine = [p for p in problems if p.file == str(path)]
    assert mine == problems, f"problems outside {name}: {problems}"
    service_id = name.removesuffix(".toml")
    assert service_id not in catalogue.services, "a broken service must not load"
    return mine, path


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_good_catalogue_loads_with_no_problems(catalogue_dir: Path) -> None:
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    assert problems == []
    service = catalogue.services["good"]
    assert [s.id for s in service.steps] == ["first", "second"]
    assert service.field("postcode").type is FieldType.POSTCODE
    assert service.field("postcode").show_if.equals is True
    assert service.channels == frozenset({Channel.KIOSK, Channel.WEB})
    assert service.documents == (DocumentKind.RECEIPT,)
    assert service.source == str(catalogue_dir / "good.toml")
    assert [s.id for s in catalogue.by_life_event("moving-home")] == ["good"]
    assert set(catalogue.life_events) == {"moving-home", "money-and-benefits"}


def test_malformed_toml_gives_the_line_and_spares_the_others(catalogue_dir: Path) -> None:
    text = good_service("bad") + 'oops = = "x"\n'
    problems, path = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.line == line_of(text, "oops")
    assert "malformed TOML" in p.message
    assert str(p).startswith(f"{path}:{p.line}: malformed TOML")


def test_malformed_toml_duplicate_key(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'title.en = "First"', 'title.en = "First"\ntitle.en = "Again"'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert _only(problems).line == line_of(text, '"Again"')


def test_not_utf8(catalogue_dir: Path) -> None:
    path = catalogue_dir / "bad.toml"
    path.write_bytes(good_service("bad").encode("utf-8") + b'\nx = "\xff"\n')
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    assert "good" in catalogue.services
    assert "UTF-8" in _only(problems).message


def test_unknown_field_type(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('type = "postcode"', 'type = "colour"')
    problems, path = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[0].fields[1].type"
    assert p.line == line_of(text, '"colour"')
    assert "unknown field type 'colour'" in p.message and "ni_number" in p.message
    assert str(p) == f"{path}:{p.line}: steps[0].fields[1].type: {p.message}"


def test_unknown_type_does_not_cause_follow_on_problems(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('type = "choice"', 'type = "multiple"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert "unknown field type 'multiple'" in _only(problems).message


def test_duplicate_service_id_across_files(catalogue_dir: Path) -> None:
    path = _write(catalogue_dir, "zz-copy.toml", good_service("good"))
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    p = _only(problems)
    assert (p.file, p.key, p.line) == (str(path), "id", 1)
    assert "duplicate service id 'good'" in p.message and "good.toml" in p.message
    assert catalogue.services["good"].source.endswith("good.toml")


def test_duplicate_field_id_within_service(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('id = "email"', 'id = "postcode"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    dup = [p for p in problems if "duplicate field id" in p.message]
    assert len(dup) == 1
    assert dup[0].key == "steps[1].fields[1].id"
    assert dup[0].line == line_of(text, 'id = "postcode"', occurrence=2)


def test_duplicate_step_id(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('id = "second"', 'id = "first"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[1].id" and "duplicate step id 'first'" in p.message


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_missing_translation(catalogue_dir: Path, lang: str) -> None:
    other = "en" if lang == "cy" else "cy"
    text = (
        good_service("bad")
        .replace(f'label.{lang} = "Postcode"', "")
        .replace(f'label.{lang} = "Cod post"', "")
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == f"steps[0].fields[1].label.{lang}"
    assert "translation" in p.message
    # Falls back to the line of the text that is there.
    assert p.line == line_of(text, f"label.{other} = ", occurrence=2)


def test_missing_text_and_missing_id(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('help.en = "You need your postcode."\n', "")
    text = text.replace('help.cy = "Bydd angen eich cod post arnoch."\n', "")
    text = text.replace('id = "moved"\n', "")
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    keys = {p.key for p in problems}
    assert "help" in keys
    assert "steps[0].fields[0].id" in keys


def test_empty_translation_and_unknown_language(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'title.cy = "Cyntaf"', 'title.cy = "  "\ntitle.fr = "Premier"'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    keys = {p.key: p for p in problems}
    assert "steps[0].title.cy" in keys and "empty" in keys["steps[0].title.cy"].message
    assert "steps[0].title.fr" in keys and "unknown key 'fr'" in keys["steps[0].title.fr"].message


def test_text_given_as_plain_string(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'title.en = "Report a move"\ntitle.cy = "Rhoi gwybod am symud"', 'title = "Report a move"'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "title" and "title.en" in p.message and p.line == line_of(text, "title =")


def test_show_if_forward_reference(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'show_if = { field = "moved", equals = true }',
        'show_if = { field = "how", equals = "post" }',
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[0].fields[1].show_if.field"
    assert "points forward to 'how'" in p.message
    assert p.line == line_of(text, 'field = "how"')


def test_step_show_if_on_its_own_field_is_forward(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'title.cy = "Ail"', 'title.cy = "Ail"\nshow_if = { field = "how", equals = "post" }'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[1].show_if.field" and "on the same step" in p.message


def test_show_if_cycle(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'label.cy = "Ydych chi wedi symud?"',
        'label.cy = "Ydych chi wedi symud?"\nshow_if = { field = "email", equals = "a@b.cy" }',
    )
    text = text.replace(
        'show_if = { field = "how", equals = "email" }',
        'show_if = { field = "moved", equals = true }',
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[0].fields[0].show_if.field"
    assert "cycle: moved → email → moved" in p.message
    assert p.line == line_of(text, 'field = "email"')


def test_show_if_on_itself(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('field = "moved"', 'field = "postcode"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert "itself" in _only(problems).message


def test_show_if_unknown_field(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('field = "moved"', 'field = "moov"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert "unknown field 'moov'" in p.message and p.key == "steps[0].fields[1].show_if.field"


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ('field = "how", equals = "email"', 'field = "how", equals = "fax"', "not an option"),
        ('field = "moved", equals = true', 'field = "moved", equals = "maybe"', "yes/no"),
        ('field = "moved", equals = true', 'field = "moved", one_of = ["yes"]', "yes/no"),
        ('field = "moved", equals = true', 'field = "moved"', "exactly one of"),
        (
            'field = "moved", equals = true',
            'field = "moved", equals = true, also = 1',
            "unknown key",
        ),
    ],
)
def test_show_if_bad_values(catalogue_dir: Path, old: str, new: str, needle: str) -> None:
    text = good_service("bad").replace(old, new)
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert needle in _only(problems).message


def test_show_if_yes_word_is_converted(catalogue_dir: Path) -> None:
    text = good_service("other").replace("equals = true", 'equals = "yes"')
    _write(catalogue_dir, "other.toml", text)
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    assert problems == []
    assert catalogue.services["other"].field("postcode").show_if.equals is True


def test_pattern_that_does_not_compile(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'label.cy = "Cod post"', 'label.cy = "Cod post"\npattern = "([A-Z"'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[0].fields[1].pattern" and "does not compile" in p.message
    assert p.line == line_of(text, "pattern =")


def test_pattern_on_wrong_type_and_pattern_error_alone(catalogue_dir: Path) -> None:
    text = (
        good_service("bad")
        .replace(
            'label.cy = "Ydych chi wedi symud?"',
            'label.cy = "Ydych chi wedi symud?"\npattern = "x"',
        )
        .replace(
            'label.cy = "E-bost"',
            'label.cy = "E-bost"\npattern_error.en = "x"\npattern_error.cy = "x"',
        )
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    messages = " | ".join(p.message for p in problems)
    assert "does not apply to yes_no" in messages
    assert "pattern_error without a pattern" in messages


@pytest.mark.parametrize(
    ("limits", "needle"),
    [
        ('min_date = "-3x"', "not a date limit"),
        ('max_date = "2026-02-30"', "not a real date"),
        ('min_date = "tomorrow"', "not a date limit"),
        ('min_date = "+1d"\nmax_date = "-1d"', "min_date is after max_date"),
        ("min_date = 2026-01-01", "non-empty text"),
    ],
)
def test_bad_date_limits(catalogue_dir: Path, limits: str, needle: str) -> None:
    text = good_service("bad").replace(
        'type = "postcode"\nlabel.en = "Postcode"',
        f'type = "date"\n{limits}\nlabel.en = "Postcode"',
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert needle in p.message
    assert p.line == line_of(text, limits.splitlines()[0])


def test_date_limit_on_a_non_date_field(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'label.cy = "Cod post"', 'label.cy = "Cod post"\nmax_date = "today"'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert "applies to date fields" in _only(problems).message


@pytest.mark.parametrize(
    ("setting", "needle"),
    [
        ("min = 5\nmax = 1", "min (5) is more than max (1)"),
        ('max = "ten"', "must be a number"),
        ("max = true", "must be a number"),
        ("min = -1", "whole number of 0 or more"),
        ("max = 2.5", "whole number of 0 or more"),
    ],
)
def test_bad_min_max(catalogue_dir: Path, setting: str, needle: str) -> None:
    text = good_service("bad").replace(
        'type = "postcode"\nlabel.en = "Postcode"',
        f'type = "text"\n{setting}\nlabel.en = "Postcode"',
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert needle in _only(problems).message


def test_min_on_a_choice(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('label.cy = "Sut?"', 'label.cy = "Sut?"\nmin = 1')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert p.key == "steps[1].fields[0].min" and "not choice" in p.message


def test_choice_needs_options_and_unique_values(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('value = "email"', 'value = "post"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    messages = [p.message for p in problems]
    assert any("duplicate option value 'post'" in m for m in messages)
    text = good_service("bad").replace('type = "postcode"', 'type = "choice"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert "at least two" in _only(problems).message


def test_options_on_a_non_choice(catalogue_dir: Path) -> None:
    text = good_service("bad").replace('type = "choice"', 'type = "text"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    # the text field has options, and the show_if on "how" compares text with "email": fine
    assert "only a choice field has options" in _only(problems).message


def test_unknown_life_event(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'life_events = ["moving-home"]', 'life_events = ["moving-house"]'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert (p.key, p.line) == ("life_events[0]", 2)
    assert "unknown life event 'moving-house'" in p.message and "moving-home" in p.message


def test_unknown_channel_and_document(catalogue_dir: Path) -> None:
    text = (
        good_service("bad").replace('"web"]', '"fax"]').replace('["receipt"]', '["receipt", "sms"]')
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    by_key = {p.key: p for p in problems}
    assert "unknown channel 'fax'" in by_key["channels[1]"].message
    assert "unknown document 'sms'" in by_key["documents[1]"].message
    assert by_key["channels[1]"].line == 4 and by_key["documents[1]"].line == 3


def test_needs_staff_without_staff_channel(catalogue_dir: Path) -> None:
    text = good_service("bad").replace(
        'channels = ["kiosk", "web"]', 'channels = ["kiosk", "web"]\nneeds_staff = true'
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert "staff" in _only(problems).message


def test_unknown_key_suggests_the_right_one(catalogue_dir: Path) -> None:
    text = good_service("bad").replace("required = false", "requird = false")
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    p = _only(problems)
    assert "did you mean 'required'" in p.message and p.line == line_of(text, "requird")


def test_bad_values_of_the_wrong_type(catalogue_dir: Path) -> None:
    text = good_service("bad").replace("required = false", 'required = "no"')
    text = text.replace('id = "first"', 'id = "First Step"')
    text = text.replace('life_events = ["moving-home"]', 'life_events = "moving-home"')
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    keys = {p.key for p in problems}
    assert {"steps[1].fields[1].required", "steps[0].id", "life_events"} <= keys


def test_no_steps_and_empty_steps(catalogue_dir: Path) -> None:
    text = good_service("bad").split("[[steps]]")[0]
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert "missing [[steps]]" in _only(problems).message
    text = good_service("bad").split("[[steps.fields]]")[0]
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert _only(problems).key == "steps[0].fields"


def test_every_problem_in_a_file_is_reported_at_once(catalogue_dir: Path) -> None:
    text = (
        good_service("bad")
        .replace('type = "postcode"', 'type = "colour"')
        .replace('title.cy = "Ail"', "")
        .replace('life_events = ["moving-home"]', 'life_events = ["nope"]')
    )
    problems, _ = _problems_for(catalogue_dir, "bad.toml", text)
    assert len(problems) == 3
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_life_events_file_missing_or_broken(catalogue_dir: Path) -> None:
    (catalogue_dir / "_life_events.toml").unlink()
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    p = _only(problems)
    assert p.file.endswith("_life_events.toml") and "missing" in p.message
    assert "good" in catalogue.services  # references are not checked against a missing list
    _write(catalogue_dir, "_life_events.toml", '[[events]]\nid = "a"\ntitle.en = "A"\n')
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    p = _only(problems)
    assert (p.key, p.line) == ("events[0].title.cy", 3)


def test_life_events_duplicate(catalogue_dir: Path) -> None:
    text = '[[events]]\nid = "a"\ntitle.en = "A"\ntitle.cy = "A"\n' * 2
    _write(catalogue_dir, "_life_events.toml", text)
    _, problems = load_catalogue(catalogue_dir, today=TODAY)
    p = _only(problems)
    assert (p.key, p.line) == ("events[1].id", 6)


def test_files_starting_with_underscore_and_other_files_are_not_services(
    catalogue_dir: Path,
) -> None:
    _write(catalogue_dir, "_draft.toml", "this is not toml = = =")
    _write(catalogue_dir, "notes.txt", "hello")
    catalogue, problems = load_catalogue(catalogue_dir, today=TODAY)
    assert problems == [] and list(catalogue.services) == ["good"]


def test_missing_directory(tmp_path: Path) -> None:
    catalogue, problems = load_catalogue(tmp_path / "nowhere")
    assert catalogue.services == {} and "not a directory" in _only(problems).message


def test_strict_loader_raises_with_every_problem(catalogue_dir: Path) -> None:
    _write(
        catalogue_dir, "bad.toml", good_service("bad").replace('type = "postcode"', 'type = "x"')
    )
    _write(catalogue_dir, "worse.toml", "= broken")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_strict(catalogue_dir, today=TODAY)
    files = [Path(p.file).name for p in caught.value.problems]
    assert files == ["bad.toml", "worse.toml"]
    assert "2 problem(s)" in str(caught.value)
    (catalogue_dir / "bad.toml").unlink()
    (catalogue_dir / "worse.toml").unlink()
    assert list(load_catalogue_strict(catalogue_dir).services) == ["good"]


def test_problem_str_without_line() -> None:
    assert str(Problem("a.toml", None, "id", "bad")) == "a.toml: id: bad"
    assert str(Problem("a.toml", 3, "", "bad")) == "a.toml:3: bad"

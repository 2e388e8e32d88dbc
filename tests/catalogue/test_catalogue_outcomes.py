"""``[[outcomes]]``: endings such as "not eligible" — loaded, checked (file:line:key like every
other problem), serialised, and decided by :func:`catalogue.outcome_for` for every channel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from catalogue_helpers import good_service, line_of

from catalogue import outcome_for
from catalogue.loader import Problem, load_catalogue
from catalogue.model import Service
from catalogue.outcomes import deciding_step, shown_answers
from catalogue.serialise import service_from_dict, service_to_dict

TODAY = date(2026, 3, 15)

OUTCOME = """
[[outcomes]]
id = "{id}"
when = {when}
title.en = "You cannot use this service"
title.cy = "Ni allwch ddefnyddio’r gwasanaeth hwn"
body.en = "Because of your answer."
body.cy = "Oherwydd eich ateb."
"""


def with_outcomes(*outcomes: tuple[str, str], service_id: str = "out") -> str:
    text = good_service(service_id)
    for outcome_id, when in outcomes:
        text += OUTCOME.format(id=outcome_id, when=when)
    return text


def _load(folder: Path, text: str, name: str = "out.toml") -> tuple[Service | None, list[Problem]]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    catalogue, problems = load_catalogue(folder, today=TODAY)
    assert "good" in catalogue.services  # the good service beside it always survives
    mine = [p for p in problems if p.file == str(path)]
    assert mine == problems
    return catalogue.services.get(name.removesuffix(".toml")), mine


def test_an_outcome_loads_with_its_value_in_the_answer_type(catalogue_dir: Path) -> None:
    service, problems = _load(
        catalogue_dir,
        with_outcomes(
            ("not_eligible", '{ field = "moved", equals = "yes" }'),
            ("by_post", '{ field = "how", one_of = ["post"] }'),
        ),
    )
    assert problems == []
    assert service is not None
    assert [o.id for o in service.outcomes] == ["not_eligible", "by_post"]
    assert service.outcomes[0].when.equals is True  # "yes" read as the yes/no answer
    assert service.outcomes[0].title.cy == "Ni allwch ddefnyddio’r gwasanaeth hwn"
    assert service_from_dict(service_to_dict(service)).outcomes == service.outcomes


@pytest.mark.parametrize(
    ("when", "key", "needle", "message"),
    [
        (
            '{ field = "nope", equals = true }',
            "outcomes[0].when.field",
            "when = ",
            "unknown field 'nope'",
        ),
        (
            '{ field = "moved", equals = 3 }',
            "outcomes[0].when.equals",
            "when = ",
            "yes/no question",
        ),
        (
            '{ field = "how", equals = "fax" }',
            "outcomes[0].when.equals",
            "when = ",
            "'fax' is not an option",
        ),
        ('{ field = "how" }', "outcomes[0].when", "when = ", "exactly one of 'equals' or 'one_of'"),
        ('"moved"', "outcomes[0].when", "when = ", "must be a table"),
    ],
)
def test_a_wrong_condition_is_reported_at_its_line(
    catalogue_dir: Path, when: str, key: str, needle: str, message: str
) -> None:
    text = with_outcomes(("not_eligible", when))
    service, problems = _load(catalogue_dir, text)
    assert service is None
    assert [(p.line, p.key) for p in problems] == [(line_of(text, needle), key)], problems
    assert message in problems[0].message


def test_missing_parts_duplicates_and_unknown_keys_are_reported(catalogue_dir: Path) -> None:
    text = with_outcomes(
        ("not_eligible", '{ field = "moved", equals = true }'),
        ("not_eligible", '{ field = "moved", equals = false }'),
    )
    text = text.replace('body.cy = "Oherwydd eich ateb."\n', "", 1)
    text += '\n[[outcomes]]\nid = "Bad Id"\ntitel.en = "x"\n'
    service, problems = _load(catalogue_dir, text)
    assert service is None
    found = {(p.key, p.line) for p in problems}
    assert ("outcomes[0].body.cy", line_of(text, "body.en", 1)) in found  # nearest line: body
    assert ("outcomes[1].id", line_of(text, 'id = "not_eligible"', 2)) in found
    assert ("outcomes[2].id", line_of(text, 'id = "Bad Id"')) in found
    assert ("outcomes[2].titel", line_of(text, "titel.en")) in found
    header = line_of(text, "[[outcomes]]", 3)  # a missing key: the line of its table
    assert ("outcomes[2].when", header) in found
    assert ("outcomes[2].title", header) in found
    messages = {p.key: p.message for p in problems}
    assert "duplicate outcome id 'not_eligible'" in messages["outcomes[1].id"]
    assert "did you mean 'title'" in messages["outcomes[2].titel"]


def test_outcomes_must_be_tables(catalogue_dir: Path) -> None:
    text = good_service("out").replace(
        'documents = ["receipt"]', 'documents = ["receipt"]\noutcomes = 3'
    )
    service, problems = _load(catalogue_dir, text)
    assert service is None
    assert [(p.key, p.line) for p in problems] == [("outcomes", line_of(text, "outcomes = 3"))]


@pytest.fixture
def service(catalogue_dir: Path) -> Service:
    text = with_outcomes(
        ("not_eligible", '{ field = "moved", equals = false }'),
        ("post_only", '{ field = "how", equals = "post" }'),
    )
    loaded, problems = _load(catalogue_dir, text)
    assert problems == [] and loaded is not None
    return loaded


def test_outcome_for_is_none_until_the_deciding_answer(service: Service) -> None:
    assert outcome_for(service, {}) is None
    assert outcome_for(service, {"moved": True, "postcode": "CF10 3NQ"}) is None
    assert outcome_for(service, {"moved": True, "how": "email"}) is None


def test_outcome_for_names_the_first_matching_outcome(service: Service) -> None:
    found = outcome_for(service, {"moved": False})
    assert found is not None and found.id == "not_eligible"
    assert found.body.cy == "Oherwydd eich ateb."
    assert outcome_for(service, {"moved": False, "how": "post"}).id == "not_eligible"  # type: ignore[union-attr]
    assert outcome_for(service, {"moved": True, "how": "post"}).id == "post_only"  # type: ignore[union-attr]
    assert deciding_step(service, found, {"moved": False}).id == "first"  # type: ignore[union-attr]


def test_only_answers_the_citizen_can_see_decide(service: Service, catalogue_dir: Path) -> None:
    # "how" asked only when moved is true: a stale "post" left behind by a changed answer is ignored.
    text = with_outcomes(("post_only", '{ field = "how", equals = "post" }'), service_id="hidden")
    text = text.replace(
        'id = "how"\ntype = "choice"',
        'id = "how"\ntype = "choice"\nshow_if = { field = "moved", equals = true }',
    )
    hidden, problems = _load(catalogue_dir, text, "hidden.toml")
    assert problems == [] and hidden is not None
    assert outcome_for(hidden, {"moved": True, "how": "post"}).id == "post_only"  # type: ignore[union-attr]
    assert outcome_for(hidden, {"moved": False, "how": "post"}) is None
    assert shown_answers(hidden, {"moved": False, "how": "post"}) == {"moved": False}


def test_a_service_without_outcomes_never_ends_early(catalogue_dir: Path) -> None:
    catalogue, _ = load_catalogue(catalogue_dir, today=TODAY)
    good = catalogue.services["good"]
    assert good.outcomes == ()
    assert outcome_for(good, {"moved": False, "how": "post"}) is None
    assert (
        "outcomes" in service_to_dict(good)
        and service_from_dict(service_to_dict(good)).outcomes == ()
    )

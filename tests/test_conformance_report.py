"""The OpenACR conformance report (docs/conformance/openacr.yaml): valid against GSA's schema, equal
to what `python -m tools.conformance` makes from the table and the tests now, every cited test real,
and a generator that refuses claims no test shows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from tools import conformance as gen

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "conformance" / "openacr.yaml"
CITED = re.compile(r"`(tests/[^`]+?\.py)::([^`]+)`")


def committed() -> dict:
    return yaml.safe_load(REPORT.read_text(encoding="utf-8"))


def test_the_committed_report_validates_against_the_vendored_schema() -> None:
    schema = json.loads((ROOT / gen.SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(committed())
    broken = committed()
    del broken["author"]["email"]  # the schema's one required contact field
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_the_committed_report_is_what_the_generator_makes_now() -> None:
    report, _ = gen.build(ROOT)
    assert REPORT.read_text(encoding="utf-8") == gen.render(report), (
        "docs/conformance/openacr.yaml is stale: run .venv/bin/python -m tools.conformance"
    )
    assert gen.main(["--check"]) == 0


def test_every_cited_test_exists_and_every_supports_cites_one() -> None:
    report = committed()
    levels, cited = [], 0
    for chapter in gen.CHAPTERS:
        for criterion in report["chapters"][chapter]["criteria"]:
            (component,) = criterion["components"]
            adherence = component["adherence"]
            levels.append(adherence["level"])
            found = CITED.findall(adherence["notes"])
            if adherence["level"] == "supports":
                assert found, f"{criterion['num']} claims supports with no test"
            for path, name in found:
                cited += 1
                source = (ROOT / path).read_text(encoding="utf-8")
                func = name.split("::")[-1].split("[")[0]
                assert re.search(rf"^\s*(async\s+)?def {re.escape(func)}\(", source, re.M), (
                    f"{criterion['num']}: {path}::{name} does not exist"
                )
    assert set(levels) <= set(gen.LEVELS)
    assert cited > 50


def test_every_criterion_of_en_301_549_5_and_8_and_wcag_a_aa_is_reported() -> None:
    catalog = yaml.safe_load((ROOT / gen.CATALOG).read_text(encoding="utf-8"))
    report = committed()
    for chapter in catalog["chapters"]:
        if chapter["id"] not in gen.CHAPTERS:
            continue
        wanted = [str(c["id"]) for c in chapter["criteria"]]
        got = [c["num"] for c in report["chapters"][chapter["id"]]["criteria"]]
        assert got == wanted, chapter["id"]
    nums = [c["num"] for c in report["chapters"]["en_301_549_generic_requirements"]["criteria"]]
    assert {"5.1.3.1", "5.1.3.16", "5.1.6.1", "5.9"} <= set(nums)


def row(level: str, *tests: str, pending: str | None = None) -> gen.Row:
    return gen.Row(
        "en_301_549_hardware",
        "8.5",
        level,
        "remark",
        tests,
        pending,
        "waiting" if pending else "",
    )


def test_supports_without_a_test_is_refused() -> None:
    with pytest.raises(gen.ConformanceError, match="claims 'supports' without a test"):
        gen.judge([row("supports")], {"tests/test_a.py::test_x"})


def test_a_test_that_does_not_exist_is_refused() -> None:
    with pytest.raises(gen.ConformanceError, match="does not exist"):
        gen.judge([row("supports", "tests/test_a.py::test_gone")], {"tests/test_a.py::test_x"})


def test_a_pattern_waiting_for_work_reports_the_pending_level_until_a_test_matches() -> None:
    waiting = row(
        "supports", "tests/screens/test_keypad_*.py::*every*", pending="partially-supports"
    )
    (before,) = gen.judge([waiting], {"tests/test_a.py::test_x"})
    assert (before.level, before.remark, before.tests) == ("partially-supports", "waiting", [])
    landed = {"tests/screens/test_keypad_journeys.py::test_every_service_by_keypad_alone"}
    (after,) = gen.judge([waiting], landed)
    assert (after.level, after.tests) == ("supports", sorted(landed))
    with pytest.raises(gen.ConformanceError, match="matches no test"):
        gen.judge([row("supports", "tests/x_*.py::*")], set())


def test_a_criterion_without_a_row_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs" / "conformance"
    shutil.copytree(ROOT / "docs" / "conformance", docs)
    table = (docs / "clauses.toml").read_text(encoding="utf-8")
    cut = re.sub(r'\[\[en_301_549_hardware\]\]\nnum = "8\.5"\n(?:.+\n)+', "", table)
    assert cut != table
    (docs / "clauses.toml").write_text(cut, encoding="utf-8")
    with pytest.raises(gen.ConformanceError, match="no row for en_301_549_hardware 8.5"):
        gen.build(tmp_path)
    assert gen.main(["--root", str(tmp_path)]) == 2

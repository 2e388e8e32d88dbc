"""``make test-fast`` leaves out what needs real parts, by the markers tests/conftest.py applies from
the fixtures a test uses: the screen tests (the ``window`` fixture) are ``display``, a test whose
fixture says it returns a ``LiveCentral`` is ``live`` whatever the fixture is called, the central
tests on a database are ``database`` (and ``postgres`` for their PostgreSQL half)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def selected(marker: str, *paths: str) -> list[str]:
    command = [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider"]
    out = subprocess.run(
        [*command, "-m", marker, *paths], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    return [line for line in out.stdout.splitlines() if "::" in line]


def test_screen_tests_are_display_and_left_out_of_the_fast_run() -> None:
    screen = "tests/screens/test_scroll_place.py"
    assert selected("display", screen)
    assert selected("not display", screen) == []


def test_a_fixture_returning_a_live_central_marks_its_tests_live() -> None:
    module = "tests/kiosk/runtime/test_office_warning.py"  # its fixture is called "swansea"
    assert selected("live", module) == selected("", module) != []


def test_central_database_tests_are_marked_and_only_their_postgresql_half_is_postgres() -> None:
    module = "tests/central/test_heartbeat_api.py"
    every = selected("", module)
    assert selected("database", module) == every != []
    postgres = selected("postgres", module)
    assert postgres and all("postgresql" in test for test in postgres)
    assert len(postgres) < len(every)


def test_plain_unit_tests_carry_none_of_these_markers() -> None:
    module = "tests/kiosk/diagnostics/test_diagnostics_runner.py"
    fast = "not display and not browser and not postgres and not database and not live and not slow"
    assert selected(fast, module) == selected("", module) != []


def test_a_test_that_starts_a_program_is_process_and_its_neighbours_are_not() -> None:
    module = "tests/central/test_migrations_cli.py"  # some run kiosk-central, one reads a fixture
    started = selected("process", module)
    assert started and len(started) < len(selected("", module))

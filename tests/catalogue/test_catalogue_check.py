"""``kiosk catalogue check``: every problem on its own line, a summary, the right exit status, and
never a traceback — called directly and through the installed console script."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from catalogue_helpers import ROOT, SHIPPED, good_service, line_of

from catalogue.check import main

KIOSK = ROOT / ".venv" / "bin" / "kiosk"


def _run(directory: Path | str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(str(directory), out)
    return code, out.getvalue().splitlines()


def test_shipped_catalogue_is_clean() -> None:
    code, lines = _run(SHIPPED)
    count = len([p for p in SHIPPED.glob("*.toml") if not p.name.startswith("_")])
    assert (code, lines) == (0, [f"{count} services, 0 problems"])


def test_problems_listed_sorted_then_summary(catalogue_dir: Path) -> None:
    bad = (
        good_service("bad")
        .replace('type = "postcode"', 'type = "colour"')
        .replace('life_events = ["moving-home"]', 'life_events = ["nope"]')
    )
    (catalogue_dir / "bad.toml").write_text(bad, encoding="utf-8")
    (catalogue_dir / "a-broken.toml").write_text('id = "x"\n[[steps]\n', encoding="utf-8")
    code, lines = _run(catalogue_dir)
    assert code == 1
    a, b = catalogue_dir / "a-broken.toml", catalogue_dir / "bad.toml"
    assert lines[0].startswith(f"{a}:2: malformed TOML")
    assert lines[1].startswith(f"{b}:2: life_events[0]: unknown life event 'nope'")
    assert lines[2] == (
        f"{b}:{line_of(bad, 'colour')}: steps[0].fields[1].type: unknown field type 'colour' "
        "(expected one of text, number, date, choice, yes_no, phone, email, postcode, ni_number)"
    )
    assert lines[3:] == ["1 service loaded, 3 problems in 2 files"]


@pytest.mark.parametrize("missing", ["nowhere", "file"])
def test_missing_directory_is_a_sentence_and_exit_2(tmp_path: Path, missing: str) -> None:
    target = tmp_path / "nowhere"
    if missing == "file":
        target.write_text("x", encoding="utf-8")
    code, lines = _run(target)
    assert code == 2 and len(lines) == 1 and str(target) in lines[0]


def test_console_script_on_a_copy_with_a_broken_file(tmp_path: Path) -> None:
    if not KIOSK.exists():
        pytest.skip(f"console script {KIOSK} not installed (run `pip install -e .` first)")
    copy = tmp_path / "services"
    shutil.copytree(SHIPPED, copy)
    done = subprocess.run(
        [str(KIOSK), "catalogue", "check", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    broken = copy / "change-of-address.toml"
    text = broken.read_text(encoding="utf-8").replace('type = "postcode"', 'type = "zipcode"', 1)
    text = text.replace('title.cy = "Amdanoch chi"\n', "", 1)
    broken.write_text(text, encoding="utf-8")
    (copy / "garbage.toml").write_bytes(b"\x00\xff[[[")
    done = subprocess.run(
        [str(KIOSK), "catalogue", "check", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(
        f"{broken}:{line_of(text, 'zipcode')}: " in line and "zipcode" in line for line in lines
    )
    assert any("steps[0].title.cy: missing Welsh (cy) translation" in line for line in lines)
    assert any(str(copy / "garbage.toml") in line for line in lines)
    services = len(list(SHIPPED.glob("[!_]*.toml"))) - 1
    assert lines[-1] == f"{services} services loaded, 3 problems in 2 files"
    done = subprocess.run(
        [str(KIOSK), "catalogue", "check", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr

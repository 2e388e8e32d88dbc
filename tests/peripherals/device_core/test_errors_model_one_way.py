"""Issue 18.7: ``peripherals.model`` builds on ``errors`` and ``conditions``, never the other way
round — not even under ``TYPE_CHECKING`` or inside a function (an import there would make the
errors drawn for drivers depend on the device base class)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PERIPHERALS = Path(__file__).resolve().parents[3] / "peripherals"


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("low", ["errors.py", "conditions.py"])
def test_errors_and_conditions_never_import_the_device_model(low: str) -> None:
    names = imported(PERIPHERALS / low)
    assert not {n for n in names if n == "peripherals.model" or n.startswith("peripherals.model.")}


def test_the_model_imports_errors(tmp_path: Path) -> None:
    # the check above would pass on a file that imports nothing: show it sees an import
    assert "peripherals.errors" in imported(PERIPHERALS / "model.py")
    sneaky = tmp_path / "errors.py"
    sneaky.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from peripherals.model import Device\n"
    )
    assert "peripherals.model" in imported(sneaky)

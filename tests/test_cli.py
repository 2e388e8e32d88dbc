"""The kiosk command line: its help lists DESIGN.md's commands; unbuilt ones say so."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.cli import build_parser, main

DESIGN_COMMANDS = ["run", "emulate", "devices", "diagnose", "outbox", "catalogue"]


def test_help_lists_every_design_command() -> None:
    text = build_parser().format_help()
    for name in DESIGN_COMMANDS:
        assert name in text


def test_console_script_help_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "diagnose" in out.stdout


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: kiosk" in capsys.readouterr().out

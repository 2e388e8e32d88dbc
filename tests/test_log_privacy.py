"""The suite-wide guard of tests/conftest.py finds an answer wherever a log could show it."""

from __future__ import annotations

import logging
import sys

from tests.conftest import _EveryRecord


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("could not store 'Ann Example'")
        except ValueError:
            info = sys.exc_info()
    return logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args, info)


def test_markers_in_arguments_and_tracebacks_are_found_and_clean_records_pass() -> None:
    guard = _EveryRecord()
    guard.emit(_record("case %s stored", "1234"))
    assert guard.leaks == []
    guard.emit(_record("name was %s", "AB123456C"))
    guard.emit(_record("failed", exc=True))
    assert len(guard.leaks) == 2

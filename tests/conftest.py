"""Suite-wide: say at the top of every run which real parts are present, so a skip is never silent."""

from __future__ import annotations

import inspect
import logging
import re
import shutil
import socket
import traceback
from typing import Any

import pytest


def _postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


# ---- markers from the fixtures a test uses (``make test-fast`` leaves these out) ----------------
# A test is marked by what it needs, read from its fixtures (their closure: a fixture that uses
# ``window`` makes its tests ``display`` too), never by hand, so a new test that asks for the
# window or a live central is sorted the day it is written. A fixture counts by its name (those of
# tests/**/conftest.py and the modules that start real parts) or by what it says it returns (any
# fixture annotated to give a ``LiveCentral`` or a central web ``Kit``, whatever it is called).
FIXTURE_MARKERS: dict[str, str] = {
    "window": "display",  # tests/screens/conftest.py: Xvfb and the one Kivy window
    "browser": "browser",  # tests/e2e/browser_support.py: Chromium
    "pg_database": "postgres",  # tests/central/conftest.py
    "db_url": "database",  # tests/central/conftest.py: a central database and its schema
    "cups": "cups",  # tests/peripherals/test_cups_daemon.py: a cupsd of its own
    "cluster": "multinode",  # tests/e2e/test_multinode.py: nodes behind a balancer
    "live_central": "live",  # tests/kiosk/conftest.py: kiosk-central serve in its own process
    "central": "live",  # the same, in the kiosk, screen and fleet tests that start one
    "staff_login": "slow",  # password hashing for every staff sign-in
}
RETURN_MARKERS: dict[str, str] = {"LiveCentral": "live", "Kit": "slow"}
#: A test that makes these itself (no fixture) is marked as a fixture giving them would mark it.
CALL_MARKERS: dict[str, str] = {
    "LiveCentral": "live",
    "simulated_central": "live",  # kiosk.runtime's central for `kiosk run --simulate`
    "subprocess": "process",
    "multiprocessing": "process",
}
MARKERS = {
    "display": "needs Xvfb (the Kivy window)",
    "browser": "needs Chromium at /usr/bin/chromium",
    "postgres": "needs the PostgreSQL server at 127.0.0.1:5432",
    "database": "stands up a central database and its schema (SQLite or PostgreSQL)",
    "cups": "needs a CUPS daemon (started by the tests)",
    "multinode": "several central nodes behind a balancer",
    "live": "starts a central service in a process of its own",
    "slow": "the whole central web app with hashed staff passwords",
    "process": "starts a program (a console script, kiosk-central serve) in a process of its own",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, what in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {what} (applied from the fixtures used)")


def _returns(fixturedef: Any) -> str:
    annotation = getattr(fixturedef.func, "__annotations__", {}).get("return", "")
    return annotation if isinstance(annotation, str) else repr(annotation)


def _names_called(function: Any, depth: int = 2) -> set[str]:
    """The global names a test function uses, and those of its own module's helpers (functions,
    classes' methods) it calls; a name bound to a module counts by the module's own name."""
    code = getattr(function, "__code__", None)
    if code is None:
        return set()
    names = set(code.co_names)
    module = getattr(function, "__globals__", {})
    for name in list(names):
        value = module.get(name)
        if inspect.ismodule(value):
            names.add(value.__name__.partition(".")[0])  # "mp" → "multiprocessing"
        elif depth > 0 and getattr(value, "__module__", None) == function.__module__:
            parts = vars(value).values() if inspect.isclass(value) else [value]
            for part in parts:
                names |= _names_called(part, depth - 1)
    return names


def _marks(item: pytest.Item) -> set[str]:
    marks: set[str] = set()
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        if name in FIXTURE_MARKERS:
            marks.add(FIXTURE_MARKERS[name])
        for fixturedef in info.name2fixturedefs.get(name, ()) if info is not None else ():
            returned = _returns(fixturedef)
            marks.update(m for t, m in RETURN_MARKERS.items() if re.search(rf"\b{t}\b", returned))
    called = _names_called(getattr(item, "function", None))
    marks.update(m for name, m in CALL_MARKERS.items() if name in called)
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("db_url") == "postgresql":
        marks.add("postgres")
    return marks


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for mark in sorted(_marks(item)):
            item.add_marker(mark)


def pytest_report_header() -> list[str]:
    def mark(ok: bool) -> str:
        return "present" if ok else "ABSENT — tests that need it SKIP (see the summary)"

    return [
        f"real parts: PostgreSQL 127.0.0.1:5432 {mark(_postgres_reachable())}",
        f"            Chromium /usr/bin/chromium {mark(shutil.which('chromium') is not None)}",
        f"            CUPS daemon (cupsd) {mark(shutil.which('cupsd') is not None)}",
        f"            Xvfb {mark(shutil.which('Xvfb') is not None)}",
        f"            espeak-ng {mark(shutil.which('espeak-ng') is not None)}",
        f"            pdftoppm {mark(shutil.which('pdftoppm') is not None)}",
    ]


# ---- no answer in any log line, across the whole suite ----------------------------------------
# Answers the tests send as citizens (names, NI numbers, postcodes, PINs). Every log record of the
# run — message, arguments, traceback — and every log file a server under test wrote (under
# pytest's temporary folders) is read at the end; any of these in any of them fails the run.
ANSWER_MARKERS = (
    "Ann Example", "AB123456C", "CF10 1AA", "1 High Street", "Gwen Ap Rhys", "Dylan Thomas",
    "Ada Lovelace-Byron",
)  # fmt: skip


class _EveryRecord(logging.Handler):
    """Keeps what a record would show in any log: message, traceback and stack."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            shown = record.getMessage()
        except Exception:  # a broken format string is the record's problem, not ours
            shown = f"{record.msg!r} {record.args!r}"
        if record.exc_info:
            shown += "\n" + "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            shown += "\n" + record.exc_text
        if record.stack_info:
            shown += "\n" + record.stack_info
        for marker in ANSWER_MARKERS:
            if marker in shown:
                self.leaks.append(f"log record {record.name} ({record.pathname}:{record.lineno})")


_RECORDS = _EveryRecord()


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(_RECORDS)


def _leaks_in_log_files(session: pytest.Session) -> list[str]:
    found: list[str] = []
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return found
    try:
        base = factory.getbasetemp()
    except (OSError, ValueError):
        return found
    for path in base.rglob("*.log"):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found += [f"{path}: {m!r}" for m in ANSWER_MARKERS if m in text]
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_RECORDS)
    leaks = sorted(set(_RECORDS.leaks)) + _leaks_in_log_files(session)
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["an answer a test sent appears in a log:", *leaks[:50]]
        if reporter is not None:
            reporter.write_sep("=", "PRIVACY: answers in logs", red=True)
            for line in lines:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

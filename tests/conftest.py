"""Suite-wide: say at the top of every run which real parts are present, so a skip is never silent."""

from __future__ import annotations

import logging
import shutil
import socket
import traceback

import pytest


def _postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


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

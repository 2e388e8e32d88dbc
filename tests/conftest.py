"""Suite-wide: say at the top of every run which real parts are present, so a skip is never silent."""

from __future__ import annotations

import shutil
import socket


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

"""Helpers for tests that talk across a pseudo-terminal (imported as a plain module)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], timeout: float = 3.0) -> bool:
    """Poll a condition that another thread makes true (I/O across a pty)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return bool(predicate())

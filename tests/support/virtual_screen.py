"""The touchscreen on a virtual screen (Xvfb), for the screen tests (moved out of the shipped
``screens`` package: issue 18.5; ``make demo`` starts its Xvfb with ``tools/demo_stack.py``).

Importing this module does not import Kivy (Kivy must be configured first, see
:mod:`screens.env`), so a test can ``from tests.support.virtual_screen import record_journey``.

    shots = record_journey(config, runtime.backend(), runtime.catalogue, out / "kiosk-screens")

plays one citizen's whole journey by synthetic touches and returns one PNG per screen.

Failure model: no Xvfb (and so no way to draw) is :class:`VirtualScreenError` with the package to
install; Kivy allows one window per process, so a second call reuses the first window.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["SIZE", "VirtualScreenError", "record_journey", "start_xvfb"]

SIZE = (1280, 800)


class VirtualScreenError(RuntimeError):
    """No way to draw: Xvfb is missing (Debian package xvfb) and there is no $DISPLAY."""


def start_xvfb(size: tuple[int, int] = SIZE) -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on a free display (it picks the number itself); returns (process, ":N")."""
    if shutil.which("Xvfb") is None:
        raise VirtualScreenError(
            "Xvfb is not installed (Debian package xvfb; tools/system-deps.sh)"
        )
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size[0]}x{size[1]}x24",
         "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        raise VirtualScreenError("Xvfb started but did not report a display number")
    return proc, f":{number}"


def _open_window(size: tuple[int, int], home: Path) -> None:
    """Configure Kivy for a virtual screen and open its one window (once per process)."""
    if "kivy.core.window" in sys.modules:
        return
    proc, display = start_xvfb(size)
    atexit.register(proc.terminate)
    os.environ["DISPLAY"] = display
    from screens.env import prepare_kivy

    prepare_kivy(home=home, size=size, maxfps=0)
    from kivy.core.window import Window

    Window.size = size


def record_journey(
    config: Any,
    backend: Any,
    catalogue: Any,
    out_dir: Path,
    *,
    language: str = "cy",
    outcome: str = "print",
    size: tuple[int, int] = SIZE,
) -> list[Path]:
    """One citizen's journey through the real screens, one screenshot per screen."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _open_window(size, out_dir / ".kivy")
    from kiosk.session import Session
    from screens.app import build_ui
    from screens.driver import Driver
    from screens.script import play_journey

    session = Session.from_config(config, catalogue)
    controller = build_ui(session, backend, config, poll_s=0.5)
    driver = Driver(controller).attach()
    try:
        return play_journey(driver, out_dir, language=language, outcome=outcome, timeout=60)
    finally:
        driver.detach()

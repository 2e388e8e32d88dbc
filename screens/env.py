"""Kivy reads its environment once, at ``import kivy``: everything here must run before that.

:func:`prepare_kivy` is called by :mod:`screens.main` and by the tests' display fixture. It keeps
Kivy's logger out of Python's logging (``KIVY_LOG_MODE=PYTHON``), keeps Kivy's config and logs
out of the user's home (``KIVY_HOME``), and stops Kivy from reading the command line.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

__all__ = ["prepare_kivy"]


def prepare_kivy(
    home: Path | None = None,
    size: tuple[int, int] | None = None,
    fullscreen: bool = False,
    maxfps: int = 60,
) -> None:
    """Set Kivy's environment and window config; refuses if Kivy is already imported."""
    if "kivy" in sys.modules:
        raise RuntimeError("prepare_kivy() must run before the first 'import kivy'")
    folder = home or Path(tempfile.mkdtemp(prefix="kivy-home-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(folder))
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ.setdefault("KIVY_NO_CONFIG", "1")
    from kivy.config import Config

    if size is not None:
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "maxfps", str(maxfps))  # 0: no frame pacing (tests drive frames)
    if maxfps == 0:
        Config.set("graphics", "vsync", "0")  # a virtual screen: never wait for a refresh
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")

"""House rule: the kiosk core never imports Kivy. These modules are imported by the screens, so a
stray ``import kivy`` here would make the core untestable without a display."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MODULES = [
    "kiosk.ui.i18n",
    "kiosk.ui.accessibility",
    "kiosk.ui.sizing",
    "kiosk.ui.speech",
    "kiosk.badge_pins",
    "kiosk.diagnostics",
    "kiosk.diagnostics.readiness_pdf",
]


def test_support_modules_import_without_kivy():
    code = (
        "import sys\n"
        f"for name in {MODULES!r}:\n"
        "    __import__(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'kivy' or m.startswith(('kivy.', 'screens')))\n"
        "print(loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

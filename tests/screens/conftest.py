"""A real Kivy window for the screen tests: Xvfb, one window for the whole session.

Kivy allows one window per process and reads its environment at import, so the session fixture
starts Xvfb, sets the environment (screens.env.prepare_kivy) and only then imports the window.
Test modules import screens.* inside fixtures and tests, never at module level.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kiosk"))

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "kiosk.toml"
ARTIFACTS = ROOT / "test-artifacts" / "screens"
SIZE = (1280, 800)


@pytest.fixture(scope="session")
def window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if shutil.which("Xvfb") is None:
        pytest.skip(
            "SCREEN TESTS NOT RUN: Xvfb is not installed (Debian package xvfb, see "
            "tools/system-deps.sh); the Kivy touchscreen app needs a display to be tested"
        )
    if "kivy" in sys.modules:
        pytest.skip("SCREEN TESTS NOT RUN: kivy was imported before the display fixture")
    from screens.env import prepare_kivy
    from tests.support.virtual_screen import start_xvfb

    proc, display = start_xvfb(SIZE)
    os.environ["DISPLAY"] = display

    prepare_kivy(home=tmp_path_factory.mktemp("kivy-home"), size=SIZE, maxfps=0)
    from kivy.core.window import Window

    Window.size = SIZE
    yield Window
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def config(tmp_path: Path) -> Any:
    from kiosk.config import load_kiosk_config

    return load_kiosk_config(CONFIG, env={"KIOSK_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def catalogue(config: Any) -> Any:
    from catalogue.loader import load_catalogue_strict

    return load_catalogue_strict(config.catalogue_dir)


@pytest.fixture
def ui(window: Any, config: Any, catalogue: Any) -> Iterator[SimpleNamespace]:
    """The app on the window with a fake backend and a fake clock; ``ui.d`` drives it."""
    from fakes import FakeBackend, RecordingSpeaker

    from kiosk.session import Session
    from screens.app import build_ui
    from screens.driver import Driver
    from tests.support.clocks import FakeClock

    clock = FakeClock(start=datetime.now(UTC))
    session = Session.from_config(config, catalogue, clock)
    backend = FakeBackend()
    speaker = RecordingSpeaker()
    controller = build_ui(session, backend, config, speaker=speaker, poll_s=0.02)
    driver = Driver(controller).attach()
    yield SimpleNamespace(d=driver, c=controller, session=session, backend=backend, clock=clock,
                          speaker=speaker, config=config, today=clock.now().date())  # fmt: skip
    driver.detach()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder

"""The App wiring (the Clock interval that drives the idle timer, the device-flow hook) and
``kiosk run``'s entry point refusing a broken configuration before any window opens."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

from journeys import to_first_step


def test_the_app_ticks_the_session_from_a_kivy_clock_interval(window, config, catalogue):
    from fakes import FakeBackend

    from kiosk.session import Session
    from screens.app import KioskApp
    from screens.driver import Driver
    from tests.support.clocks import FakeClock

    clock = FakeClock()
    session = Session.from_config(config, catalogue, clock)
    built = []
    app = KioskApp(session, FakeBackend(), config, on_built=built.append)
    root = app.build()
    assert built == [app.controller] and root is app.controller.shell
    d = Driver(app.controller).attach()
    try:
        assert app.ticker.timeout == 1.0
        to_first_step(type("Ui", (), {"d": d})())
        clock.advance(config.idle.warning_after_s)
        deadline = time.monotonic() + 5  # the interval fires on Kivy's own (real) clock
        while not d.has("more-time"):
            assert time.monotonic() < deadline, "the Clock interval never called session.tick()"
            d.pump(1)
        assert session.idle_warning
    finally:
        app.on_stop()
        d.detach()
    assert not app.ticker.is_triggered


def test_record_journey_for_the_demo_asks_staff_in_welsh(window, config, catalogue, artifacts):
    from fakes import FakeBackend

    from screens.script import _driver
    from tests.support.virtual_screen import record_journey

    backend = FakeBackend()
    shots = record_journey(config, backend, catalogue, artifacts, outcome="staff")
    assert [p.name for p in shots][:3] == [
        "01-attract.png",
        "02-language.png",
        "03-life-events.png",
    ]
    assert shots[-1].name.endswith("goodbye.png") and len(shots) >= 12
    assert backend.staff == ["DEMOOFFICE-7K3M-9"] and backend.printed == []
    assert backend.submissions[0].language == "cy"

    class AppLike:  # a KioskApp after build(): play_journey finds its controller
        controller = SimpleNamespace(shell=object())

    assert _driver(AppLike()).controller is AppLike.controller


def test_run_refuses_a_broken_config_before_opening_a_window(tmp_path: Path, capsys):
    from screens.main import run

    broken = tmp_path / "kiosk.toml"
    broken.write_text('kiosk_id = "x"\nlanguages = ["en", "fr"]\n', encoding="utf-8")
    assert run(broken, simulate=True) == 2
    err = capsys.readouterr().err
    assert "kiosk.toml" in err and "configuration has problems" in err

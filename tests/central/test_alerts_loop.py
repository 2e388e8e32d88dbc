"""``serve``'s background pass: started by the app's lifespan when the app is serve's
(``central.asgi`` sets ``app.state.fleet_alert_loop``), it evaluates on its own and sends; with
``KIOSK_CENTRAL_ALERT_PERIOD_S=0`` it is off (a timer runs ``kiosk-central alerts evaluate``)."""

from __future__ import annotations

import time

from alerts_support import Recorder, beat

from catalogue.opening_hours import ALWAYS
from central.fleet.alerts import AlertLoop, start_loop


def test_the_loop_sends_without_being_asked(engine, make_device, office, clock):
    _, token = make_device(office)
    beat(engine, token, clock(), depth=33)
    rec = Recorder()
    loop = AlertLoop(engine, clock, 0.05, hours_for=lambda _o: ALWAYS, channels=[rec],
                     expected_version="1.0").start()  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not rec.of(office) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        loop.stop()
    assert rec.of(office) == [("opened", "outbox_backlog")]


def test_period_zero_means_no_loop(engine, tmp_path, clock, monkeypatch):
    monkeypatch.setenv("KIOSK_CENTRAL_ALERT_PERIOD_S", "0")
    assert start_loop(engine, tmp_path, clock) is None

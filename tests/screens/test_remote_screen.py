"""Remote commands on the window (issue 14 item 2): an out-of-service command covers the screen with
the admin's message in English and Welsh until the kiosk is back in service; a screenshot taken
from the command's thread is a PNG of the window; the runtime's activity reads the session."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any


def runtime() -> SimpleNamespace:
    from kiosk.runtime.commands import Activity, ServiceState

    return SimpleNamespace(activity=Activity(), service=ServiceState(),
                           commands=SimpleNamespace(effects=SimpleNamespace(screenshot=None)))  # fmt: skip


def test_out_of_service_covers_the_screen_in_both_languages_and_goes(ui: Any) -> None:
    from screens.remote import wire_remote

    fake = runtime()
    wire_remote(ui.c, fake)
    assert fake.activity.snapshot(fake.service)["screen"] == "attract"
    message = {"en": "This kiosk is out of service.", "cy": "Mae'r ciosg hwn allan o wasanaeth."}
    fake.service.set(message)
    ui.d.wait_until(lambda: ui.d.has("out-of-service-cy"), what="the out-of-service overlay")
    texts = ui.d.texts()
    assert message["en"] in texts and message["cy"] in texts
    assert fake.activity.snapshot(fake.service)["screen"] == "out_of_service"
    fake.service.set(None)
    ui.d.wait_until(lambda: not ui.d.has("out-of-service-en"), what="the overlay gone")


def test_a_screenshot_from_another_thread_is_a_png_of_the_window(ui: Any) -> None:
    from screens.remote import wire_remote

    fake = runtime()
    wire_remote(ui.c, fake)
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.update(png=fake.commands.effects.screenshot()))
    thread.start()
    ui.d.wait_until(lambda: not thread.is_alive(), what="the screenshot")
    assert box["png"].startswith(b"\x89PNG")


def test_the_activity_reads_the_session_on_the_window(ui: Any) -> None:
    from screens.remote import wire_remote

    fake = runtime()
    wire_remote(ui.c, fake)
    assert fake.activity.snapshot()["session_active"] is False
    ui.c.start()
    ui.d.pump()
    ui.c.touch()
    seen = fake.activity.snapshot()
    assert seen["session_active"] is True and seen["screen"] != "attract"
    assert seen["idle_s"] == 0
    assert fake.activity.screenshot_refusal() == "a citizen session is open"

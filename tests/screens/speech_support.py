"""The app with audio guidance wired as on a kiosk with a headphone jack and an audio key, for
the speech and privacy screen tests: a real :class:`kiosk.ui.speech.Speaker` whose runner starts no
process (tests read ``Speaker.spoken``, exactly what espeak-ng would be given), and the real jack
reader thread on a pipe fed kernel records packed from linux/input.h's ``struct input_event``."""

from __future__ import annotations

import dataclasses
import os
import queue
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

EV_SYN, EV_SW, SW_HEADPHONE_INSERT = 0x00, 0x05, 0x02


def record(kind: int, code: int, value: int) -> bytes:
    return struct.pack("@llHHi", 1764680000, 0, kind, code, value)


class Handle:
    def __init__(self) -> None:
        self.stopped = False

    def poll(self) -> int | None:
        return 0 if self.stopped else None

    def terminate(self) -> None:
        self.stopped = True


class Runner:
    def __init__(self) -> None:
        self.handles: list[Handle] = []
        self.data: list[bytes] = []

    def __call__(self, argv: list[str], data: bytes) -> Handle:
        self.handles.append(Handle())
        self.data.append(data)
        return self.handles[-1]


class Pipes:
    def __init__(self) -> None:
        self.writers: queue.Queue[int] = queue.Queue()

    def __call__(self, path: str) -> int:
        r, w = os.pipe()
        self.writers.put(w)
        return r


@pytest.fixture
def audio(window: Any, config: Any, catalogue: Any) -> Iterator[SimpleNamespace]:
    """The app with a headphone jack (a pipe) and an audio key configured."""
    from fakes import FakeBackend

    from kiosk.config_peripherals import PeripheralConfig
    from kiosk.session import Session
    from kiosk.ui.headphones import HeadphoneJack
    from kiosk.ui.speech import Speaker
    from screens.app import build_ui
    from screens.driver import Driver
    from tests.support.clocks import FakeClock

    jack = PeripheralConfig("headphones", "headphones", "/dev/input/by-path/test-jack",
                            {"audio_key": "f12"})  # fmt: skip
    config = dataclasses.replace(config, peripherals=(*config.peripherals, jack))
    clock = FakeClock(start=datetime.now(UTC))
    session = Session.from_config(config, catalogue, clock)
    runner = Runner()
    speaker = Speaker(runner=runner)
    controller = build_ui(session, FakeBackend(), config, speaker=speaker, poll_s=0.02)
    guide = controller.guide
    assert guide.jack is not None  # configured: swap the node for a pipe of the test's
    guide.jack.close()
    pipes = Pipes()
    guide.jack = HeadphoneJack(jack.port, guide._from_jack, opener=pipes, probe=lambda _fd: None)
    guide.jack.start()
    driver = Driver(controller).attach()
    ns = SimpleNamespace(d=driver, c=controller, session=session, speaker=speaker, runner=runner,
                         config=config,
                         clock=clock, writer=pipes.writers.get(timeout=5))  # fmt: skip
    yield ns
    driver.detach()
    os.close(ns.writer)


def plug(a: SimpleNamespace, inserted: bool) -> None:
    os.write(a.writer, record(EV_SW, SW_HEADPHONE_INSERT, int(inserted)) + record(EV_SYN, 0, 0))
    a.d.wait_until(lambda: a.c.ctx.settings.audio is inserted, what=f"headphones {inserted}")


def said(a: SimpleNamespace) -> list[tuple[str, str]]:
    return [(u.text, u.lang) for u in a.speaker.spoken]


def key(name: str) -> None:
    from kivy.core.window import Keyboard, Window

    Window.dispatch("on_key_down", Keyboard.keycodes[name], 0, None, [])

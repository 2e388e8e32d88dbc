"""A tactile keypad in kiosk.toml (issue 19 item 1): ``driver = "keypad"`` at an input node, its
options mapping actions to key codes of linux/input-event-codes.h; every mistake told as
``file:line: key: message``. And the device hub: a configured keypad's keys reach the bus.
"""

from __future__ import annotations

import os
import queue
import struct
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_kiosk_config
from kiosk.runtime.devices import DeviceHub
from peripherals.events import EventBus
from peripherals.keypad import KeypadPressed

KIOSK = """\
kiosk_id = "cdf-01"
central_url = "https://central.example.gov.uk"
data_dir = "data"

[office]
id = "cardiff"
name = "Cardiff Jobcentre"

[[peripherals]]
name = "keypad"
driver = "keypad"
port = "{port}"
{options}
"""
KEY_UP, KEY_ENTER, KEY_HELP = 103, 28, 138  # linux/input-event-codes.h


def _load(tmp_path: Path, port: str, options: str = ""):
    path = tmp_path / "kiosk.toml"
    path.write_text(KIOSK.format(port=port, options=options), encoding="utf-8")
    return load_kiosk_config(path, env={})


def test_a_keypad_at_an_input_node_loads_with_its_key_map(tmp_path: Path) -> None:
    config = _load(tmp_path, "/dev/input/by-id/usb-Storm_EZ-event-kbd",
                   "options = { up = [103, 72], select = [28, 96, 76] }")  # fmt: skip
    (keypad,) = config.peripherals
    assert (keypad.driver, keypad.options["up"]) == ("keypad", [103, 72])


def test_a_keypad_elsewhere_than_an_input_node_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "/dev/ttyUSB0")
    (problem,) = caught.value.problems
    assert (problem.line, problem.key) == (12, "peripherals[0].port")
    assert "/dev/input/by-id/" in problem.message


def test_every_bad_key_is_told_with_its_line(tmp_path: Path) -> None:
    options = 'options = { up = [103, 4000], jump = [1], back = "esc", down = [103] }'
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "/dev/input/event3", options)
    found = {p.key: p for p in caught.value.problems}
    assert set(found) == {"peripherals[0].options.up", "peripherals[0].options.jump",
                          "peripherals[0].options.back", "peripherals[0].options.down"}  # fmt: skip
    assert "4000 is not a key code" in found["peripherals[0].options.up"].message
    assert "unknown keypad action" in found["peripherals[0].options.jump"].message
    assert "array of key codes" in found["peripherals[0].options.back"].message
    assert "already 'up'" in found["peripherals[0].options.down"].message
    assert all(p.line == 13 for p in found.values())
    assert "kiosk.toml:13: peripherals[0].options.up:" in str(caught.value)


def test_the_hub_publishes_the_keypads_keys_on_the_bus(tmp_path: Path) -> None:
    config = _load(tmp_path, "/dev/input/by-id/usb-Storm_EZ-event-kbd")
    r, w = os.pipe()
    bus = EventBus()
    heard: queue.Queue[KeypadPressed] = queue.Queue()
    bus.subscribe(heard.put, KeypadPressed)
    opened: list[str] = []

    def opener(path: str) -> int:
        opened.append(path)
        return r

    hub = DeviceHub(config, bus=bus, keypad_opener=opener).start()
    try:
        assert opened == ["/dev/input/by-id/usb-Storm_EZ-event-kbd"]
        assert hub.states()["keypad"]["condition"] == "online"
        # struct input_event {timeval; __u16 type; __u16 code; __s32 value}: EV_KEY = 1, EV_SYN = 0
        packed = b"".join(struct.pack("=qqHHi", 1, 0, kind, code, value) for kind, code, value in
                          [(1, KEY_UP, 1), (0, 0, 0), (1, KEY_UP, 0), (0, 0, 0),
                           (1, KEY_ENTER, 1), (0, 0, 0)])  # fmt: skip
        os.write(w, packed)
        got = [heard.get(timeout=10) for _ in range(3)]
        assert [(e.device, e.action, e.value) for e in got] == [
            ("keypad", "up", 1), ("keypad", "up", 0), ("keypad", "select", 1)]  # fmt: skip
    finally:
        hub.close()
        bus.close()
        os.close(w)

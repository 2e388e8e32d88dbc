"""The headphone jack in kiosk.toml (issue 19 item 2): ``driver = "headphones"`` at the jack's input
node or ``"none"`` with an audio key; every mistake told as ``file:line: key: message``; the device
hub leaves it to the screens (it is no Device)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_kiosk_config
from kiosk.runtime.devices import DeviceHub

KIOSK = """\
kiosk_id = "abt-01"
central_url = "https://central.example.gov.uk"
data_dir = "data"

[office]
id = "aberystwyth"
name = "Aberystwyth Jobcentre"

[[peripherals]]
name = "headphones"
driver = "headphones"
port = "{port}"
{options}
"""


def _write(tmp_path: Path, port: str, options: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(KIOSK.format(port=port, options=options), encoding="utf-8")
    return path


def test_a_jack_node_with_an_audio_key_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "/dev/input/by-path/pci-0000:00:1f.3-event", 'options = { audio_key = "F12" }'
    )
    (jack,) = load_kiosk_config(path, env={}).peripherals
    assert (jack.driver, jack.port, jack.options) == (
        "headphones", "/dev/input/by-path/pci-0000:00:1f.3-event", {"audio_key": "F12"}
    )  # fmt: skip


def test_the_hub_does_not_open_the_jack_as_a_device(tmp_path: Path) -> None:
    config = load_kiosk_config(
        _write(tmp_path, "none", 'options = { audio_key = "pause" }'), env={}
    )
    with DeviceHub(config) as hub:
        assert hub.device("headphones") is None and "headphones" not in hub.unavailable


@pytest.mark.parametrize(
    ("port", "options", "line", "key", "message"),
    [
        ("/dev/ttyUSB0", "", 12, "peripherals[0].port", "expected the jack's input node"),
        ("emulator:headphones", "", 12, "peripherals[0].port", "or 'none'"),
        ("none", "", 9, "peripherals[0].options.audio_key", "required when port is 'none'"),
        ("none", 'options = { audio_key = "a" }', 13, "peripherals[0].options.audio_key",
         "expected one of f12"),
        ("/dev/input/event7", 'options = { volume = 3 }', 13, "peripherals[0].options.volume",
         "unknown option"),
    ],
)  # fmt: skip
def test_each_mistake_is_told_with_file_line_and_key(tmp_path, port, options, line, key, message):
    path = _write(tmp_path, port, options)
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path, env={})
    (problem,) = caught.value.problems
    assert (problem.line, problem.key) == (line, key), str(problem)
    assert message in problem.message
    assert str(problem).startswith(f"{path}:{line}: {key}: ")

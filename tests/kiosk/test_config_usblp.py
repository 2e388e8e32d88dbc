"""A /dev/usb/lpN receipt printer port is refused when kiosk.toml is read, with what to do instead
(issue 15 item 8): usblp nodes are what the kernel creates for USB printer-class devices
(SUBSYSTEM "usbmisc", KERNEL "lp[0-9]*", node /dev/usb/lpN), and they are not ttys."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_kiosk_config
from peripherals.errors import ConfigurationError
from peripherals.registry import create_device

KIOSK = """\
kiosk_id = "cdf-01"
central_url = "https://central.example.gov.uk"
data_dir = "data"

[office]
id = "cardiff"
name = "Cardiff Jobcentre"

[[peripherals]]
name = "receipt"
driver = "escpos"
port = "{port}"
"""


@pytest.mark.parametrize("port", ["/dev/usb/lp0", "/dev/usb/lp12", "/dev/usblp1"])
def test_a_usblp_port_is_refused_with_a_clear_message(tmp_path: Path, port: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(KIOSK.format(port=port), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_kiosk_config(path, env={})
    (problem,) = caught.value.problems
    assert (problem.line, problem.key) == (12, "peripherals[0].port")
    assert problem.message.startswith(f"{port} is a USB printer-class device (usblp)")
    assert "/dev/ttyACM0" in problem.message and "socket://HOST:9100" in problem.message


@pytest.mark.parametrize("port", ["/dev/ttyACM0", "/dev/kiosk-printer", "/dev/ttyUSB0"])
def test_tty_ports_still_load(tmp_path: Path, port: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(KIOSK.format(port=port), encoding="utf-8")
    assert load_kiosk_config(path, env={}).peripherals[0].port == port


def test_the_driver_refuses_it_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="usblp"):
        create_device("escpos", "receipt", "/dev/usb/lp0", {}, tmp_path, None)

"""deploy/99-omnikiosk.rules matches the nodes these devices really create (issue 15 item 8):
ttyUSB*/ttyACM* for serial and USB virtual serial, input event* for HID keyboard wedges (linked
under /dev/input/, where the wedge transport looks), and nothing for usblp's /dev/usb/lpN, which
kiosk.toml refuses. No udevadm here: the rules are read with udev's own syntax (udev(7): KEY==value
matches, KEY+=/=/ assignments, "|" alternatives in a pattern, shell glob patterns)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "deploy" / "99-omnikiosk.rules"
PAIR = re.compile(r'\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|=|:=)\s*"([^"]*)"\s*(?:,|$)')


def rules() -> list[list[tuple[str, str, str]]]:
    out = []
    for line in RULES.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs = PAIR.findall(line)
        assert pairs and "".join(f'{k}{o}"{v}"' for k, o, v in pairs).replace(" ", "") == (
            line.replace(", ", ",").replace(" ", "").replace(",", "")
        ), line
        out.append(pairs)
    return out


def matches(rule: list[tuple[str, str, str]], key: str, value: str) -> bool:
    patterns = [v for k, op, v in rule if k == key and op == "=="]
    return all(any(fnmatch.fnmatchcase(value, p) for p in pat.split("|")) for pat in patterns)


def test_every_line_is_well_formed() -> None:
    assert len(rules()) == 5


def test_serial_rules_match_the_nodes_usb_serial_creates() -> None:
    tty = [r for r in rules() if ("SUBSYSTEM", "==", "tty") in r]
    for node in ("ttyUSB0", "ttyACM0", "ttyACM12"):
        assert all(matches(r, "KERNEL", node) for r in tty), node
    assert not any(matches(r, "KERNEL", "ttyS0") for r in tty)
    assert {v for r in tty for k, _, v in r if k == "SYMLINK"} == {
        "kiosk-printer",
        "kiosk-card-reader",
        "kiosk-scanner",
    }


def test_wedge_rules_link_input_nodes_under_dev_input() -> None:
    inputs = [r for r in rules() if ("SUBSYSTEM", "==", "input") in r]
    assert inputs and all(matches(r, "KERNEL", "event3") for r in inputs)
    assert not any(matches(r, "KERNEL", "mouse0") for r in inputs)
    assert all(v.startswith("input/") for r in inputs for k, _, v in r if k == "SYMLINK")


def test_no_rule_names_a_usblp_node() -> None:
    assert not any(("SUBSYSTEM", "==", "usbmisc") in r for r in rules())
    assert not any(
        matches(r, "KERNEL", "lp0")
        for r in rules()
        if ("KERNEL", "==") in [(k, o) for k, o, _ in r]
    )

"""Keypad key codes → navigation actions (EZ Access model). Pure: no I/O, no threads.

Why a map and not fixed codes: tactile kiosk keypads (EZ Access and its clones) are USB HID
keyboards, and makers differ in which codes their keys send: arrows or the number pad's 8/2/4/6,
Enter or the pad's Enter, Esc or Backspace for back, Help or F1 for help. The kiosk config names
the codes per action (``[[peripherals]]`` driver "keypad", options ``up = [103, 72]`` …); the default
covers the common keypads. Codes are those of linux/input-event-codes.h.

Failure model: a bad map (unknown action, a code that is not a key, one code for two actions) is
reported by :func:`key_map_problems` as sentences for the config checker, and by :func:`key_map`
as a ConfigurationError; nothing here raises anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peripherals.errors import ConfigurationError

__all__ = [
    "ACTIONS",
    "SPEECH_ACTIONS",
    "DEFAULT_KEYS",
    "EV_KEY",
    "KEY_MAX",
    "REPEATING",
    "key_map",
    "key_map_problems",
]

EV_KEY = 0x01
KEY_MAX = 0x2FF
"""The highest key code of linux/input-event-codes.h."""

SPEECH_ACTIONS = ("louder", "quieter", "faster", "slower", "repeat", "stop", "privacy", "audio")
"""Extra keys some keypads have, for audio guidance (screens.speech_guide); no default codes."""
ACTIONS = ("up", "down", "left", "right", "select", "back", "help", *SPEECH_ACTIONS)
REPEATING = frozenset({"up", "down", "left", "right"})
"""Actions a held key repeats (EV_KEY value 2); select, back and help act once per press."""

# linux/input-event-codes.h
KEY_ESC, KEY_BACKSPACE, KEY_ENTER, KEY_F1 = 1, 14, 28, 59
KEY_KP8, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP2, KEY_KPENTER = 72, 75, 76, 77, 80, 96
KEY_UP, KEY_LEFT, KEY_RIGHT, KEY_DOWN = 103, 105, 106, 108
KEY_HELP, KEY_BACK, KEY_SELECT = 138, 158, 0x161

DEFAULT_KEYS: dict[str, tuple[int, ...]] = {
    "up": (KEY_UP, KEY_KP8),
    "down": (KEY_DOWN, KEY_KP2),
    "left": (KEY_LEFT, KEY_KP4),
    "right": (KEY_RIGHT, KEY_KP6),
    "select": (KEY_ENTER, KEY_KPENTER, KEY_KP5, KEY_SELECT),
    "back": (KEY_ESC, KEY_BACKSPACE, KEY_BACK),
    "help": (KEY_HELP, KEY_F1),
}
"""EZ-Access-like: arrows (or the number pad's 8 2 4 6), Enter/5 to select, Esc/Backspace to go
back, Help/F1 for "where am I?"."""


def key_map_problems(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(option, sentence) for every problem in a keypad's options; [] when they make a map."""
    problems: list[tuple[str, str]] = []
    owner: dict[int, str] = {}
    for action, codes in options.items():
        if action not in ACTIONS:
            problems.append(
                (action, f"unknown keypad action; expected one of {', '.join(ACTIONS)}")
            )
            continue
        if not isinstance(codes, list) or not codes:
            problems.append((action, "expected an array of key codes, like [103, 72]"))
            continue
        for code in codes:
            if isinstance(code, bool) or not isinstance(code, int) or not 1 <= code <= KEY_MAX:
                problems.append((action, f"{code!r} is not a key code (1 to {KEY_MAX})"))
            elif owner.get(code, action) != action:
                problems.append((action, f"key code {code} is already {owner[code]!r}"))
            else:
                owner[code] = action
    return problems


def key_map(options: Mapping[str, Any] | None = None) -> dict[int, str]:
    """Key code → action: the defaults, with each action named in ``options`` replaced by its
    codes (an action's default codes that another action now uses are dropped)."""
    options = dict(options or {})
    problems = key_map_problems(options)
    if problems:
        raise ConfigurationError("; ".join(f"{key}: {message}" for key, message in problems))
    chosen = {a: tuple(options.get(a, DEFAULT_KEYS.get(a, ()))) for a in ACTIONS}
    taken = {code for action in options for code in chosen[action]}
    out: dict[int, str] = {}
    for action, codes in chosen.items():
        for code in codes:
            if action in options or code not in taken:
                out[code] = action
    return out

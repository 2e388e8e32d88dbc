"""Driving the app by keypad alone, for the keypad tests (issue 19 item 1).

Every action goes in as a PC keyboard's key event through the window (``Window.dispatch
("on_key_down", …)``), the path :class:`screens.focus.FocusRing` shares with the evdev keypad.
A person finds a control by moving until they reach it (and hear it): :func:`reach` does the same,
pressing down (or, on the on-screen keyboard, up/down to the row, then left/right) and failing
when a whole lap of the screen passes without it.
"""

from __future__ import annotations

from typing import Any

CODES = {"up": 273, "down": 274, "left": 276, "right": 275, "select": 13, "back": 27, "help": 282}


def key(ui: Any, action: str, frames: int = 1) -> None:
    from kivy.core.window import Window

    Window.dispatch("on_key_down", CODES[action], 0, None, [])
    Window.dispatch("on_key_up", CODES[action], 0)
    ui.d.pump(frames)


def focused_kid(ui: Any) -> str:
    w = ui.c.focus.focused
    return str(getattr(w, "kid", "")) if w is not None else ""


def reach(ui: Any, kid: str) -> Any:
    """Move the focus onto the control ``kid`` (down, down, … like a person listening)."""
    ring = ui.c.focus
    if focused_kid(ui) == kid:
        return ring.focused
    if ring._place is ui.c.keyboard and ui.c.shell.overlays == []:
        return _reach_key(ui, kid)
    laps = len(ring.controls()) + 2
    for _ in range(laps):
        key(ui, "down", frames=0)
        if focused_kid(ui) == kid:
            ui.d.pump(1)
            return ring.focused
    shown = [getattr(w, "kid", "") for w in ring.controls()]
    raise AssertionError(f"{kid!r} cannot be reached by keypad on {ui.d.screen}; there are {shown}")


def _reach_key(ui: Any, kid: str) -> Any:
    ring = ui.c.focus
    ring.controls()
    rows = ring._rows
    row_of = {getattr(w, "kid", ""): i for i, row in enumerate(rows) for w in row}
    if kid not in row_of:
        raise AssertionError(f"no key {kid!r} on the on-screen keyboard")
    if ring.focused is None:
        key(ui, "down", frames=0)
    for _ in range(len(rows) + 1):
        here = row_of[focused_kid(ui)]
        if here == row_of[kid]:
            break
        key(ui, "down" if row_of[kid] > here else "up", frames=0)
    for _ in range(20):
        if focused_kid(ui) == kid:
            return ring.focused
        key(ui, "right", frames=0)
    raise AssertionError(f"key {kid!r} not reached")


def choose(ui: Any, kid: str, frames: int = 2) -> None:
    """Reach ``kid`` and press select on it."""
    reach(ui, kid)
    key(ui, "select", frames)


def type_text(ui: Any, field_kid: str, text: str) -> None:
    """Select the field (the on-screen keyboard opens), type ``text`` on its keys by keypad, and
    leave the keys with back (focus returns to the field)."""
    choose(ui, field_kid)
    keyboard = ui.c.keyboard
    assert keyboard.target is not None and keyboard.target.kid == field_kid
    for char in text:
        if char.isupper() and keyboard.layout == "text":
            choose(ui, "key:shift", frames=1)
        found = keyboard.find_key(char)
        assert found is not None, f"no key for {char!r}"
        choose(ui, found.kid, frames=0)
    ui.d.pump(1)
    key(ui, "back", frames=2)
    assert keyboard.target is None

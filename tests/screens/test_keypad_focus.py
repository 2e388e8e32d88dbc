"""The focus ring by keypad alone (issue 19 item 1): the ring on the focused control, "where am
I?", the accessibility panel, the idle warning and the PIN pad — every action a PC keyboard key
sent through the window, the path the evdev keypad shares (screens.focus)."""

from __future__ import annotations

from keypad_nav import choose, focused_kid, key, reach, type_text


def _to_step(ui):
    d = ui.d
    key(ui, "select", 2)  # attract: select starts, as a touch does
    assert d.screen == "language"
    choose(ui, "language:en")
    choose(ui, "view:a-z")
    choose(ui, "service:change-of-address")
    choose(ui, "start-now")
    assert d.screen == "step"


def test_ring_sits_round_the_focused_control_in_the_focus_colour(ui, artifacts):
    from PIL import Image

    _to_step(ui)
    target = reach(ui, "continue")
    ui.d.pump(2)
    ring = ui.c.focus
    x0, y0 = target.to_window(target.x, target.y)
    x1, y1 = target.to_window(target.right, target.top)
    t = ring.thickness
    assert t >= 4
    assert ring.ring_rectangle() == (x0 - t, y0 - t, x1 - x0 + 2 * t, y1 - y0 + 2 * t)
    shot = Image.open(ui.d.screenshot(artifacts / "ring.png")).convert("RGB")
    focus = tuple(round(c * 255) for c in ui.c.ctx.colour("focus")[:3])
    height = shot.height
    # a point on the ring's left edge, halfway up the control (screenshot rows run top down)
    px = shot.getpixel((round(x0 - t / 2), round(height - (y0 + y1) / 2)))
    assert all(abs(a - b) <= 2 for a, b in zip(px, focus, strict=True)), (px, focus)


def test_select_types_and_continues_like_a_tap_and_help_says_where(ui):
    _to_step(ui)
    type_text(ui, "field:full_name", "Ann Ed")
    assert ui.c.focus.focused.kid == "field:full_name"  # back from the keys: on the field again
    assert ui.c.screens["step"].column is not None
    field = ui.d.find("field:full_name")
    assert field.text == "Ann Ed"
    reach(ui, "continue")
    ui.speaker.said.clear()
    key(ui, "help")  # spoken though audio guidance is off: the person asked
    spoken, lang = ui.speaker.said[-1]
    assert lang == "en" and spoken.startswith("About you.") or spoken.split(".")[0], spoken
    controls = ui.c.focus.controls()
    n = controls.index(ui.c.focus.focused) + 1
    assert spoken.endswith(f"Continue, button, {n} of {len(controls)}.")
    key(ui, "select", 3)  # errors: the other fields are empty; the step stays, errors are shown
    assert ui.d.screen == "step" and ui.session.state.value == "step"
    assert any("error" in getattr(w, "kid", "") for w in ui.d.visible())


def test_back_on_a_step_is_the_screens_back(ui):
    _to_step(ui)
    reach(ui, "continue")
    key(ui, "back", 2)  # what the bar's Back does on step 1: back to the list of services
    assert ui.session.state.value == "choose_service" and ui.d.screen == "choose_service"
    assert focused_kid(ui) == ""  # another screen: nothing focused until the person moves
    key(ui, "down")
    assert ui.c.focus.focused is ui.c.focus.controls()[0]


def test_accessibility_panel_by_keypad(ui):
    _to_step(ui)
    choose(ui, "accessibility")
    assert ui.c.panel.parent is not None
    assert focused_kid(ui) == ""  # the panel takes focus alone: nothing behind it is focused
    choose(ui, "text-size:2")
    assert ui.c.ctx.settings.text_size == 2
    assert focused_kid(ui) == "text-size:2"  # focus stays on the redrawn option
    key(ui, "back", 2)
    assert ui.c.panel.parent is None
    assert ui.d.screen == "step"


def test_idle_warning_any_key_keeps_the_session_as_any_touch_does(ui):
    _to_step(ui)
    type_text(ui, "field:full_name", "Ann")
    for action in ("down", "back", "help"):
        ui.clock.advance(ui.config.idle.warning_after_s + 1)
        ui.c.tick()
        ui.d.pump(2)
        assert ui.c.idle.parent is not None, "the warning did not show"
        key(ui, action, 2)
        assert ui.c.idle.parent is None and ui.d.screen == "step"
        assert ui.d.find("field:full_name").text == "Ann"
    ui.clock.advance(ui.config.idle.warning_after_s + 1)
    ui.c.tick()
    ui.clock.advance(ui.config.idle.respond_s + 1)
    ui.c.tick()
    ui.d.pump(2)
    assert ui.session.state.value in ("goodbye", "attract")  # no key: the person has left


def test_pin_pad_by_keypad(ui):
    from screens.pin import PinPad

    typed, cancelled = [], []
    pad = PinPad(ui.c.ctx, typed.append, lambda: cancelled.append(True))
    pad.open("staff")
    ui.c.shell.show_overlay(pad)
    ui.d.pump(2)
    for digit in "2468":
        choose(ui, f"pin-key:{digit}", frames=1)
    assert pad.entered == 4
    choose(ui, "pin-enter")
    assert typed == ["2468"]
    pad.tell("Wrong PIN")
    ui.d.pump(2)
    key(ui, "back", 2)  # back on the pad is Cancel
    assert cancelled == [True]
    ui.c.shell.hide_overlay(pad)


def test_a_keypads_records_reach_the_app_through_the_bus(ui):
    """The whole evdev path: kernel records in a pipe → KeypadReader → the device bus →
    wire_keypad → the Kivy main thread → the focus ring (no key event of the window involved)."""
    import os
    import struct

    from peripherals.events import EventBus
    from peripherals.keypad import KeypadPressed, KeypadReader
    from screens.focus import wire_keypad

    r, w = os.pipe()
    bus = EventBus()
    unwire = wire_keypad(ui.c.focus, bus)
    reader = KeypadReader("/dev/input/event7", lambda a, v: bus.publish(KeypadPressed("keypad", a, v)),
                          opener=lambda _path: r)  # fmt: skip
    reader.open()
    try:

        def tap(code):  # struct input_event: timeval, __u16 type, __u16 code, __s32 value
            os.write(w, b"".join(struct.pack("=qqHHi", 0, 0, kind, c, v)
                                 for kind, c, v in [(1, code, 1), (0, 0, 0), (1, code, 0), (0, 0, 0)]))  # fmt: skip

        tap(28)  # KEY_ENTER on the attract screen: start, as a touch does
        ui.d.wait_until(lambda: ui.d.screen == "language", what="the language screen")
        tap(108)  # KEY_DOWN: the first control of the screen
        ui.d.wait_until(lambda: ui.c.focus.focused is not None, what="a focused control")
        assert ui.c.focus.focused is ui.c.focus.controls()[0]
        assert ui.c.focus.ring_rectangle() is not None
    finally:
        reader.close()
        unwire()
        bus.close()
        os.close(w)


def test_the_focused_control_is_scrolled_into_view_at_the_largest_text(ui):
    _to_step(ui)
    choose(ui, "accessibility")
    choose(ui, "text-size:3")
    panel = ui.c.panel
    assert panel.scroll.do_scroll_y or panel.card.height > panel.scroll.height
    target = reach(ui, "louder")
    ui.d.pump(2)
    sx, sy = panel.scroll.to_window(*panel.scroll.pos)
    x0, y0 = target.to_window(target.x, target.y)
    x1, y1 = target.to_window(target.right, target.top)
    assert sy <= y0 and y1 <= sy + panel.scroll.height, "the focused control is out of view"
    volume = ui.c.ctx.settings.volume
    key(ui, "select", 2)
    assert ui.c.ctx.settings.volume > volume


def test_moving_speaks_the_control_when_audio_guidance_is_on(ui):
    _to_step(ui)
    ui.c.ctx.settings.audio = True
    ui.speaker.said.clear()
    reach(ui, "continue")
    assert ui.speaker.said[-1] == ("Continue, button.", "en")


def test_a_held_key_repeats_moves_but_help_speaks_once(ui):
    from kivy.core.window import Window

    _to_step(ui)
    controls = ui.c.focus.controls()
    for _ in range(3):  # a held Down: the window sends key-down again and again
        Window.dispatch("on_key_down", 274, 0, None, [])
    Window.dispatch("on_key_up", 274, 0)
    assert ui.c.focus.focused is controls[2]
    ui.speaker.said.clear()
    for _ in range(3):  # a held F1 (help): "where am I?" once, not at every repeat
        Window.dispatch("on_key_down", 282, 0, None, [])
    Window.dispatch("on_key_up", 282, 0)
    assert len(ui.speaker.said) == 1 and "3 of" in ui.speaker.said[0][0]

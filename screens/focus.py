"""The focus ring: every control of every screen and overlay reached and used by keypad alone.

Why (issue 19, EZ Access model; EN 301 549 5.1.6 operation without the screen): a citizen who
cannot see or touch the screen moves with up/down (left/right within a row of options), acts with
select, goes back with back and asks "where am I?" with help. Actions come from a tactile keypad
(:mod:`peripherals.keypad`, via the device bus: :func:`wire_keypad`) or a PC keyboard (arrows,
Enter, Escape, F1 through ``Window.on_key_down``/``on_key_up``); both end in
:meth:`FocusRing.act`, the one path. Help held is touch to hear (``controller.guide.hold_help``,
when the speech guide is there); a keypad's speech keys go to ``controller.guide.act``.

* What can take focus: the enabled buttons, options and fields of the topmost overlay only when
  one is open (idle warning, accessibility panel, PIN pad take focus exclusively; the privacy
  screen and the touch-to-hear layer never do: under the privacy screen the ring hides and the
  keypad goes on working); else the on-screen keyboard's keys while it is open; else the current
  screen and the bar. Reading order is by window position after layout: rows top to bottom,
  left to right within a row.
* Select does what a tap does: the same handlers (a button's on_press/on_release, an option's
  toggle, a field's ``on_activate``, the attract screen's start), so funnel, validation and the
  idle timer see no difference. Every action counts as activity (``controller.touch``); a key
  that dismisses the idle warning does only that, as a touch on the warning does.
* The ring: drawn over everything in the theme's focus colour (≥ 3:1 against the background,
  :mod:`kiosk.ui.accessibility`), ``thickness`` px outside the control. The focused control is
  scrolled into view only on a keypad action: nothing moves under a finger otherwise.
* A redraw (a choice, a language, an error) makes new widgets: focus follows the control's
  ``kid`` into the new one; a new screen starts with nothing focused (down: the first control).

Failure model: pure UI on the Kivy main thread; an action with nothing to act on does nothing.
Speech goes only through :mod:`kiosk.ui.speech`'s public API and the context's speaker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Line
from kivy.uix.behaviors import ButtonBehavior, ToggleButtonBehavior
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.ui.speech import describe_control, describe_screen
from peripherals.keypad.reader import PRESS, RELEASE, REPEAT
from screens.host import ScreenHost
from screens.widgets import KToggle, walk

__all__ = ["ACTIONS", "KEYS", "FocusRing", "wire_keypad"]

NAVIGATION = ("up", "down", "left", "right", "select", "back", "help")
SPEECH = ("louder", "quieter", "faster", "slower", "repeat", "stop", "privacy", "audio")
"""Keys some keypads have for audio guidance: handed to the speech guide (controller.guide)."""
ACTIONS = NAVIGATION + SPEECH
KEYS: dict[int, str] = {273: "up", 274: "down", 276: "left", 275: "right", 13: "select",
                        271: "select", 27: "back", 282: "help"}  # fmt: skip
"""Kivy key codes of a PC keyboard: arrows, Enter / keypad Enter, Escape, F1."""
BACK_KIDS = ("close-accessibility", "pin-cancel", "more-time", "key:done")
"""In an overlay (or the keyboard), back is this control: close, cancel, keep the session, done."""


class FocusRing:
    def __init__(self, controller: ScreenHost) -> None:
        self.c = controller
        self.ctx = controller.ctx
        self.focused: Widget | None = None
        self._kid = ""
        self._place: object = None
        self.thickness = float(max(4, self.ctx.geometry.mm_to_px(0.8)))
        self.shell = controller.shell
        with self.shell.canvas.after:
            self._ink = Color(*self.ctx.colour("focus"))
            self._line = Line(rectangle=(0, 0, 0, 0), width=self.thickness, joint="miter")
        self._ink.a = 0
        self._ticker: Any = None
        self._held: set[int] = set()

    # ---- wiring --------------------------------------------------------------------------------
    def attach(self) -> FocusRing:
        Window.bind(on_key_down=self._key_down, on_key_up=self._key_up)
        self._ticker = Clock.schedule_interval(self._follow, 0)
        return self

    def detach(self) -> None:
        Window.unbind(on_key_down=self._key_down, on_key_up=self._key_up)
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        action = KEYS.get(key)
        if action is None:
            return False
        held = key in self._held  # the window repeats a held key: as the kernel's value 2
        self._held.add(key)
        if not held or action in ("up", "down", "left", "right"):
            self.act(action, REPEAT if held else PRESS)
        return True  # Escape must not close the app; arrows must not move a text cursor

    def _key_up(self, _window: Any, key: int, *_args: Any) -> bool:
        self._held.discard(key)
        if KEYS.get(key) != "help":
            return False
        self.act("help", RELEASE)
        return True

    # ---- the one action path -------------------------------------------------------------------
    def act(self, action: str, value: int = PRESS) -> None:
        """One keypad action; ``value`` as the kernel gives it (1 press, 0 release, 2 repeat)."""
        if action not in ACTIONS:
            return
        guide = getattr(self.c, "guide", None)
        if value == RELEASE:
            if action == "help" and guide is not None:
                guide.hold_help(False)  # help let go: touches act again
            return
        warned = self.c.idle.parent is not None
        self.c.touch()  # activity for the idle timer, like any touch
        if warned and self.c.idle.parent is None:
            return  # the key woke the idle warning away, as a touch on it does: nothing more
        if action in SPEECH:
            if guide is not None:
                guide.act(action)
            return
        controls = self.controls()
        self._recover(controls)
        if action in ("up", "down", "left", "right"):
            self._move(action, controls)
        elif action == "select":
            self._select()
        elif action == "back":
            self._back(controls)
        elif action == "help" and value == PRESS:
            self.where_am_i(controls)
            if guide is not None:
                guide.hold_help(True)  # held: touch anything to hear it, nothing acts
        self._recover(self.controls())  # a redraw or another screen: the same control, or none
        self._follow()

    # ---- what can take focus -------------------------------------------------------------------
    def _passive(self) -> list[Widget]:
        """Overlays that never take focus: the privacy screen, the touch-to-hear layer."""
        guide = getattr(self.c, "guide", None)
        return [w for w in (getattr(guide, "privacy", None), getattr(guide, "layer", None)) if w]

    def _roots(self) -> tuple[object, list[Widget]]:
        passive = self._passive()
        overlays = [o for o in self.shell.overlays if o.parent is self.shell and o not in passive]
        if overlays:
            return overlays[-1], [overlays[-1]]
        keyboard = self.c.keyboard
        if self.shell.keyboard_shown and keyboard.target is not None:
            return keyboard, [keyboard]
        screen = self.shell.manager.current_screen
        return screen, [screen, self.c.bar]

    def controls(self) -> list[Widget]:
        """The focusable controls now, in reading order."""
        place, roots = self._roots()
        if place is not self._place:
            self._place, self.focused, self._kid = place, None, ""
        found = [w for root in roots for w in walk(root) if self._focusable(w)]
        boxes = {id(w): _box(w) for w in found}
        found.sort(key=lambda w: (-boxes[id(w)][3], boxes[id(w)][0]))
        rows: list[list[Widget]] = []
        for w in found:
            x, y, _r, top = boxes[id(w)]
            middle = (y + top) / 2
            if rows:
                _x0, y0, _r0, top0 = boxes[id(rows[-1][0])]
                if y0 <= middle <= top0:
                    rows[-1].append(w)
                    continue
            rows.append([w])
        self._rows = [sorted(row, key=lambda w: boxes[id(w)][0]) for row in rows]
        return [w for row in self._rows for w in row]

    def _focusable(self, w: Widget) -> bool:
        if not isinstance(w, ButtonBehavior | TextInput) or w.disabled:
            return False
        if w.width <= 0 or w.height <= 0 or w.opacity <= 0:
            return False
        parent = w.parent
        while parent is not None and parent is not self.shell:
            if getattr(parent, "opacity", 1) <= 0:
                return False
            parent = parent.parent
        return True

    def _recover(self, controls: list[Widget]) -> None:
        """After a redraw the focused widget is gone: focus its successor of the same kid."""
        if self.focused is not None and self.focused in controls:
            return
        self.focused = None
        if self._kid:
            same = [w for w in controls if getattr(w, "kid", "") == self._kid]
            if same:
                self.focused = same[0]

    # ---- moving --------------------------------------------------------------------------------
    def _move(self, action: str, controls: list[Widget]) -> None:
        if not controls:
            return
        target: Widget
        if self.focused is None:
            target = controls[-1] if action in ("up", "left") else controls[0]
        else:
            row = next(r for r in self._rows if self.focused in r)
            if action in ("left", "right") and len(row) > 1:
                i = row.index(self.focused) + (1 if action == "right" else -1)
                target = row[i % len(row)]
            elif action in ("up", "down") and self._place is self.c.keyboard:
                target = self._grid_step(row, action)
            else:
                step = 1 if action in ("down", "right") else -1
                target = controls[(controls.index(self.focused) + step) % len(controls)]
        self.focus(target)
        self.ctx.say(self.describe(target))

    def _grid_step(self, row: list[Widget], action: str) -> Widget:
        """On the keyboard, up/down go to the nearest key in the row above/below."""
        i = self._rows.index(row) + (1 if action == "down" else -1)
        other = self._rows[i % len(self._rows)]
        x = _box(self.focused)[0] + self.focused.width / 2  # type: ignore[union-attr]
        return min(other, key=lambda w: abs(_box(w)[0] + w.width / 2 - x))

    def focus(self, widget: Widget) -> None:
        """Put the ring on ``widget`` and scroll it into view (a keypad action only)."""
        self.focused, self._kid = widget, str(getattr(widget, "kid", ""))
        scroll = _scroll_of(widget, self.shell)
        if scroll is not None and scroll.do_scroll_y:
            scroll.scroll_to(widget, padding=self.ctx.pad * 2, animate=False)
        self._follow()

    # ---- acting --------------------------------------------------------------------------------
    def _select(self) -> None:
        w = self.focused
        if w is None:
            if self.shell.manager.current == "attract":
                self.c.start()  # what touching the attract screen does
            return
        if isinstance(w, TextInput):
            activate: Callable[[Any], None] | None = getattr(w, "on_activate", None)
            if activate is not None:
                activate(w)  # the tap's handler: the on-screen keyboard opens on it
            return
        press(w)

    def _back(self, controls: list[Widget]) -> None:
        if self._place is not self.shell.manager.current_screen:
            for kid in BACK_KIDS:
                found = [w for w in controls if getattr(w, "kid", "") == kid]
                if found:
                    field = self.c.keyboard.target if kid == "key:done" else None
                    press(found[0])
                    if field is not None:  # back from the keys: focus stays on the field
                        self._place, self.focused, self._kid = self._roots()[0], None, field.kid
                    return
            return
        if self.c.can_go_back():
            self.c.go_back()

    # ---- speech --------------------------------------------------------------------------------
    def describe(self, w: Widget, position: str | None = None) -> str:
        """What a control is called, aloud: "Continue, button, 5 of 7."."""
        t = self.ctx.t
        if isinstance(w, TextInput):
            label, role, selected = str(getattr(w, "spoken", "") or w.hint_text), "text field", None
        elif isinstance(w, ToggleButtonBehavior):
            label, role, selected = str(w.text), "option", w.state == "down"
        else:
            label, role, selected = str(getattr(w, "text", "")), "button", None
        return describe_control(label.rstrip(". "), role, selected=selected, value=position,
                                disabled=bool(w.disabled), translate=t)  # fmt: skip

    def where_am_i(self, controls: list[Widget] | None = None) -> str:
        """The help key: the screen's title, then the focused control and its position."""
        controls = self.controls() if controls is None else controls
        place = self._place
        title = str(getattr(place, "spoken", "") or "")
        target = self.c.keyboard.target
        if place is self.c.keyboard and target is not None:
            title = self.describe(target)  # on the keys: the field being typed into
        elif not title:
            heads = [w for w in walk(place) if getattr(w, "bold", False) and getattr(w, "text", "")]
            title = str(heads[-1].text) if heads else ""
        focused = None
        if self.focused is not None and self.focused in controls:
            n = self.ctx.t(
                "{n} of {total}", n=controls.index(self.focused) + 1, total=len(controls)
            )
            focused = self.describe(self.focused, n)
        text = describe_screen(title, focused, translate=self.ctx.t)
        speaker = self.ctx.speaker
        say = getattr(speaker, "say", None)
        if callable(say) and text:
            say(text, self.ctx.lang)  # asked for: spoken even with audio guidance off
        return text

    # ---- drawing -------------------------------------------------------------------------------
    def ring_rectangle(self) -> tuple[float, float, float, float] | None:
        """The ring's box in window coordinates (x, y, width, height), or None when hidden."""
        if self._ink.a == 0:
            return None
        return tuple(self._line.rectangle)  # type: ignore[return-value]

    def _follow(self, *_: Any) -> None:
        w = self.focused
        if w is not None and w.get_root_window() is None:
            self._recover(self.controls())  # redrawn since the last action
            w = self.focused
        private = any(o.parent is self.shell for o in self._passive()[:1])
        # Every frame, so only what changed is written: setting a graphics instruction (even to
        # the same value) makes Kivy draw the whole window again, and with no GPU a frame costs
        # tens of ms — an idle kiosk would redraw for ever (bench/bench_ui.py: the idle cost).
        if w is None or w.get_root_window() is None or private:
            if self._ink.a != 0:
                self._ink.a = 0  # nothing focused, or the screen blanked for privacy
            return
        x, y, right, top = _box(w)
        t = self.thickness
        colour = tuple(self.ctx.colour("focus"))
        box = (x - t, y - t, right - x + 2 * t, top - y + 2 * t)
        if tuple(self._ink.rgba) != colour:
            self._ink.rgba = colour
        if self._line.width != t:
            self._line.width = t
        if tuple(self._line.rectangle) != box:
            self._line.rectangle = box


def press(w: Widget) -> None:
    """Do what a finger's tap on ``w`` does (press, then release on it)."""
    w._do_press()  # noqa: SLF001 - ButtonBehavior's own steps, in a tap's order
    w.dispatch("on_press")
    if isinstance(w, KToggle):
        ToggleButtonBehavior._do_press(w)  # noqa: SLF001 - a KToggle chooses on release
    w._do_release()  # noqa: SLF001
    w.dispatch("on_release")


def _box(w: Widget) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in window coordinates."""
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return x0, y0, x1, y1


def _scroll_of(w: Widget, stop: Widget) -> ScrollView | None:
    parent = w.parent
    while parent is not None and parent is not stop:
        if isinstance(parent, ScrollView):
            return parent
        parent = parent.parent
    return None


def wire_keypad(ring: FocusRing, devices: Any) -> Callable[[], None]:
    """Keypad actions from the device bus (its thread) onto the Kivy main thread; the unsubscribe.

    ``devices`` is the runtime's :class:`kiosk.runtime.devices.DeviceHub` (anything with
    ``subscribe(callback, event_type)``)."""
    from peripherals.keypad import KeypadPressed

    def heard(event: KeypadPressed) -> None:
        Clock.schedule_once(lambda _dt: ring.act(event.action, event.value), 0)

    return devices.subscribe(heard, KeypadPressed)  # type: ignore[no-any-return]

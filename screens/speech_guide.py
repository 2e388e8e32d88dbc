"""Audio guidance that starts itself: headphones in, touch to hear, keypad speech actions, privacy.

Why: a citizen who cannot see the screen must get speech without finding a button first (EN 301
549 5.1.6, Section 508 402.2). Plugging headphones in (or pressing the configured audio key where
the jack cannot be sensed) turns audio guidance on and reads the current screen from the top;
pulling them out stops speech at once and turns it off, and while a private output is configured
nothing is ever spoken without a listener (the speaker's gate asks :class:`AudioRoute`).

What the citizen can do while listening (EZ Access practice):

* hold help (the "Hold to hear" button in the bar; the keypad's help key through
  :meth:`SpeechGuide.hold_help`) and touch anything: it is read out and nothing is activated (a
  clear layer takes those touches); "where am I?" reads the screen again from the top;
* repeat, stop, louder, quieter, faster, slower from keys (:data:`DEFAULT_KEYS`, and
  :meth:`SpeechGuide.act` for the keypad driver);
* blank the screen (:mod:`screens.privacy`) and bring it back.

Everything of one person (audio-key mode, privacy screen, held help) ends with the session
(:meth:`SpeechGuide.new_person`); volume and rate are reset by the settings and the speaker.

Failure model: a jack that cannot be read counts as headphones out (logged once, with the
reason); the jack's thread reports through ``Clock.schedule_once``, never touching a widget.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.ui.accessibility import RATES
from kiosk.ui.headphones import AudioRoute, HeadphoneJack
from screens.context import UiContext
from screens.host import ScreenHost
from screens.privacy import PrivacyScreen
from screens.speech_read import control_at, read_aloud
from screens.widgets import KButton

__all__ = ["ACTIONS", "DEFAULT_KEYS", "HoldToHear", "SpeechGuide"]

log = logging.getLogger(__name__)

ACTIONS = ("louder", "quieter", "faster", "slower", "repeat", "stop", "where", "privacy", "audio")
"""What keys (and the keypad driver, through :meth:`SpeechGuide.act`) can ask of the guide."""
DEFAULT_KEYS: dict[str, str] = {
    "f4": "where", "f5": "quieter", "f6": "louder", "f7": "slower", "f8": "faster",
    "f9": "repeat", "f10": "stop", "f11": "privacy",
}  # fmt: skip
"""PC keyboard key name → action (the audio key is configured: kiosk.toml ``audio_key``). The
help key (F1, the keypad's help) belongs to :mod:`screens.focus`, which calls
:meth:`SpeechGuide.hold_help` while it is held."""


class HoldToHear(KButton):
    """A button held down (not tapped) while another finger touches what is to be heard."""

    def __init__(self, ctx: UiContext, guide: SpeechGuide) -> None:
        super().__init__(ctx, "", primary=False, kid="hold-to-hear")
        self.guide = guide

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self.guide.hold_help(True)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        return touch.grab_current is self

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        self.guide.hold_help(False)
        return True


class _ExploreLayer(Widget):
    """Clear layer over everything while help is held: a touch is heard, never acted on."""

    def __init__(self, guide: SpeechGuide) -> None:
        super().__init__()
        self.kid = "touch-to-hear"
        self.guide = guide

    def on_touch_down(self, touch: Any) -> bool:
        self.guide.hear_at(*touch.pos)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        return True

    def on_touch_up(self, touch: Any) -> bool:
        return True


class SpeechGuide:
    def __init__(self, ctx: UiContext, host: ScreenHost) -> None:
        self.ctx = ctx
        self.host = host
        self.route = AudioRoute()
        self.privacy = PrivacyScreen()
        self.layer = _ExploreLayer(self)
        self.hold = HoldToHear(ctx, self)
        self.help_held = False
        self.jack: HeadphoneJack | None = None
        self.keys: dict[int, str] = {}
        gate_owner = ctx.speaker
        if gate_owner is not None and hasattr(gate_owner, "gate"):
            gate_owner.gate = lambda: self.route.may_speak

    # ---- configuration --------------------------------------------------------------------------
    def configure(self, peripherals: Sequence[Any]) -> None:
        """Jack reader and audio key from kiosk.toml's ``driver = "headphones"`` entry; keys."""
        from kivy.core.window import Keyboard, Window

        names = dict(DEFAULT_KEYS)
        for p in peripherals:
            if p.driver != "headphones":
                continue
            key = p.options.get("audio_key")
            if key:
                names[str(key).lower()] = "audio"
                self.route.audio_key = True
            if p.port.startswith("/dev/input/"):
                self.route.jack = True
                self.jack = HeadphoneJack(p.port, self._from_jack).start()
        self.keys = {Keyboard.keycodes[n]: a for n, a in names.items() if n in Keyboard.keycodes}
        Window.bind(on_key_down=self._key_down)

    def close(self) -> None:
        from kivy.core.window import Window

        Window.unbind(on_key_down=self._key_down)
        if self.jack is not None:
            self.jack.close()

    def _from_jack(self, inserted: bool) -> None:  # the jack's thread
        Clock.schedule_once(lambda _dt: self.headphones(inserted), 0)

    # ---- keys -------------------------------------------------------------------------------------
    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        action = self.keys.get(key)
        if action is None:
            return False
        self.act(action)
        return True

    def act(self, action: str) -> None:
        """One speech action (one of :data:`ACTIONS`), from a key or the keypad driver."""
        s, t = self.ctx.settings, self.ctx.t
        if action in ("louder", "quieter", "faster", "slower"):
            self.host.change_setting(action)
            if action in ("louder", "quieter"):
                self.ctx.say(f"{t('Volume')}: {s.volume}%")
            else:
                self.ctx.say(t("Speech speed {n} of {total}", n=RATES.index(s.rate) + 1,
                               total=len(RATES)))  # fmt: skip
        elif action == "repeat":
            repeat = getattr(self.ctx.speaker, "repeat", None)
            if callable(repeat) and s.audio:
                repeat()
        elif action == "stop":
            self.ctx.hush()
        elif action == "where":
            self.where_am_i()
        elif action == "privacy":
            self.set_privacy(self.privacy.parent is None)
        elif action == "audio":
            self.route.key_on = not self.route.key_on
            self._listening_changed()
        else:
            raise ValueError(f"unknown speech action {action!r}; expected one of {ACTIONS}")

    # ---- headphones and the audio key ------------------------------------------------------------
    def headphones(self, inserted: bool) -> None:
        """Headphones went in (True) or came out (False); main thread."""
        self.route.plugged = inserted
        self._listening_changed()

    def _listening_changed(self) -> None:
        listening = self.route.listening
        if self.route.private_output:
            self.host.change_setting("audio", listening)  # redraws; hushes when off
        if listening:
            self.where_am_i()
        else:
            self.ctx.hush()
            self.set_privacy(False)
            self.hold_help(False)

    # ---- reading -----------------------------------------------------------------------------------
    def where_am_i(self) -> None:
        """Read what is in front of the citizen from the top: the top overlay, or the screen."""
        overlays = [o for o in self.host.shell.overlays if o not in (self.privacy, self.layer)]
        if overlays:
            self.ctx.say(read_aloud(overlays[-1], self.ctx))
        elif self.host.session.state.value == "attract":
            self.announce_welcome()
        else:
            self.read_screen(self.host.current)

    def read_screen(self, screen: Any) -> None:
        """A screen just shown, all of it (heading, fields, options and their state, errors)."""
        if screen.name == "attract":
            self.announce_welcome()
        else:
            self.ctx.say(read_aloud(screen, self.ctx) or screen.spoken)

    def announce_welcome(self) -> None:
        """The welcome screen, in both languages, each in its own voice."""
        tr = self.ctx.translator
        parts = []
        for lang in ("en", "cy"):
            text = " ".join((tr.gettext(lang, "Welcome") + ".",
                             tr.gettext(lang, "Audio guidance is on."),
                             tr.gettext(lang, "Touch the screen to start")))  # fmt: skip
            parts.append((text, lang))
        say_parts = getattr(self.ctx.speaker, "say_parts", None)
        if not self.ctx.settings.audio or self.ctx.speaker is None:
            return
        if callable(say_parts):
            say_parts(parts)
        else:
            self.ctx.say(" ".join(text for text, _lang in parts))

    # ---- touch to hear -----------------------------------------------------------------------------
    def hold_help(self, held: bool) -> None:
        """Help held: touches are heard and not acted on, until it is let go."""
        if held == self.help_held:
            return
        self.help_held = held
        shell = self.host.shell
        if held:
            shell.show_overlay(self.layer)
        else:
            shell.hide_overlay(self.layer)

    def hear_at(self, x: float, y: float) -> None:
        shell = self.host.shell
        below = [o for o in shell.overlays if o is not self.layer]
        if below:
            roots = [below[-1]]
        else:
            roots = [self.host.current, self.host.bar]
            if shell.keyboard_shown:
                roots.insert(0, self.host.keyboard)
        said = control_at(roots, x, y, self.ctx)
        if said:
            self.ctx.say(said)

    # ---- the privacy screen -----------------------------------------------------------------------
    def set_privacy(self, on: bool) -> None:
        """Blank the screen (only while someone listens) or bring it back."""
        shell = self.host.shell
        if on and self.ctx.settings.audio and self.route.may_speak:
            shell.show_overlay(self.privacy)
            self.host.close_accessibility()
            self.ctx.say(self.ctx.t("The screen is hidden. Speech and the keys still work."))
        elif not on and self.privacy.parent is not None:
            shell.hide_overlay(self.privacy)
            self.ctx.say(self.ctx.t("The screen is shown again."))

    # ---- the bar's button and the next person ------------------------------------------------------
    def sync_bar(self) -> None:
        """The "Hold to hear" button is in the bar while audio guidance is on."""
        bar = self.host.bar
        self.hold.text = self.ctx.t("Hold here, touch to hear")
        self.hold.restyle()
        if self.ctx.settings.audio and self.hold.parent is None:
            bar.add_widget(self.hold)
            self.hold.bind(height=bar._fit)
        elif not self.ctx.settings.audio and self.hold.parent is bar:
            bar.remove_widget(self.hold)

    def new_person(self) -> None:
        """End of a session: screen back, help let go, audio-key mode off. Headphones still in
        keep audio guidance on for whoever uses them next (they hear the welcome)."""
        if self.privacy.parent is not None:
            self.host.shell.hide_overlay(self.privacy)
        self.hold_help(False)
        self.route.reset()
        if self.route.private_output and self.route.listening:
            self.ctx.settings.audio = True
        self.sync_bar()

"""The controller: hears the session, shows the screen for its state, and runs the slow work.

The session (``kiosk.session``) decides; the controller only shows. Every session event is
handled on the Kivy main thread (events raised elsewhere are marshalled with
``Clock.schedule_once``); backend calls run on worker threads (:class:`screens.workers.Workers`)
and their results come back the same way, stamped so a wipe drops them.

Everything of one person — answers on screens, the submission and its result, the keyboard's
field, the accessibility settings, the language — is dropped on a wipe or goodbye.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from kiosk.runtime.phone import carry_on_handoff
from kiosk.session import (
    Event,
    IdleWarning,
    IdleWarningCleared,
    Session,
    State,
    StateChanged,
    Submission,
    Wiped,
)
from kiosk.ui.preferences import carried
from kiosk.ui.speech import describe_screen
from screens.attract import AttractScreen
from screens.backend import Backend
from screens.bar import Bar
from screens.base import KioskScreen
from screens.check_answers import CheckAnswersScreen
from screens.context import UiContext
from screens.feedback import FeedbackScreen
from screens.goodbye import GoodbyeScreen
from screens.keyboard import OnScreenKeyboard
from screens.language import LanguageScreen
from screens.not_eligible import NotEligibleScreen
from screens.outcome import OutcomeScreen
from screens.overlays import AccessibilityPanel, IdleOverlay
from screens.services import ServicesScreen
from screens.shell import Shell
from screens.speech_guide import SpeechGuide
from screens.step import StepScreen
from screens.submitting import SubmittingScreen
from screens.widgets import KInput, walk
from screens.workers import Workers

__all__ = ["SCREENS", "Controller"]

log = logging.getLogger("screens.controller")
SCREENS: tuple[type[KioskScreen], ...] = (
    AttractScreen, LanguageScreen, ServicesScreen, StepScreen, CheckAnswersScreen,
    NotEligibleScreen, SubmittingScreen, OutcomeScreen, FeedbackScreen, GoodbyeScreen,
)  # fmt: skip
SWITCHABLE = frozenset(
    {
        State.CHOOSE_SERVICE, State.STEP, State.CHECK_ANSWERS, State.NOT_ELIGIBLE, State.OUTCOME,
        State.FEEDBACK,
    }
)  # fmt: skip
"""States in which the session itself takes a language switch (answers kept)."""


class Controller:
    def __init__(
        self, session: Session, backend: Backend, ctx: UiContext, *,
        languages: tuple[str, ...] = ("en", "cy"), poll_s: float = 1.0,
    ) -> None:  # fmt: skip
        self.session = session
        self.backend = backend
        self.ctx = ctx
        self.languages = languages
        self.poll_s = poll_s
        self.workers = Workers()
        self.submission: Submission | None = None
        self.result: Any = None
        self.start_page: str | None = None
        """The service chosen from the list whose start page shows until "Start now"."""
        self.screens: dict[str, KioskScreen] = {}
        self.keyboard = OnScreenKeyboard(ctx, self.hide_keyboard)
        self.bar = Bar(ctx, self)
        self.shell = Shell(ctx, self.bar, self.keyboard, self.touch)
        self.idle = IdleOverlay(ctx, self)
        self.panel = AccessibilityPanel(ctx, self)
        self.guide = SpeechGuide(ctx, self)
        """Audio guidance: headphones, touch to hear, speech keys, privacy screen (issue 19)."""
        self.focus: Any = None
        """The keypad's focus ring (screens.focus.FocusRing), set by screens.app.build_ui."""
        for cls in SCREENS:
            screen = cls(ctx, self)
            self.screens[screen.name] = screen
            self.shell.manager.add_widget(screen)
        self._unsubscribe = session.subscribe(self._on_event)
        self._main = threading.main_thread()
        self.show(session.state)

    # ---- events from the session ---------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if threading.current_thread() is self._main:
            self._handle(event)
        else:
            Clock.schedule_once(lambda _dt: self._handle(event), 0)

    def _handle(self, event: Event) -> None:
        if isinstance(event, Wiped):
            self._forget()
        elif isinstance(event, StateChanged):
            if event.new is State.ATTRACT:
                self.ctx.reset()
                self.guide.new_person()
                self.keyboard.follow()  # the last person's size, colours and language go too
                self.close_accessibility()
            self.show(event.new, fresh=event.new is not event.old)
        elif isinstance(event, IdleWarning):
            self.idle.build(self.session.seconds_left() or event.respond_s)
            self.shell.show_overlay(self.idle)
            self.guide.where_am_i()  # the whole warning: title, countdown, "More time"
        elif isinstance(event, IdleWarningCleared):
            self.shell.hide_overlay(self.idle)

    def _forget(self) -> None:
        """The wipe: nothing of the person may stay in any widget or attribute."""
        self.workers.new_person()
        self.submission = None
        self.result = None
        self.start_page = None
        self.keyboard.reset()
        self.shell.hide_keyboard()
        self.shell.hide_overlay(self.idle)
        self.idle.clear_widgets()
        for screen in self.screens.values():
            screen.clear()
        self.ctx.hush()

    def show(self, state: State, fresh: bool = True) -> None:
        screen = self.screens.get(state.value)
        if screen is None:  # e.g. diagnostics before screens.device_flows registered its screen
            log.warning("no screen for state %s", state.value)
            return
        if state in SWITCHABLE or state is State.LANGUAGE:
            self.ctx.lang = self.session.language
            if self.keyboard.lang != self.ctx.lang:
                self.keyboard.build()  # its words in the session's language
        if fresh:
            self.hide_keyboard()
            enter = getattr(screen, "enter", None)
            if callable(enter):
                enter()
            if state is not State.OUTCOME:
                self.workers.stop_polling()
        self.shell.manager.current = screen.name
        screen.rebuild()
        self._keep_typing()
        self.bar.build()
        self.guide.sync_bar()
        self.shell.restyle()
        if fresh:
            self.guide.read_screen(screen)  # all of it, from the top

    @property
    def current(self) -> KioskScreen:
        return self.screens[self.shell.manager.current]

    def refresh(self) -> None:
        """Redraw everything (a new language or setting) with nothing lost."""
        self.keyboard.build()
        self.current.rebuild()
        self.bar.build()
        self.guide.sync_bar()
        if self.panel.parent is not None:
            self.panel.build()
        if self.idle.parent is not None:
            self.idle.build(self.session.seconds_left() or 0)
        self.shell.restyle()
        self._keep_typing()

    # ---- time and touch ------------------------------------------------------------------------
    def tick(self, _dt: float = 0) -> None:
        """Called about once a second by a Kivy Clock interval (tests call it after moving time)."""
        self.session.tick()
        if self.idle.parent is not None:
            self.idle.update(self.session.seconds_left() or 0)

    def touch(self) -> None:
        self.session.touch()

    def more_time(self) -> None:
        if self.session.state not in (State.ATTRACT, State.GOODBYE):
            self.session.more_time()
        self.shell.hide_overlay(self.idle)

    # ---- the bar -------------------------------------------------------------------------------
    def other_language(self) -> str:
        others = [lang for lang in self.languages if lang != self.ctx.lang]
        return others[0] if others else self.ctx.lang

    def can_switch_language(self) -> bool:
        return len(self.languages) > 1 and self.session.state is not State.SUBMITTING

    def switch_language(self, lang: str) -> None:
        state = self.session.state
        if state is State.ATTRACT and self.shell.manager.current == "resume":
            self.ctx.lang = lang  # typing a code: no session yet, only the words change
            self.refresh()
            return
        if state is State.ATTRACT:
            self.session.start()
        if self.session.state in SWITCHABLE or self.session.state is State.LANGUAGE:
            self.session.choose_language(lang)  # the session keeps the answers
        else:
            self.ctx.lang = lang  # goodbye: only the words on the screen change
            self.refresh()

    def can_go_back(self) -> bool:
        screens = getattr(self, "screens", None)
        return bool(screens) and self.current.can_go_back()

    def go_back(self) -> None:
        self.hide_keyboard()
        self.current.go_back()
        self.bar.build()

    def open_accessibility(self) -> None:
        self.hide_keyboard()
        self.panel.build()
        self.shell.show_overlay(self.panel)

    def close_accessibility(self) -> None:
        self.shell.hide_overlay(self.panel)

    def change_setting(self, name: str, value: Any = None) -> None:
        s = self.ctx.settings
        if name == "reach":
            s.reach_mode = bool(value)
        elif name == "audio":
            s.audio = bool(value)
            if not s.audio:
                self.ctx.hush()
        elif name in ("louder", "quieter", "faster", "slower"):
            getattr(s, name)()
        else:
            getattr(s, name)(value)
        speaker = self.ctx.speaker
        if speaker is not None and hasattr(speaker, "volume"):
            speaker.volume = s.volume
        if speaker is not None and hasattr(speaker, "rate"):
            speaker.rate = s.rate
        self.refresh()

    # ---- the keyboard --------------------------------------------------------------------------
    def activate_field(self, field: KInput) -> None:
        if self.keyboard.target is not field:
            self.ctx.say(field.spoken)
        self.keyboard.attach(field)
        self.shell.show_keyboard()
        Clock.schedule_once(lambda _dt: self._reveal(field), 0)

    def _reveal(self, field: KInput, tries: int = 10) -> None:
        """Scroll the active field into the space above the keyboard (once the layout settled)."""
        scroll, manager = self.current.scroll, self.shell.manager
        if field.parent is None or self.keyboard.target is not field:
            return
        screen = self.current
        settled = manager.height > 1 and abs(screen.height - manager.height) < 1  # laid out
        if not settled and tries:
            Clock.schedule_once(lambda _dt: self._reveal(field, tries - 1), 0)
            return
        scroll.refresh_scrolling()
        if scroll.do_scroll_y:
            pad = self.ctx.pad * 2
            scroll.scroll_to(field, padding=pad, animate=False)
            # Continue too, when the field and Continue fit in the view together (issue 17 item 7)
            primary = next((w for w in walk(self.current) if getattr(w, "kid", "") == "continue"),
                           None)  # fmt: skip
            if primary is not None:
                top = field.to_window(0, field.top)[1]
                bottom = primary.to_window(0, primary.y)[1]
                if top - bottom + 2 * pad <= scroll.height:  # once the first scroll is laid out
                    Clock.schedule_once(
                        lambda _dt: scroll.scroll_to(primary, padding=pad, animate=False), 0
                    )

    def _keep_typing(self) -> None:
        """After a redraw, keep typing into the new widget of the same field (or hide the keys)."""
        old = self.keyboard.target
        if old is None:
            return
        same = [w for w in walk(self.current) if isinstance(w, KInput) and w.kid == old.kid]
        if same:
            self.activate_field(same[0])
        else:
            self.hide_keyboard()

    def hide_keyboard(self) -> None:
        self.keyboard.detach()
        self.shell.hide_keyboard()

    # ---- the journey ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.session.state in (State.ATTRACT, State.GOODBYE):
            self.session.start()

    def choose_language(self, lang: str) -> None:
        self.session.choose_language(lang)

    def choose_service(self, service_id: str) -> None:
        """Chosen from the list: its start page (the service's help) comes before step 1."""
        self.start_page = service_id
        self.session.choose_service(service_id)

    def answer(self, values: dict[str, object]) -> None:
        self.hide_keyboard()
        errors = self.session.answer(values)
        if errors:  # the error summary, as shown
            self.ctx.say(describe_screen("", errors=[e.message.get(self.ctx.lang)
                                                     for e in errors.values()], translate=self.ctx.t))  # fmt: skip

    def confirm_answers(self) -> None:
        submission = self.session.confirm_answers()
        if submission is None:
            return  # the session moved to the step that needs fixing
        self.submission = submission
        self.workers.run(lambda: self.backend.submit(submission), self._submitted,
                         self._submit_failed, name="submit")  # fmt: skip

    def ask_help(self) -> None:
        """ "I need help" before sending: the answers so far go to the office's staff queue (the
        backend creates the case first when there is none yet); then the reference and what
        happens next."""
        self.hide_keyboard()
        submission = self.session.ask_help()
        self.submission = submission
        self.workers.run(lambda: self.backend.submit(submission), self._submitted,
                         self._submit_failed, name="help")  # fmt: skip

    def _submitted(self, result: Any) -> None:
        self.result = result
        self.session.submission_succeeded(result.reference, result.case_id)

    def _submit_failed(self, exc: BaseException) -> None:
        self.session.submission_failed(type(exc).__name__)

    def choose_outcome(self, kind: str) -> None:
        self.workers.stop_polling()
        self.session.choose_outcome(kind)

    def start_phone(self, ready: Callable[[Any], None]) -> None:
        case_id = self.result.case_id
        # The person's language and settings travel with the handoff (issue 19 item 6).
        carry_on_handoff(self.backend, case_id, carried(self.ctx.settings, self.ctx.lang))
        self.workers.run(lambda: self.backend.start_phone_handoff(case_id), ready,
                         lambda _exc: ready(None), name="phone")  # fmt: skip

    def poll_phone(self, handoff_id: str, changed: Callable[[str], None]) -> None:
        self.workers.poll(lambda: self.backend.phone_status(handoff_id), changed, self.poll_s)

    def stop_polling(self) -> None:
        self.workers.stop_polling()

    def answer_phone(self, handoff_id: str, accept: bool) -> None:
        self.workers.stop_polling()
        self.workers.run(lambda: self.backend.confirm_phone(handoff_id, accept),
                         lambda _r: None, name="phone-answer")  # fmt: skip

    def _paper_job(self, method: str, done: Callable[[str | None], None]) -> None:
        submission, result = self.submission, self.result
        trouble = self.ctx.t("Something went wrong") + ". " + self.ctx.t("Ask a member of staff")
        self.workers.run(lambda: getattr(self.backend, method)(submission, result), done,
                         lambda _exc: done(trouble), name=method)  # fmt: skip

    def print_receipt(self, done: Callable[[str | None], None]) -> None:
        self._paper_job("print_receipt", done)

    def ask_staff(self, done: Callable[[str | None], None]) -> None:
        self._paper_job("ask_staff", done)

    def read_receipt(self) -> None:
        """ "Read my receipt": the receipt's document as the runtime builds it for the printer,
        read out in its language (issue 19 item 4); nothing is said when it cannot be made."""
        submission, result = self.submission, self.result
        self.workers.run(lambda: self.backend.receipt_speech(submission, result),
                         lambda sentences: self.ctx.say(" ".join(sentences or ())),
                         lambda _exc: None, name="receipt_speech")  # fmt: skip

    def give_feedback(self, score: int, comment: str | None) -> None:
        """Score (5 very satisfied … 1 very dissatisfied) and comment go to the backend's
        ``record_feedback`` when it has one (optional: not part of :class:`screens.backend.Backend`)."""
        self.hide_keyboard()
        feedback = self.session.give_feedback(score, comment)
        record = getattr(self.backend, "record_feedback", None)
        if callable(record):
            self.workers.run(lambda: record(feedback), lambda _r: None, name="feedback")

    def skip_feedback(self) -> None:
        self.hide_keyboard()
        self.session.skip_feedback()

    def finish(self) -> None:
        if self.session.state is State.GOODBYE:
            self.session.end()

    def close(self) -> None:
        self._unsubscribe()
        self.guide.close()
        if self.focus is not None:
            self.focus.detach()
        self.workers.join(2.0)

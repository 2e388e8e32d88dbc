""" "I have a code": open a case from a printed slip at the kiosk.

Reached from attract (a button, or scanning the slip's QR code — :func:`start_from_scan`). Two
parts on one screen: the code (typed on the letters keyboard, or filled in by the scan), then the
second factor the citizen chose when the slip was printed — date of birth as day, month and year
fields, the last 3 digits of their phone, or their PIN, on the numbers keyboard. Mistakes are
said next to the field, from the kiosk's sentences (:mod:`kiosk.runtime.resume`): a wrong factor
says how many tries are left; nothing here ever shows a traceback.

On success the person's language and accessibility settings that the code carried (a slip printed
here, a phone the kiosk handed to, a case saved on the web — issue 19 item 6) are applied first
(``kiosk.ui.preferences.restore``), then the session opens the case's service at the first step
that still needs an answer (``Session.resume_case``) and the controller shows that step in them.
A code that carried nothing leaves the settings as the person set them here. The wipe at the end
of the session (idle, finish) resets them for the next person, as for everyone. The same flow
opens a code saved on the web: its page shows the code as a QR code for the scanner. The session stays on attract while
this screen is up, so the screen has its own idle limit (:data:`RESUME_IDLE_S`): it clears itself
and goes back to attract. A wipe clears it like every other screen.

This screen is not a session state: :func:`attach` registers it with the controller (as
``screens.device_flows`` does for diagnostics) and :meth:`ResumeScreen.open` shows it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from catalogue.model import Field, FieldType, Text
from kiosk.references import ResumeCodeError, parse_resume_code
from kiosk.runtime.resume import say
from kiosk.session import SessionError
from kiosk.session.resume import scan_starts_resume
from kiosk.ui.i18n import N_
from kiosk.ui.preferences import restore
from screens.base import KioskScreen
from screens.fields import FieldWidget
from screens.widgets import KButton, KInput, KLabel, KToggle

if TYPE_CHECKING:
    from screens.controller import Controller

__all__ = ["FACTORS", "RESUME_IDLE_S", "ResumeScreen", "attach", "start_from_scan"]

RESUME_IDLE_S = 90.0
FACTORS = ("dob", "phone_last3", "pin")

WORDS: dict[str, str] = {  # msgids of config/locales (English and Welsh there)
    "title": N_("Carry on with your request"),
    "code": N_("Code on your slip"),
    "code_hint": N_(
        "12 letters, for example BCDF-GHJK-LMNP. You can also scan the code on your slip."
    ),
    "continue": N_("Continue"),
    "which": N_("What did you choose to protect your slip?"),
    "dob": N_("My date of birth"),
    "phone_last3": N_("The last 3 digits of my phone number"),
    "pin": N_("A PIN I chose"),
    "dob_field": N_("Date of birth"),
    "phone_field": N_("Last 3 digits of your phone number"),
    "pin_field": N_("Your PIN"),
    "choose_first": N_("Choose what you used to protect your slip."),
    "bad_dob": N_("Enter your date of birth as day, month and year, for example 27 3 1985."),
    "bad_phone": N_("Enter the last 3 digits of your phone number."),
    "bad_pin": N_("Enter your PIN: 4 digits."),
    "open": N_("Open my request"),
    "other_code": N_("Type a different code"),
    "busy": N_("Opening your request…"),
    "cancel": N_("Cancel"),
    "for_code": N_("Code {code}"),
    "failed": N_("Something went wrong. Please ask a member of staff."),
}


class ResumeScreen(KioskScreen):
    state_name = "resume"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.idle_s = RESUME_IDLE_S
        self._timer: Any = None
        self._reset()

    def _reset(self) -> None:
        self.phase = "code"  # code | factor | busy
        self.code = ""
        self.typed_code = ""
        self.kind: str | None = None
        self.error = ""
        self.factor_box: FieldWidget | None = None
        self.code_box: KInput | None = None

    def place(self) -> object:
        return self.phase

    def w(self, key: str, **values: object) -> str:
        return self.ctx.t(WORDS[key], **values)

    # ---- showing and leaving -------------------------------------------------------------------
    def open(self, code: str | None = None) -> None:
        """Show the screen (from attract); with ``code`` (a scan) it asks for the factor at once."""
        self._reset()
        if code:
            self.code, self.phase = code, "factor"
        c = self.controller
        c.hide_keyboard()
        c.shell.manager.current = self.name
        self.rebuild()
        c.bar.build()
        self.ctx.say(self.spoken)
        self._arm()

    def leave(self) -> None:
        """Back to attract with nothing kept."""
        self._disarm()
        self.clear()
        self.controller.hide_keyboard()
        self.controller.show(self.session.state)

    def clear(self) -> None:
        self._disarm()
        self._reset()
        super().clear()

    def time_out(self, *_: Any) -> None:
        self._timer = None
        if self.manager is not None and self.manager.current == self.name:
            self.leave()

    def _arm(self, *_: Any) -> None:
        self._disarm()
        self._timer = Clock.schedule_once(self.time_out, self.idle_s)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ---- drawing -------------------------------------------------------------------------------
    def rebuild(self) -> None:
        if self.code_box is not None:
            self.typed_code = self.code_box.text
        super().rebuild()

    def build(self) -> list[Any]:
        return getattr(self, f"_build_{self.phase}")()

    def _error(self) -> list[Any]:
        if not self.error:
            return []
        return [KLabel(self.ctx, self.error, colour="error", bold=True, kid="resume-error")]

    def _build_code(self) -> list[Any]:
        ctx = self.ctx
        box = KInput(ctx, self.typed_code or self.code, kid="resume-code", layout="text")
        box.on_activate = self._activate
        box.bind(text=self._arm)
        self.code_box = box
        return [
            self.title(self.w("title")),
            KLabel(ctx, self.w("code"), bold=True, kid="label:resume-code"),
            KLabel(ctx, self.w("code_hint"), colour="muted_text", kid="hint:resume-code"),
            *self._error(),
            box,
            KButton(ctx, self.w("continue"), self.take_code, kid="resume-next"),
            KButton(ctx, self.w("cancel"), self.leave, primary=False, kid="resume-cancel"),
        ]

    def _build_factor(self) -> list[Any]:
        ctx = self.ctx
        self.code_box = None
        parts: list[Any] = [
            self.title(self.w("title")),
            KLabel(ctx, self.w("for_code", code=self.code), colour="muted_text", kid="resume-for"),
            KLabel(ctx, self.w("which"), bold=True, kid="label:factor-kind"),
        ]
        group = f"resume-factor-{id(self)}"
        for kind in FACTORS:
            toggle = KToggle(ctx, self.w(kind), group, kid=f"factor:{kind}",
                             state="down" if kind == self.kind else "normal")  # fmt: skip
            toggle.bind(on_release=lambda _w, k=kind: self.choose(k))
            parts.append(toggle)
        parts += self._error()
        self.factor_box = None
        if self.kind is not None:
            field = self._field(self.kind)
            self.factor_box = FieldWidget(ctx, field, None, None, self._activate, self._arm)
            parts.append(self.factor_box)
        parts += [
            KButton(ctx, self.w("open"), self.submit, kid="resume-open"),
            KButton(ctx, self.w("other_code"), self.other_code, primary=False,
                    kid="resume-other-code"),
        ]  # fmt: skip
        return parts

    def _build_busy(self) -> list[Any]:
        return [self.title(self.w("busy"))]

    def _field(self, kind: str) -> Field:
        label = {"dob": "dob_field", "phone_last3": "phone_field", "pin": "pin_field"}[kind]
        tr = self.ctx.translator
        text = Text(tr.gettext("en", WORDS[label]), tr.gettext("cy", WORDS[label]))
        if kind == "dob":
            return Field("resume_dob", FieldType.DATE, text)
        return Field(f"resume_{kind}", FieldType.PHONE, text)

    def _activate(self, field: KInput) -> None:
        self._arm()
        self.controller.activate_field(field)

    # ---- actions -------------------------------------------------------------------------------
    def take_code(self) -> None:
        self._arm()
        typed = self.code_box.text if self.code_box is not None else self.typed_code
        try:
            self.code = parse_resume_code(typed)
        except ResumeCodeError:
            self.typed_code = typed
            self._show_error(say("bad_code", self.ctx.lang))
            return
        self.controller.hide_keyboard()
        self.phase, self.error, self.typed_code = "factor", "", ""
        self.rebuild()

    def choose(self, kind: str) -> None:
        self._arm()
        self.controller.hide_keyboard()
        self.kind, self.error = kind, ""
        self.rebuild()

    def other_code(self) -> None:
        self._arm()
        self.controller.hide_keyboard()
        self.phase, self.kind, self.error, self.typed_code = "code", None, "", self.code
        self.rebuild()

    def factor_value(self) -> str | None:
        """What the citizen entered, in the shape central reads; None (with the error set) when
        it cannot be right — then nothing is sent and no try is used up."""
        if self.kind is None or self.factor_box is None:
            self.error = self.w("choose_first")
            return None
        raw = self.factor_box.value()
        if self.kind == "dob":
            parts = raw if isinstance(raw, dict) else {}
            day, month, year = (str(parts.get(p, "")).strip() for p in ("day", "month", "year"))
            if not (re.fullmatch(r"\d{1,2}", day) and re.fullmatch(r"\d{1,2}", month)
                    and re.fullmatch(r"\d{4}", year)):  # fmt: skip
                self.error = self.w("bad_dob")
                return None
            return f"{int(day):02d}/{int(month):02d}/{year}"
        digits = re.sub(r"\s", "", str(raw or ""))
        wanted, key = (
            (r"\d{3}", "bad_phone") if self.kind == "phone_last3" else (r"\d{4}", "bad_pin")
        )
        if not re.fullmatch(wanted, digits):
            self.error = self.w(key)
            return None
        return digits

    def submit(self) -> None:
        self._arm()
        self.controller.hide_keyboard()
        factor = self.factor_value()
        if factor is None:
            self._show_error(self.error)
            return
        code, lang, kind = self.code, self.ctx.lang, self.kind
        self.phase = "busy"
        self.rebuild()
        backend = self.controller.backend
        self.controller.workers.run(lambda: backend.resume(code, factor, lang),
                                    lambda found: self._resumed(found, kind),
                                    lambda _exc: self._failed(self.w("failed"), kind),
                                    name="resume")  # fmt: skip

    def _resumed(self, found: Any, kind: str | None) -> None:
        if self.phase != "busy":
            return  # left (or wiped) while central was answering
        if isinstance(found, str):
            self._failed(found, kind)
            return
        language = self.ctx.lang
        carried = getattr(found, "preferences", None)
        if carried:  # before the step is drawn: it opens in their language, size and colours
            language = restore(self.ctx.settings, carried, self.controller.languages) or language
        try:
            self.session.resume_case(found, language=language)
        except SessionError:
            self._failed(self.w("failed"), kind)
            return
        self._disarm()
        self.clear()  # the session moved on: the controller shows the case's step
        if carried:
            self.controller.refresh()  # the keyboard and the bar in the carried size too

    def _failed(self, sentence: str, kind: str | None) -> None:
        self.phase, self.kind = "factor", kind
        self._show_error(sentence)

    def _show_error(self, sentence: str) -> None:
        self.error = sentence
        self.rebuild()
        self.ctx.say(sentence)

    # ---- navigation ----------------------------------------------------------------------------
    def can_go_back(self) -> bool:
        return self.phase != "busy"

    def go_back(self) -> None:
        if self.phase == "factor":
            self.other_code()
        else:
            self.leave()


def attach(controller: Controller) -> ResumeScreen:
    """Register the screen with the controller (once); returns it."""
    screen = controller.screens.get(ResumeScreen.state_name)
    if not isinstance(screen, ResumeScreen):
        screen = ResumeScreen(controller.ctx, controller)
        controller.screens[screen.name] = screen
        controller.shell.manager.add_widget(screen)
    return screen


def start_from_scan(controller: Controller, payload: str) -> bool:
    """A scan at the kiosk (main thread): a slip's code opens this screen at the factor step,
    when nobody is in the middle of a journey. True when it did."""
    session = controller.session
    code = scan_starts_resume(payload, session.state, bool(session.answers()))
    if code is None:
        return False
    attach(controller).open(code)
    return True

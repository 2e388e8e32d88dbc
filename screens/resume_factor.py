"""Print a slip with a code to carry on later: what will protect it, then the slip.

Shown from the outcome screen's "Print" (the session stays on ``outcome``). The kiosk chooses the
second factor from the answers (``Backend.slip_factor``): the citizen's date of birth when the
service asked for it, else the last 3 digits of their phone number — the screen just says which
they will need — else a 4-digit PIN they type here on the numbers keyboard. Then
``Backend.print_slip`` runs on a worker thread, and the screen says honestly what happened: the
code works now (central made it), or it was saved on this kiosk and will work once sent; and any
printer trouble, in one sentence. The code is shown on screen too (the slip could jam).

The slip carries the person's language and accessibility settings (issue 19 item 6): they are
handed to the runtime for this case just before printing (``kiosk.runtime.resume.carry_on_slip``)
and come back when the slip is opened again at a kiosk (:mod:`screens.resume`).

With audio guidance on, each PIN digit typed is answered by "Digit entered, 3 of 4" (never the
digit: EN 301 549 5.1.3.8), and a refused PIN or a failure is read out as shown.

Not a session state: :func:`attach` registers it; :meth:`SlipFactorScreen.open` shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.runtime.resume import carry_on_slip, clean_factor
from kiosk.ui.i18n import N_
from kiosk.ui.preferences import carried
from screens.base import KioskScreen
from screens.speech_codes import digits_entered
from screens.widgets import KButton, KInput, KLabel

if TYPE_CHECKING:
    from screens.controller import Controller

__all__ = ["SlipFactorScreen", "attach"]

PIN_LENGTH = 4  # the slip's PIN (kiosk.runtime.resume.clean_factor takes 4 digits)

WORDS: dict[str, str] = {  # msgids of config/locales (English and Welsh there)
    "title": N_("Print a slip to carry on later"),
    "explain": N_(
        "Your slip will have a code. With it you can carry on at a kiosk or on our website. To use the code you will also need:"
    ),
    "dob": N_("your date of birth"),
    "phone_last3": N_("the last 3 digits of the phone number you gave"),
    "pin": N_("a PIN of 4 digits that you choose now. Do not use your bank card PIN."),
    "pin_field": N_("Choose a PIN (4 digits)"),
    "bad_pin": N_("Choose a PIN of 4 digits."),
    "print": N_("Print my slip"),
    "busy": N_("Printing…"),
    "your_code": N_("Your code is {code}"),
    "take": N_("Take your slip from the printer"),
    "continue": N_("Continue"),
    "failed": N_("Something went wrong. Please ask a member of staff."),
}


class SlipFactorScreen(KioskScreen):
    state_name = "resume_factor"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._reset()

    def _reset(self) -> None:
        self.phase = "choose"  # choose | busy | done
        self.kind = "pin"
        self.error = ""
        self.outcome: Any = None
        self.pin_box: KInput | None = None
        self.pin_count = 0

    def place(self) -> object:
        return self.phase

    def w(self, key: str, **values: object) -> str:
        return self.ctx.t(WORDS[key], **values)

    def open(self) -> None:
        """Show the screen for the controller's submission (on the outcome screen's "Print")."""
        self._reset()
        c = self.controller
        try:
            self.kind = c.backend.slip_factor(c.submission)
        except Exception:  # noqa: BLE001 - an unknown factor means: ask for a PIN
            self.kind = "pin"
        c.hide_keyboard()
        c.shell.manager.current = self.name
        self.rebuild()
        c.bar.build()
        self.ctx.say(self.spoken)

    def clear(self) -> None:
        self._reset()
        super().clear()

    # ---- drawing -------------------------------------------------------------------------------
    def build(self) -> list[Any]:
        return getattr(self, f"_build_{self.phase}")()

    def _build_choose(self) -> list[Any]:
        ctx = self.ctx
        parts: list[Any] = [
            self.title(self.w("title")),
            KLabel(ctx, self.w("explain"), kid="slip-explain"),
            KLabel(ctx, self.w(self.kind), bold=True, kid=f"slip-factor:{self.kind}"),
        ]
        if self.error:
            parts.append(KLabel(ctx, self.error, colour="error", bold=True, kid="slip-error"))
        self.pin_box, self.pin_count = None, 0
        if self.kind == "pin":
            parts.append(KLabel(ctx, self.w("pin_field"), bold=True, kid="label:slip-pin"))
            self.pin_box = KInput(ctx, "", kid="slip-pin", layout="numeric", password=True)
            self.pin_box.on_activate = self.controller.activate_field
            self.pin_box.bind(text=self._pin_typed)
            parts.append(self.pin_box)
        parts.append(KButton(ctx, self.w("print"), self.print_slip, kid="slip:print"))
        return parts

    def _pin_typed(self, box: KInput, text: str) -> None:
        """A digit typed or deleted: how many there are, never which (4 is the PIN's length)."""
        before, self.pin_count = self.pin_count, len(text)
        if len(text) != before:
            self.ctx.say(digits_entered(len(text), PIN_LENGTH, self.ctx.t,
                                        deleted=len(text) < before))  # fmt: skip

    def _build_busy(self) -> list[Any]:
        return [self.title(self.w("busy"))]

    def _build_done(self) -> list[Any]:
        ctx, out = self.ctx, self.outcome
        parts: list[Any] = [self.title(out.message or self.w("take"))]
        if out.code:
            parts.append(KLabel(ctx, self.w("your_code", code=out.code), size=ctx.heading,
                                bold=True, kid="slip-code"))  # fmt: skip
        if out.notice:
            parts.append(KLabel(ctx, out.notice, kid="slip-notice"))
        parts.append(KButton(ctx, self.w("continue"), self.finish, kid="slip:continue"))
        return parts

    # ---- actions -------------------------------------------------------------------------------
    def print_slip(self) -> None:
        c = self.controller
        c.hide_keyboard()
        pin: str | None = None
        if self.kind == "pin":
            pin = clean_factor("pin", self.pin_box.text if self.pin_box is not None else "")
            if pin is None:
                self._problem(self.w("bad_pin"))
                return
        submission, result = c.submission, c.result
        case_id = getattr(result, "case_id", None)
        if case_id:
            carry_on_slip(c.backend, str(case_id), carried(self.ctx.settings, self.ctx.lang))
        self.phase, self.error = "busy", ""
        self.rebuild()
        c.workers.run(lambda: c.backend.print_slip(submission, result, pin), self._printed,
                      lambda _exc: self._problem(self.w("failed")), name="print_slip")  # fmt: skip

    def _printed(self, outcome: Any) -> None:
        if self.phase != "busy":
            return
        if outcome.code is None:  # nothing printed (e.g. a PIN central would not take)
            self._problem(outcome.message or self.w("failed"))
            return
        self.phase, self.outcome = "done", outcome
        self.rebuild()
        self.ctx.say(" ".join(p for p in (self.spoken, outcome.notice) if p))

    def _problem(self, sentence: str) -> None:
        self.phase, self.error = "choose", sentence
        self.rebuild()
        self.ctx.say(sentence)

    def finish(self) -> None:
        """On to feedback (the session records that the citizen left with a printed slip)."""
        self.controller.choose_outcome("print")

    # ---- navigation ----------------------------------------------------------------------------
    def can_go_back(self) -> bool:
        return self.phase == "choose"

    def go_back(self) -> None:
        """Back to the outcome's options, nothing printed."""
        self.controller.hide_keyboard()
        self.clear()
        self.controller.show(self.session.state)


def attach(controller: Controller) -> SlipFactorScreen:
    """Register the screen with the controller (once); returns it."""
    screen = controller.screens.get(SlipFactorScreen.state_name)
    if not isinstance(screen, SlipFactorScreen):
        screen = SlipFactorScreen(controller.ctx, controller)
        controller.screens[screen.name] = screen
        controller.shell.manager.add_widget(screen)
    return screen

"""The badge PIN pad: a modal numeric keypad over whatever screen is showing.

Digits are masked as they are typed (one dot each; the digits themselves are never in any widget's
text), every key is at least ``ctx.target`` (≥ 9 mm) on each side, and Cancel is always there.
The pad does not judge the PIN: it hands it to ``on_submit`` and shows the sentence it is told
(wrong PIN, badge locked). While a badge is locked the digit keys are disabled.

It is an :class:`screens.overlays.Overlay`, so it covers the screen and catches every touch: a
citizen's screen underneath cannot be touched while a member of staff types their PIN.

With audio guidance on, each key is answered by how many digits are typed ("Digit entered, 3 so
far"), never the digit (EN 301 549 5.1.3.8); "Checking…" and the sentence it is told are read too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from screens.context import UiContext
from screens.overlays import Overlay
from screens.speech_codes import digits_entered
from screens.widgets import KButton, KLabel, Row

__all__ = ["MASK", "MAX_DIGITS", "PinPad"]

MAX_DIGITS = 8
MASK = "\u2022"  # bullet, one per digit typed
KEY_ROWS = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"))


class PinPad(Overlay):
    def __init__(
        self,
        ctx: UiContext,
        on_submit: Callable[[str], None],
        on_cancel: Callable[[], None],
        on_key: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(ctx, "pin-pad")
        self.on_submit = on_submit
        self.on_cancel = on_cancel
        self.on_key = on_key
        self.role = "staff"
        self.message = ""
        self.locked = False
        self.busy = False
        self._digits = ""
        self.display = KLabel(ctx, "", kid="pin-display")

    # ---- state ---------------------------------------------------------------------------------
    @property
    def entered(self) -> int:
        """How many digits are typed (the digits themselves stay private)."""
        return len(self._digits)

    def open(self, role: str, message: str = "", locked: bool = False) -> None:
        """A fresh pad for a badge of ``role`` ("staff" or "technician")."""
        self.role, self.message, self.locked, self.busy = role, message, locked, False
        self._digits = ""
        self.build()

    def forget(self) -> None:
        """Drop the digits and every widget (cancel, wipe, success)."""
        self._digits = ""
        self.message = ""
        self.clear_widgets()

    def tell(self, message: str, locked: bool = False) -> None:
        """Show a sentence (wrong PIN, locked) with an empty entry."""
        self._digits = ""
        self.message, self.locked, self.busy = message, locked, False
        self.build()
        self.ctx.say(message)

    # ---- keys ----------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        if self.locked or self.busy:
            return
        before = len(self._digits)
        if key.isdigit() and len(self._digits) < MAX_DIGITS:
            self._digits += key
        elif key == "delete":
            self._digits = self._digits[:-1]
        self._show_entry()
        if len(self._digits) != before:
            self.ctx.say(digits_entered(len(self._digits), None, self.ctx.t,
                                        deleted=key == "delete"))  # fmt: skip
        if self.on_key is not None:
            self.on_key()

    def submit(self) -> None:
        if self.locked or self.busy or not self._digits:
            return
        pin, self._digits = self._digits, ""
        self.busy = True
        self.message = self.ctx.t("Checking…")
        self.build()
        self.ctx.say(self.message)
        self.on_submit(pin)

    def cancel(self) -> None:
        self.forget()
        self.on_cancel()

    # ---- drawing -------------------------------------------------------------------------------
    def _show_entry(self) -> None:
        self.display.text = " ".join(MASK * len(self._digits)) or " "

    def build(self) -> None:
        ctx = self.ctx
        _ = ctx.t
        heading = _("Technician sign-in") if self.role == "technician" else _("Staff sign-in")
        parts: list[Any] = [
            KLabel(ctx, heading, size=ctx.heading, bold=True, kid="pin-title"),
            KLabel(ctx, _("Enter your PIN"), kid="pin-prompt"),
        ]
        self.display = KLabel(ctx, "", size=ctx.heading, bold=True, halign="center",
                              kid="pin-display")  # fmt: skip
        self._show_entry()
        parts.append(self.display)
        if self.message:
            parts.append(KLabel(ctx, self.message, colour="error", bold=True, kid="pin-message"))
        for keys in KEY_ROWS:
            parts.append(Row(ctx, *(self._key(k) for k in keys)))
        delete = KButton(ctx, _("Delete"), lambda: self.press("delete"), primary=False,
                         kid="pin-delete")  # fmt: skip
        enter = KButton(ctx, _("Enter"), self.submit, kid="pin-enter")
        parts.append(Row(ctx, delete, self._key("0"), enter))
        parts.append(KButton(ctx, _("Cancel"), self.cancel, primary=False, kid="pin-cancel"))
        for widget in (delete, enter, *[w for row in parts if isinstance(row, Row)
                                        for w in row.children]):  # fmt: skip
            widget.disabled = self.locked or self.busy
        self.fill(parts)

    def _key(self, digit: str) -> KButton:
        return KButton(self.ctx, digit, lambda: self.press(digit), primary=False,
                       size=self.ctx.heading, kid=f"pin-key:{digit}")  # fmt: skip

"""After sending: the reference, and the ways on — phone, print, ask staff. Never a dead end.

Phone: central gives a QR (the link's secret is after '#') and a display code; the kiosk polls
(worker thread) until a phone claims it, then asks "is this your phone?" with Confirm and Decline
side by side and of equal weight. Declining voids the claim and returns to the options. When
central cannot be reached the screen says so and the other ways stay open.

Audio guidance (issue 19 item 4): a view that changes without a new screen (the phone's code,
"Printing…", printed or failed, staff told, a code expired) is read out as soon as it is shown,
like a new screen. The QR code is read as what it is, with the address and code to type spelled a
character at a time (:mod:`screens.speech_codes`). "Read my receipt" (shown while audio guidance
is on, when the backend has ``receipt_speech``) reads the receipt's own document, built by the
runtime as the printer's is; a backend that cannot make it leaves the button out.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.image import Image

from kiosk.runtime.phone import TYPED_FALLBACK, typed_fallback
from screens.base import KioskScreen
from screens.qr import qr_texture
from screens.speech_codes import QR_CODE, spell, typed_fallback_spoken
from screens.widgets import KButton, KLabel, Row

__all__ = ["OutcomeScreen"]


class OutcomeScreen(KioskScreen):
    state_name = "outcome"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.enter()

    def enter(self) -> None:
        self.view = "options"
        self.note = ""
        self.message = ""
        self.offer: Any = None
        self.kind = ""

    def clear(self) -> None:
        self.enter()
        super().clear()

    def place(self) -> object:
        return self.view

    def show(self, view: str, **kw: Any) -> None:
        self.view = view
        for key, value in kw.items():
            setattr(self, key, value)
        self.rebuild()
        if self.controller.current is self:
            self.controller.guide.read_screen(self)  # a changed view is heard like a new screen

    # ---- drawing -------------------------------------------------------------------------------
    def build(self) -> list[Any]:
        draft = self.session.draft
        if self.view == "options" and draft is not None and draft.submission.help:
            return self._build_helped()
        return getattr(self, f"_build_{self.view.replace('-', '_')}")()

    def _build_helped(self) -> list[Any]:
        """Help asked before sending: the case is in the staff queue with the answers so far."""
        ctx = self.ctx
        _ = ctx.t
        return [
            self.title(_("Your application is with our staff")),
            *self._reference(),
            KLabel(ctx, _("What happens next"), size=ctx.heading, bold=True, kid="next-heading"),
            KLabel(ctx, _("A member of staff has been told and will come to help you. They will "
                          "see everything you have answered so far. If you have to leave, take "
                          "your reference with you."), kid="next-steps"),
            KButton(ctx, _("Finish"), lambda: self.controller.choose_outcome("staff"),
                    kid="outcome:finish"),
        ]  # fmt: skip

    def _reference(self) -> list[Any]:
        ctx, c = self.ctx, self.controller
        _ = ctx.t
        result = c.result
        if result is None:
            return []
        parts = [KLabel(ctx, _("Your reference is {reference}", reference=result.reference),
                        size=ctx.heading, bold=True, kid="reference")]  # fmt: skip
        parts.append(
            KLabel(
                ctx,
                _("Sent")
                if result.sent
                else _("Saved on this kiosk — it will be sent when the connection returns"),
                kid="sent",
            )
        )
        return parts

    def _build_options(self) -> list[Any]:
        ctx, s = self.ctx, self.session
        _ = ctx.t
        sent = self.controller.result is None or self.controller.result.sent
        heading = _("Your application has been sent") if sent else _("Your application is saved")
        parts: list[Any] = [self.title(heading), *self._reference()]
        if s.service is not None and s.service.next_steps is not None:
            parts.append(KLabel(ctx, _("What happens next"), size=ctx.heading, bold=True,
                                kid="next-heading"))  # fmt: skip
            parts.append(KLabel(ctx, s.service.next_steps.get(ctx.lang), kid="next-steps"))
        parts.append(KLabel(ctx, _("If you want to, you can also:"), bold=True, kid="more"))
        if self.note:
            parts.append(KLabel(ctx, self.note, colour="error", bold=True, kid="note"))
        labels = {"phone": _("Continue on your phone"), "print": _("Print"),
                  "staff": _("Ask a member of staff")}  # fmt: skip
        actions = {"phone": self.phone, "print": self.print, "staff": self.staff}
        for option in s.outcome_options():
            parts.append(KButton(ctx, labels[option.value], actions[option.value],
                                 primary=False, kid=f"outcome:{option.value}"))  # fmt: skip
        if ctx.settings.audio and callable(
            getattr(self.controller.backend, "receipt_speech", None)
        ):
            parts.append(KButton(ctx, _("Read my receipt"), self.controller.read_receipt,
                                 primary=False, kid="outcome:read-receipt"))  # fmt: skip
        parts.append(KButton(ctx, _("Finish"), self.finish, kid="outcome:finish"))
        return parts

    def finish(self) -> None:
        self.controller.stop_polling()
        self.session.finish()

    def _build_busy(self) -> list[Any]:
        _ = self.ctx.t
        text = _("Printing…") if self.kind == "print" else _("Please wait")
        return [self.title(text), *self._reference()]

    def _build_phone(self) -> list[Any]:
        ctx, offer = self.ctx, self.offer
        _ = ctx.t
        side = min(ctx.geometry.mm_to_px(60), 420)
        holder = AnchorLayout(size_hint_y=None, height=side)
        image = Image(texture=qr_texture(offer.url), size_hint=(None, None), size=(side, side),
                      fit_mode="contain")  # fmt: skip
        image.kid = "qr"
        image.spoken = _(QR_CODE) + "."  # read and touched as what it is (5.1.3.6)
        holder.add_widget(image)
        typed = KLabel(ctx, typed_fallback(offer, ctx.t), kid="typed-fallback")
        typed.spoken = typed_fallback_spoken(_(TYPED_FALLBACK), offer.address, offer.display_code,
                                             ctx.t) + "."  # fmt: skip
        return [
            self.title(_("Continue on your phone")),
            KLabel(ctx, _("Scan this code with your phone camera")),
            holder,
            typed,
            self._code(offer.display_code),
            KButton(ctx, _("Cancel"), self.cancel_phone, primary=False, kid="phone:cancel"),
        ]  # fmt: skip

    def _build_claimed(self) -> list[Any]:
        ctx, offer = self.ctx, self.offer
        _ = ctx.t
        return [
            self.title(_("A phone has opened your case")),
            KLabel(ctx, _("Is this you? Only confirm if you scanned this code")),
            self._code(offer.display_code),
            Row(ctx,
                KButton(ctx, _("Confirm"), lambda: self.answer_phone(True), kid="phone:confirm"),
                KButton(ctx, _("Decline"), lambda: self.answer_phone(False), kid="phone:decline")),
        ]  # fmt: skip

    def _code(self, code: str) -> KLabel:
        """The phone's display code, large; spoken a character at a time."""
        ctx = self.ctx
        label = KLabel(ctx, code, size=ctx.heading * 2, bold=True, halign="center",
                       kid="display-code")  # fmt: skip
        label.spoken = spell(code) + "."
        return label

    def _build_result(self) -> list[Any]:
        ctx = self.ctx
        _ = ctx.t
        return [
            self.title(self.message),
            *self._reference(),
            KButton(ctx, _("Continue"), lambda: self.controller.choose_outcome(self.kind),
                    kid="outcome:continue"),
        ]  # fmt: skip

    # ---- the ways on ---------------------------------------------------------------------------
    def phone(self) -> None:
        self.show("busy", kind="phone", note="")
        self.controller.start_phone(self._offer_ready)

    def _offer_ready(self, offer: Any) -> None:
        if offer is None:
            self.show("options", note=self.ctx.t(
                "Continuing on your phone is not available just now. You can print your "
                "reference or ask a member of staff."))  # fmt: skip
            return
        self.show("phone", offer=offer)
        self.controller.poll_phone(offer.handoff_id, self._phone_status)

    def _phone_status(self, status: str) -> None:
        if self.view != "phone":
            return
        if status == "claimed":
            self.show("claimed")
        elif status in ("expired", "declined", "confirmed"):
            self.show("options", offer=None, note=self.ctx.t("The code has expired."))

    def cancel_phone(self) -> None:
        self.controller.stop_polling()
        self.show("options", offer=None)

    def answer_phone(self, accept: bool) -> None:
        offer = self.offer
        self.controller.answer_phone(offer.handoff_id, accept)
        if accept:
            self.controller.choose_outcome("phone")
        else:
            self.show(
                "options",
                offer=None,
                note=self.ctx.t(
                    "That phone cannot see your case. Only continue on a phone that is yours."
                ),
            )

    def print(self) -> None:
        if callable(getattr(self.controller.backend, "print_slip", None)):
            from screens.resume_factor import attach

            attach(self.controller).open()  # the slip with a resume code and its second factor
            return
        self.show("busy", kind="print", note="")
        self.controller.print_receipt(lambda msg: self._done("print", msg))

    def staff(self) -> None:
        self.show("busy", kind="staff", note="")
        self.controller.ask_staff(lambda msg: self._done("staff", msg))

    def _done(self, kind: str, problem: str | None) -> None:
        _ = self.ctx.t
        ok = {"print": _("Take your slip from the printer"),
              "staff": _("A member of staff has been told and will come to help you")}  # fmt: skip
        self.show("result", kind=kind, message=problem or ok[kind])

    # ---- navigation ----------------------------------------------------------------------------
    def can_go_back(self) -> bool:
        return self.view in ("phone", "claimed")

    def go_back(self) -> None:
        if self.view == "claimed":
            self.answer_phone(False)
        else:
            self.cancel_phone()

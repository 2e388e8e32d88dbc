"""What the screens need from the kiosk runtime: the Backend Protocol.

:meth:`kiosk.runtime.app.KioskRuntime.backend` returns an object with these methods; the tests
use a fake with the same shape. Every method may block (network, printer), so the screens call
them on a worker thread (:mod:`screens.workers`) and never from the Kivy main loop.

Failures are answers, not exceptions, wherever the citizen must be told something:

* :meth:`Backend.start_phone_handoff` returns None when central cannot be reached: the outcome
  screen says so and offers the other ways on;
* :meth:`Backend.print_receipt` and :meth:`Backend.ask_staff` return None when all went well,
  else one sentence for the citizen (from the printer fault's action hint, in their language).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from kiosk.session import Submission

__all__ = ["Backend", "PhoneOfferLike", "SlipBackend", "SubmitResultLike"]


class SubmitResultLike(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def case_id(self) -> str: ...
    @property
    def sent(self) -> bool:
        """False: stored on the kiosk, central will get it when the link is back."""
        ...


class PhoneOfferLike(Protocol):
    @property
    def handoff_id(self) -> str: ...
    @property
    def display_code(self) -> str: ...
    @property
    def url(self) -> str:
        """For the QR code only (the secret is after '#'); never shown as text, never logged."""
        ...

    @property
    def expires_in(self) -> int: ...


@runtime_checkable
class Backend(Protocol):
    def submit(self, submission: Submission) -> SubmitResultLike: ...

    def start_phone_handoff(self, case_id: str) -> PhoneOfferLike | None: ...

    def phone_status(self, handoff_id: str) -> str:
        """ "pending", "claimed", "confirmed", "declined" or "expired"."""
        ...

    def confirm_phone(self, handoff_id: str, accept: bool) -> None: ...

    def print_receipt(self, submission: Submission, result: Any) -> str | None: ...

    def ask_staff(self, submission: Submission, result: Any) -> str | None: ...

    def status(self) -> dict[str, Any]: ...


class SlipBackend(Protocol):
    """Optional: a backend with these methods prints slips with a resume code (the outcome's
    "Print" then asks for the second factor first) and resumes cases at the kiosk
    (:mod:`screens.resume`). :class:`kiosk.runtime.app.KioskRuntime` has them."""

    def slip_factor(self, submission: Submission) -> str:
        """ "dob", "phone_last3" or "pin": what will protect the slip's code."""
        ...

    def print_slip(self, submission: Submission, result: Any, pin: str | None = None) -> Any: ...

    def resume(self, code: str, factor: str, language: str = "en") -> Any:
        """The resumed case, or one sentence for the citizen (wrong factor, expired, offline…)."""
        ...

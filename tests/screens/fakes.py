"""Collaborators for the screen tests: a backend and a speaker that record what they were asked."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from kiosk.runtime.phone import PhoneOffer


@dataclass(frozen=True)
class Result:
    reference: str
    case_id: str
    sent: bool = True


@dataclass
class FakeBackend:
    sent: bool = True
    phone_available: bool = True
    phone_state: str = "pending"
    print_problem: str | None = None
    submissions: list[Any] = field(default_factory=list)
    phone_answers: list[tuple[str, bool]] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    hold_submit: bool = False

    def submit(self, submission: Any) -> Result:
        if self.hold_submit:
            self.release.wait(10)
        self.submissions.append(submission)
        return Result("DEMOOFFICE-7K3M-9", "case-1", self.sent)

    def start_phone_handoff(self, case_id: str) -> PhoneOffer | None:
        if not self.phone_available:
            return None
        return PhoneOffer("handoff-1", "BCDF-GHJK",
                          "http://central.test/continue#secret-part", 600)  # fmt: skip

    def phone_status(self, handoff_id: str) -> str:
        return self.phone_state

    def confirm_phone(self, handoff_id: str, accept: bool) -> None:
        self.phone_answers.append((handoff_id, accept))

    def print_receipt(self, submission: Any, result: Any) -> str | None:
        self.printed.append(result.reference)
        return self.print_problem

    def ask_staff(self, submission: Any, result: Any) -> str | None:
        self.staff.append(result.reference)
        return None

    def status(self) -> dict[str, Any]:
        return {}

    feedback: list[Any] = field(default_factory=list)

    def record_feedback(self, feedback: Any) -> None:
        self.feedback.append(feedback)


class RecordingSpeaker:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.volume = 60
        self.resets = 0

    @property
    def available(self) -> bool:
        return True

    def say(self, text: str, lang: str = "en") -> bool:
        self.said.append((text, lang))
        return True

    def stop(self) -> None:
        pass

    def reset(self) -> None:
        self.resets += 1
        self.volume = 60

"""From a session's submission to a case the citizen can rely on — online or not.

The kiosk makes the case id (UUID) and the human reference itself (``catalogue.references``, the
format central uses), writes the case to the outbox in one transaction and wakes the relay. So the
citizen leaves with a reference whether or not central answered; the screen then says honestly
which it was (:meth:`CaseDesk.wait_sent`): "sent" or "saved on this kiosk, it will be sent".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalogue.references import make_reference
from kiosk.outbox import Outbox, Relay
from kiosk.session import SessionKind, Submission

__all__ = ["CaseDesk", "SubmittedCase"]


@dataclass(frozen=True)
class SubmittedCase:
    case_id: str
    reference: str
    language: str


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class CaseDesk:
    def __init__(
        self,
        outbox: Outbox,
        relay: Relay | None,
        office_code: str,
        *,
        now_iso: Callable[[], str] = _now_iso,
    ) -> None:
        self.outbox = outbox
        self.relay = relay
        self.office_code = office_code
        self.now_iso = now_iso

    def _event(self, kind: str, submission: Submission, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "event_id": str(uuid.uuid4()),
            "type": kind,
            "occurred_at": self.now_iso(),
            "payload": payload,
            **self._actor(submission),
        }

    @staticmethod
    def _actor(submission: Submission) -> dict[str, Any]:
        if submission.kind is SessionKind.ASSISTED:
            return {"channel": "assisted", "actor_type": "staff", "actor_id": submission.staff_id}
        return {"channel": "kiosk", "actor_type": "citizen"}

    def submit(self, submission: Submission) -> SubmittedCase:
        """Store the case (create + "submitted") in the outbox and wake the relay."""
        case_id = str(uuid.uuid4())
        reference = make_reference(self.office_code)
        body: dict[str, Any] = {
            "id": case_id,
            "service_id": submission.service_id,
            "answers": submission.answers,
            "reference": reference,
            "occurred_at": self.now_iso(),
            **self._actor(submission),
        }
        self.outbox.submit_case(
            case_id=case_id,
            reference=reference,
            service_id=submission.service_id,
            language=submission.language,
            body=body,
            idempotency_key=f"create-{case_id}",
            events=[self._event("submitted", submission, {})],
        )
        self._wake()
        return SubmittedCase(case_id, reference, submission.language)

    def ask_staff(self, case: SubmittedCase, submission: Submission) -> None:
        """Put the case in the office's staff queue (sent when central can be reached)."""
        event = self._event("help_requested", submission, {})
        self.outbox.add_events(case.case_id, [event], status="waiting_for_staff")
        self._wake()

    def wait_sent(self, case_id: str, timeout_s: float) -> bool:
        """True once central has acknowledged the case's creation (within ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while True:
            local = self.outbox.local_case(case_id)
            if local is not None and local["status"] != "queued":
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()

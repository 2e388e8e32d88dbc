"""From a session's submission to a case the citizen can rely on — online or not.

The kiosk makes the case id (UUID) and the human reference itself (``catalogue.references``, the
format central uses), writes the case to the outbox in one transaction and wakes the relay. So the
citizen leaves with a reference whether or not central answered; the screen then says honestly
which it was (:meth:`CaseDesk.wait_sent`): "sent" or "saved on this kiosk, it will be sent".

A case continued from a slip (:class:`kiosk.session.resume.ResumedSubmission`) is not created
again: :meth:`CaseDesk.resubmit` adopts it locally and queues an ``answers_changed`` merge patch and
``submitted`` on the SAME case id, in order behind anything already queued for it. A slip code made
while offline goes into the outbox sealed (:meth:`CaseDesk.register_resume_code`); the relay
registers it at central after the case's earlier rows.
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
from kiosk.session import Feedback, SessionKind, Submission
from kiosk.session.resume import ResumedSubmission, answers_patch

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
        """Store the case (create + "submitted") in the outbox and wake the relay. A submission
        marked ``help`` ("I need help" before sending) is created with the answers so far and
        put in the office's staff queue (create + "help_requested") instead of being sent."""
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
            # the citizen's language, for the member of staff who picks the case up
            events=[
                self._event(_last_event(submission), submission, {"language": submission.language})
            ],
        )
        self._wake()
        return SubmittedCase(case_id, reference, submission.language)

    def ask_staff(self, case: SubmittedCase, submission: Submission) -> None:
        """Put the case in the office's staff queue (sent when central can be reached)."""
        event = self._event("help_requested", submission, {})
        self.outbox.add_events(case.case_id, [event], status="waiting_for_staff")
        self._wake()

    def give_feedback(self, case: SubmittedCase, feedback: Feedback) -> None:
        """The one feedback question (central.feedback's payload: score 1–5, the ending, an
        optional comment), in the case's history."""
        payload: dict[str, Any] = {"score": feedback.score, "ending": feedback.ending}
        if feedback.comment:
            payload["comment"] = feedback.comment
        event = {
            "event_id": str(uuid.uuid4()), "type": "feedback_given", "occurred_at": self.now_iso(),
            "payload": payload, "channel": "kiosk", "actor_type": "citizen",
        }  # fmt: skip
        self.outbox.add_events(case.case_id, [event])
        self._wake()

    def resubmit(self, submission: ResumedSubmission) -> SubmittedCase:
        """Continue the resumed case: its changed answers, then "submitted" — the same case."""
        events: list[dict[str, Any]] = []
        patch = answers_patch(submission.base_answers, submission.answers)
        if patch:
            events.append(self._event("answers_changed", submission, {"answers": patch}))
        events.append(self._event(_last_event(submission), submission, {}))
        # Central wants the version the patch is against (a 412 if the case changed meanwhile).
        version = submission.base_version if patch else 0
        self.outbox.adopt_case(
            case_id=submission.case_id,
            reference=submission.reference,
            service_id=submission.service_id,
            language=submission.language,
            events=events,
            if_match=f'"{version}"' if version else None,
        )
        self._wake()
        return SubmittedCase(submission.case_id, submission.reference, submission.language)

    def register_resume_code(self, case_id: str, code: str, kind: str, value: str) -> None:
        """Queue a kiosk-made slip code with its second factor (sealed in the outbox)."""
        body = {"code": code, "factor_kind": kind, "factor_value": value}
        self.outbox.add_resume_code(case_id, body)
        self._wake()

    def is_sent(self, case_id: str) -> bool:
        """Central has the case (its create was acknowledged, or it came from central)."""
        local = self.outbox.local_case(case_id)
        return local is not None and local["status"] != "queued"

    def wait_delivered(self, case_id: str, timeout_s: float) -> bool:
        """True once nothing of the case is left in the outbox (within ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while any(row["case_id"] == case_id for row in self.outbox.pending()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

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


def _last_event(submission: Submission) -> str:
    """What ends a submission's rows: "submitted", or "help_requested" when the citizen asked for
    help before sending (the case waits in the office's staff queue, answers so far)."""
    return "help_requested" if submission.help else "submitted"

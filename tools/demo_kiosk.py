"""The demo's citizen at the kiosk, played through the UI-free session core (kiosk.session), exactly
the calls the touchscreen screens make: start, language, service, each step, check, submit, outcome.

Submitting goes through the kiosk's own parts: the case (with a reference the kiosk makes) is written
to the encrypted outbox, and the relay delivers it to central with an Idempotency-Key — so the same
journey works with the network down. The handoff to the phone is asked of central through the
kiosk's client. The answers are fictional.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import qrcode

from catalogue.loader import load_catalogue_strict
from catalogue.references import normalise_office
from kiosk.config import KioskConfig
from kiosk.link import CentralClient
from kiosk.outbox import Outbox, Relay, RowCipher, outbox_path
from kiosk.runtime.cases import CaseDesk, SubmittedCase
from kiosk.session import Session, Submission

SERVICE = "change-of-address"


def demo_answers(today: date) -> list[dict[str, object]]:
    """One dict a step, as a citizen would type them (all fictional)."""
    return [
        {"full_name": "Ann Example", "ni_number": "AB123456C", "date_of_birth": "1980-04-02"},
        {
            "address_line_1": "1 Heol y Frenhines",
            "town": "Caerdydd",
            "postcode": "CF10 1AA",
            "date_moved": (today - timedelta(days=20)).isoformat(),
        },
        {"others_on_benefits": False},
        {"contact_by": "post"},
    ]


class KioskSide:
    """One kiosk: its session, and the runtime parts that carry a case to central."""

    def __init__(self, config: KioskConfig, central_url: str, token: str) -> None:
        self.config = config
        self.catalogue = load_catalogue_strict(config.catalogue_dir)
        self.session = Session.from_config(config, self.catalogue)
        self.client = CentralClient(central_url, token, timeout_s=3, retries=1)
        self.outbox = Outbox(outbox_path(config.data_dir), RowCipher(token, config.kiosk_id))
        self.relay = Relay(self.outbox, self.client, backoff_base_s=0.2, backoff_cap_s=1.0,
                           idle_poll_s=0.2)  # fmt: skip
        self.desk = CaseDesk(self.outbox, self.relay, normalise_office(config.office.id))
        self.relay.start()
        self.trace: list[str] = []

    def close(self) -> None:
        self.relay.stop()
        self.outbox.close()

    def citizen_fills_in(self, language: str) -> tuple[SubmittedCase, bool, Submission]:
        """attract → language → service → steps → check answers → submit → outcome.
        Returns the case and whether central acknowledged it within a few seconds."""
        s = self.session
        s.start()
        s.choose_language(language)
        s.choose_service(SERVICE)
        for values in demo_answers(date.today()):
            errors = s.answer(values)
            if errors:
                raise RuntimeError(f"the demo answers were refused: {sorted(errors)}")
            self.trace.append(f"answered a step → {s.state.value}")
        submission = s.confirm_answers()
        if submission is None:
            raise RuntimeError("check answers found a problem with the demo answers")
        case = self.desk.submit(submission)
        sent = self.desk.wait_sent(case.case_id, 5.0)
        s.submission_succeeded(case.reference, case.case_id)
        where = "sent to central" if sent else "saved on this kiosk (central unreachable)"
        self.trace.append(f"submitted: case {case.reference}, {where}")
        return case, sent, submission

    def offer_phone(self, case_id: str, out: Path) -> dict[str, Any]:
        """Ask central for a handoff; write the QR the kiosk shows (secret after '#')."""
        handoff = self.client.create_handoff(case_id)
        out.mkdir(parents=True, exist_ok=True)
        img = qrcode.make(handoff["verification_uri_complete"], box_size=8, border=4)
        img.save(out / "kiosk-handoff-qr.png")
        self.trace.append(f"handoff offered, display code {handoff['display_code']}")
        return handoff

    def handoff_status(self, handoff_id: str) -> str:
        return str(self.client.handoff_status(handoff_id).get("status"))

    def confirm_phone(self, handoff_id: str) -> None:
        self.client.confirm_handoff(handoff_id)
        self.session.choose_outcome("phone")
        self.trace.append("citizen confirmed on the kiosk that the phone is theirs")

    def finish(self, outcome: str | None = None) -> None:
        if outcome:
            self.session.choose_outcome(outcome)
        self.session.give_feedback(4, None)
        self.trace.append(f"feedback given → {self.session.state.value}")
        self.session.end()
        snap = self.session.snapshot()
        if snap["answers"] or snap["reference"]:
            raise RuntimeError("the session kept the previous person's data after the end")
        self.trace.append("session ended: nothing of the citizen is left on the kiosk")

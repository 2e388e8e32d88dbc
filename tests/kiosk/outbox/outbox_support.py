"""Builders for the outbox tests: a submission as the session makes it, an outbox + relay + desk."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from kiosk.link import CentralClient
from kiosk.outbox import Outbox, Relay, RowCipher
from kiosk.runtime.cases import CaseDesk
from kiosk.session import SessionKind, Submission

ANSWERS = {
    "full_name": "Ann Example",
    "ni_number": "AB123456C",
    "date_of_birth": "1980-04-02",
    "address_line_1": "1 High Street",
    "town": "Cardiff",
    "postcode": "CF10 1AA",
    "date_moved": (date.today() - timedelta(days=20)).isoformat(),
    "others_on_benefits": False,
    "contact_by": "post",
}


def submission(kind: SessionKind = SessionKind.CITIZEN, staff_id: str | None = None) -> Submission:
    return Submission("change-of-address", "en", kind, staff_id, dict(ANSWERS), ())


def kiosk_parts(folder: Path, url: str, token: str, office: str = "DEMO", **relay_kw):
    client = CentralClient(url, token, timeout_s=3, retries=0)
    outbox = Outbox(folder / "outbox.sqlite3", RowCipher(token, "kiosk-test"))
    relay = Relay(outbox, client, **({"backoff_base_s": 0.05, "backoff_cap_s": 0.3,
                                      "idle_poll_s": 0.05} | relay_kw))  # fmt: skip
    return outbox, relay, CaseDesk(outbox, relay, office)

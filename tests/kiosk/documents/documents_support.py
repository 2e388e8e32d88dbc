"""Shared data and helpers of the document tests (imported as a plain module)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from catalogue.model import Text

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "documents"

# Personal answers that must never reach paper: a name, an NI number, a date of birth, an address.
PII = {
    "full_name": "Gwenllian Prydderch",
    "ni_number": "QQ123456C",
    "date_of_birth": "1985-03-27",
    "address_line_1": "12 Heol y Frenhines",
    "postcode": "CF10 2BH",
}
PII_FORMS = [*PII.values(), "QQ 12 34 56 C", "Prydderch", "Frenhines", "CF10"]

OFFICE = Text(en="Tower House Jobcentre", cy="Canolfan Waith Tŵr y Dref")


@dataclass(frozen=True)
class FakeSubmission:
    """The shape of kiosk.session.drafts.Submission that documents read."""

    service_id: str
    language: str
    answers: dict[str, object] = field(default_factory=dict)


def flat(text: str) -> str:
    """Whitespace-insensitive form (wrapped lines joined), for 'this sentence is printed'."""
    return " ".join(text.split())

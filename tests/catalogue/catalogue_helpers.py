"""Helpers for the catalogue tests: a small valid catalogue as text, ready to break."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "services"

LIFE_EVENTS = """\
[[events]]
id = "moving-home"
title.en = "Moving home"
title.cy = "Symud tŷ"

[[events]]
id = "money-and-benefits"
title.en = "Money and benefits"
title.cy = "Arian a budd-daliadau"
"""

# Line numbers matter: tests assert them. Line 1 is `id = ...`.
GOOD = """\
id = "{id}"
life_events = ["moving-home"]
documents = ["receipt"]
channels = ["kiosk", "web"]
title.en = "Report a move"
title.cy = "Rhoi gwybod am symud"
summary.en = "Tell us your new address."
summary.cy = "Rhowch wybod i ni beth yw eich cyfeiriad newydd."
help.en = "You need your postcode."
help.cy = "Bydd angen eich cod post arnoch."

[[steps]]
id = "first"
title.en = "First"
title.cy = "Cyntaf"

[[steps.fields]]
id = "moved"
type = "yes_no"
label.en = "Have you moved?"
label.cy = "Ydych chi wedi symud?"
answers.yes.en = "Yes"
answers.yes.cy = "Ydw"
answers.no.en = "No"
answers.no.cy = "Nac ydw"

[[steps.fields]]
id = "postcode"
type = "postcode"
label.en = "Postcode"
label.cy = "Cod post"
show_if = {{ field = "moved", equals = true }}

[[steps]]
id = "second"
title.en = "Second"
title.cy = "Ail"

[[steps.fields]]
id = "how"
type = "choice"
label.en = "How?"
label.cy = "Sut?"

[[steps.fields.options]]
value = "post"
label.en = "By post"
label.cy = "Drwy’r post"

[[steps.fields.options]]
value = "email"
label.en = "By email"
label.cy = "Drwy e-bost"

[[steps.fields]]
id = "email"
type = "email"
label.en = "Email"
label.cy = "E-bost"
required = false
show_if = {{ field = "how", equals = "email" }}
"""


def good_service(service_id: str = "good") -> str:
    return GOOD.format(id=service_id)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle`` (tests name lines by text)."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")

"""Interface strings of the web channel in every catalogue language (English, Welsh): the citizen's
pages (claim, resume, steps, check, status), the web front door (home, services, start, office,
save, help), the phone's side of a staff handoff and the one feedback question. One table
(:mod:`central.web.strings`, re-exported here as ``STRINGS``), one lookup: ``t(lang, key, **fmt)``;
dates as people write them: :func:`long_date`.

Service texts come from the catalogue; these are the words around them.
"""

from __future__ import annotations

from datetime import date

from catalogue.model import LANGUAGES
from central.web.strings import STRINGS

DEFAULT_LANG = "en"

__all__ = ["DEFAULT_LANG", "STRINGS", "long_date", "pick_lang", "t"]


def pick_lang(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANG


def t(lang: str, key: str, **fmt: object) -> str:
    text = STRINGS[key].get(lang) or STRINGS[key][DEFAULT_LANG]
    return text.format(**fmt) if fmt else text


MONTHS = {
    "en": "January February March April May June July August September October November December",
    "cy": "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr",
}


def long_date(day: date, lang: str) -> str:
    """``1 January 2027`` / ``1 Ionawr 2027``."""
    months = MONTHS.get(lang, MONTHS["en"]).split()
    return f"{day.day} {months[day.month - 1]} {day.year}"

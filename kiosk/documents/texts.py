"""Every text the kiosk itself adds to a document, in English and Welsh.

The service's own words (title, next steps, field labels) come from the catalogue; these are the
frame around them. One table, so a translator reviews all of it in one place, and a test checks
that every key has both languages.
"""

from __future__ import annotations

from datetime import date

from catalogue.dates import MONTHS_CY, MONTHS_EN

__all__ = ["LANGUAGES", "TEXTS", "format_date", "t"]

LANGUAGES = ("en", "cy")

TEXTS: dict[str, dict[str, str]] = {
    "heading.receipt": {"en": "Receipt", "cy": "Derbynneb"},
    "heading.letter": {"en": "Confirmation of your request", "cy": "Cadarnhad o’ch cais"},
    "heading.staff_ticket": {"en": "Waiting for help", "cy": "Aros am help"},
    "heading.offline_slip": {"en": "Your request is saved", "cy": "Mae eich cais wedi’i gadw"},
    "label.reference": {"en": "Your reference", "cy": "Eich cyfeirnod"},
    "label.details": {"en": "Your request", "cy": "Eich cais"},
    "label.next_steps": {"en": "What happens next", "cy": "Beth sy’n digwydd nesaf"},
    "label.resume_code": {"en": "Code to carry on later", "cy": "Cod i barhau yn nes ymlaen"},
    "label.office": {"en": "Office", "cy": "Swyddfa"},
    "label.date": {"en": "Date", "cy": "Dyddiad"},
    "qr.reference": {
        "en": "Staff can scan this code to find your request.",
        "cy": "Gall staff sganio’r cod hwn i ddod o hyd i’ch cais.",
    },
    "qr.alt": {"en": "QR code", "cy": "Cod QR"},
    "qr.resume": {
        "en": "Scan this code with your phone to carry on.",
        "cy": "Sganiwch y cod hwn â’ch ffôn i barhau.",
    },
    "step.keep": {
        "en": "Keep this slip. Quote your reference if you contact us about this request.",
        "cy": "Cadwch y slip hwn. Rhowch eich cyfeirnod os byddwch yn cysylltu â ni ynglŷn â’r "
        "cais hwn.",
    },
    "step.staff": {
        "en": "Please take a seat. A member of staff will call your reference.",
        "cy": "Cymerwch sedd. Bydd aelod o staff yn galw eich cyfeirnod.",
    },
    "step.offline": {
        "en": "The kiosk could not reach our office system. Your request is saved on this kiosk "
        "and will be sent automatically.",
        "cy": "Nid oedd y ciosg yn gallu cysylltu â’n system. Mae eich cais wedi’i gadw ar y "
        "ciosg hwn a bydd yn cael ei anfon yn awtomatig.",
    },
    "step.resume": {
        "en": "To carry on later, scan the code or type it on our website, with the answer you "
        "chose at the kiosk.",
        "cy": "I barhau yn nes ymlaen, sganiwch y cod neu teipiwch ef ar ein gwefan, gyda’r ateb "
        "a ddewisoch wrth y ciosg.",
    },
    "footer": {
        "en": "Your reference alone does not give anyone access to your case.",
        "cy": "Nid yw eich cyfeirnod ar ei ben ei hun yn rhoi mynediad i’ch achos i neb.",
    },
}

MONTHS = {"en": MONTHS_EN, "cy": MONTHS_CY}


def t(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang``; KeyError for an unknown key (a programming error)."""
    return TEXTS[key][lang]


def format_date(day: date, lang: str) -> str:
    """``23 November 2026`` / ``23 Tachwedd 2026`` — no locale database needed on the kiosk."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"

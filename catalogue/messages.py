"""Bilingual error messages for citizens, in the GOV.UK style: say what to do, not what went wrong.

A field may carry its own message for a code (``errors.required.en`` in the TOML); otherwise the
generic one here is used. ``{min}``, ``{max}`` and ``{date}`` are filled in per language.
"""

from __future__ import annotations

from .model import Field, FieldType, Text

_REQUIRED: dict[FieldType, Text] = {
    FieldType.TEXT: Text("Enter an answer", "Rhowch ateb"),
    FieldType.NUMBER: Text("Enter a number", "Rhowch rif"),
    FieldType.DATE: Text("Enter a date", "Rhowch ddyddiad"),
    FieldType.CHOICE: Text("Select an option", "Dewiswch opsiwn"),
    FieldType.YES_NO: Text("Select ‘{yes}’ or ‘{no}’", "Dewiswch ‘{yes}’ neu ‘{no}’"),
    FieldType.PHONE: Text("Enter a phone number", "Rhowch rif ffôn"),
    FieldType.EMAIL: Text("Enter an email address", "Rhowch gyfeiriad e-bost"),
    FieldType.POSTCODE: Text("Enter a postcode", "Rhowch god post"),
    FieldType.NI_NUMBER: Text("Enter a National Insurance number", "Rhowch rif Yswiriant Gwladol"),
}

_GENERIC: dict[str, Text] = {
    "pattern": Text("Enter the answer in the correct format", "Rhowch yr ateb yn y fformat cywir"),
    "too_small": Text("Enter a number that is {min} or more", "Rhowch rif sy’n {min} neu fwy"),
    "too_large": Text("Enter a number that is {max} or less", "Rhowch rif sy’n {max} neu lai"),
    "too_short": Text("Enter at least {min} characters", "Rhowch o leiaf {min} nod"),
    "too_long": Text("Enter {max} characters or fewer", "Rhowch {max} nod neu lai"),
    "too_early": Text(
        "The date must be {date} or later", "Rhaid i’r dyddiad fod ar {date} neu ar ôl hynny"
    ),
    "too_late": Text(
        "The date must be {date} or earlier", "Rhaid i’r dyddiad fod ar {date} neu cyn hynny"
    ),
    "not_a_date": Text(
        "Enter a real date, for example 27 3 2026",
        "Rhowch ddyddiad go iawn, er enghraifft 27 3 2026",
    ),
    "not_a_number": Text(
        "Enter a number, using digits only, like 3",
        "Rhowch rif, gan ddefnyddio digidau yn unig, fel 3",
    ),
    "not_an_option": Text("Select one of the options", "Dewiswch un o’r opsiynau"),
    "invalid_postcode": Text(
        "Enter a real postcode, like CF10 3NQ", "Rhowch god post go iawn, fel CF10 3NQ"
    ),
    "invalid_ni_number": Text(
        "Enter a National Insurance number in the correct format, like AB 12 34 56 C",
        "Rhowch rif Yswiriant Gwladol yn y fformat cywir, fel AB 12 34 56 C",
    ),
    "invalid_email": Text(
        "Enter an email address in the correct format, like name@example.com",
        "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
    ),
    "invalid_phone": Text(
        "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        "Rhowch rif ffôn, fel 01632 960 001, 07700 900 982 neu +44 808 157 0192",
    ),
    "not_visible": Text(
        "This question does not apply to your answers",
        "Nid yw’r cwestiwn hwn yn berthnasol i’ch atebion",
    ),
    "unknown": Text(
        "This question is not part of this service",
        "Nid yw’r cwestiwn hwn yn rhan o’r gwasanaeth hwn",
    ),
}

CODES: frozenset[str] = frozenset({"required", *_GENERIC})
"""Every error code validation can raise (and so every code a field's ``errors`` table may use)."""


def message_for(field: Field | None, code: str, **values: tuple[str, str] | str) -> Text:
    """The citizen-facing message for ``code`` on ``field``.

    ``values`` fill placeholders: a plain string is used in both languages, an ``(en, cy)`` pair
    per language (dates in words).
    """
    text: Text | None = None
    if field is not None:
        text = field.error_text(code)
        if text is None and code == "pattern":
            text = field.pattern_error
        if text is None and code == "required":
            text = _REQUIRED[field.type]
        if field.type is FieldType.YES_NO:  # the question's own words, not a Welsh "Ie"
            yes, no = field.answer_words()
            values = {"yes": (yes.en, yes.cy), "no": (no.en, no.cy), **values}
    if text is None:
        text = _GENERIC.get(code, _GENERIC["pattern"])

    def fill(template: str, index: int) -> str:
        plain = {k: (v[index] if isinstance(v, tuple) else v) for k, v in values.items()}
        try:
            return template.format(**plain)
        except (KeyError, IndexError, ValueError):
            return template

    return Text(fill(text.en, 0), fill(text.cy, 1))

"""The service catalogue's data model: one definition of each service, read by every channel.

Everything here is immutable. The loader (:mod:`catalogue.loader`) builds these objects from
``config/services/*.toml``; validation of citizens' answers lives in :mod:`catalogue.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

LANGUAGES: tuple[str, ...] = ("en", "cy")
"""Languages every text in the catalogue must have (English and Welsh to start)."""


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes_no"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    NI_NUMBER = "ni_number"


class Channel(StrEnum):
    """Where a service may be started. ``staff`` covers both staff channels (a citizen at the
    counter, or on the phone line); ``counter`` or ``phone`` names just one of them."""

    KIOSK = "kiosk"
    WEB = "web"
    STAFF = "staff"
    COUNTER = "counter"
    PHONE = "phone"


class DocumentKind(StrEnum):
    RECEIPT = "receipt"
    LETTER = "letter"


@dataclass(frozen=True)
class Text:
    """A text in every catalogue language."""

    en: str
    cy: str

    def get(self, lang: str) -> str:
        return self.cy if lang == "cy" else self.en


YES = Text("Yes", "Ie")
NO = Text("No", "Na")
"""A yes/no field's words when it names none (the checker asks every Welsh question for its own)."""


@dataclass(frozen=True)
class Option:
    """One answer of a choice field."""

    value: str
    label: Text


@dataclass(frozen=True)
class ShowIf:
    """Show a step or field only when an earlier answer matches.

    ``field`` names an earlier field's id. The condition holds when the answer equals ``equals``
    (when given) or is one of ``one_of`` (when given).
    """

    field: str
    equals: str | bool | int | float | None = None
    one_of: tuple[str, ...] = ()

    def holds(self, answers: dict[str, object]) -> bool:
        if self.field not in answers:
            return False
        value = answers[self.field]
        if self.one_of:
            return str(value) in self.one_of
        return value == self.equals


@dataclass(frozen=True)
class Field:
    id: str
    type: FieldType
    label: Text
    hint: Text | None = None
    required: bool = True
    pattern: str | None = None
    """Regular expression the whole (normalised) answer must match; for text-like fields."""
    pattern_error: Text | None = None
    min: float | None = None
    """Numbers: smallest value. Text: shortest length."""
    max: float | None = None
    """Numbers: largest value. Text: longest length."""
    min_date: str | None = None
    """ISO date, or an offset from today: ``today``, ``-18y``, ``+90d``, ``-6m``."""
    max_date: str | None = None
    options: tuple[Option, ...] = ()
    show_if: ShowIf | None = None
    personal: bool = True
    """Personal data: never printed on a receipt beyond what the citizen needs, never logged."""
    errors: tuple[tuple[str, Text], ...] = ()
    """Error messages written for this field, by code (``required``, ``too_late``…); they replace
    the generic ones. A tuple of pairs rather than a dict so that the field stays hashable."""
    answers: tuple[Text, Text] | None = None
    """Yes/no fields: the words of the yes and the no answer. Welsh has no one word for either —
    the answer echoes the question's verb (*Oes / Nac oes*, *Ydw / Nac ydw*, *Hoffwn / Na
    hoffwn*) — so each yes/no question says its own (``answers.yes.cy``, ``answers.no.cy``)."""

    def answer_words(self) -> tuple[Text, Text]:
        """The (yes, no) words of a yes/no field, for every channel that shows or reads them."""
        return self.answers or (YES, NO)

    def yes_no_word(self, value: bool, lang: str) -> str:
        """How the yes/no answer ``value`` reads in ``lang``."""
        yes, no = self.answer_words()
        return (yes if value else no).get(lang)

    def error_text(self, code: str) -> Text | None:
        """The message staff wrote for ``code`` on this field, if any."""
        for key, text in self.errors:
            if key == code:
                return text
        return None


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    fields: tuple[Field, ...]
    show_if: ShowIf | None = None


@dataclass(frozen=True)
class Outcome:
    """An ending a citizen's answers can lead to before the service is sent, such as "not
    eligible": an outcome, not an error. As soon as ``when`` holds on the answers given so far,
    every channel stops asking and shows ``title`` and ``body`` instead of the next step
    (:func:`catalogue.outcomes.outcome_for`). ``when`` reads one answer, like a ``show_if``."""

    id: str
    when: ShowIf
    title: Text
    body: Text


@dataclass(frozen=True)
class LifeEvent:
    id: str
    title: Text


@dataclass(frozen=True)
class Service:
    id: str
    title: Text
    summary: Text
    help: Text
    life_events: tuple[str, ...]
    steps: tuple[Step, ...]
    documents: tuple[DocumentKind, ...] = ()
    channels: frozenset[Channel] = frozenset({Channel.KIOSK, Channel.WEB, Channel.STAFF})
    needs_staff: bool = False
    next_steps: Text | None = None
    outcomes: tuple[Outcome, ...] = ()
    """Endings before submission ("not eligible"), first match wins; see :class:`Outcome`."""
    source: str = ""
    """The file the service was loaded from (for error messages)."""

    def field(self, field_id: str) -> Field:
        for step in self.steps:
            for f in step.fields:
                if f.id == field_id:
                    return f
        raise KeyError(field_id)

    def all_fields(self) -> tuple[Field, ...]:
        return tuple(f for step in self.steps for f in step.fields)


@dataclass(frozen=True)
class Catalogue:
    services: dict[str, Service] = field(default_factory=dict)
    life_events: dict[str, LifeEvent] = field(default_factory=dict)

    def by_life_event(self, event_id: str) -> list[Service]:
        return [s for s in self.a_to_z() if event_id in s.life_events]

    def a_to_z(self, lang: str = "en") -> list[Service]:
        return sorted(self.services.values(), key=lambda s: s.title.get(lang).casefold())

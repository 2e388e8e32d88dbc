"""Builders shared by the session tests (no tests here): a small catalogue made in code.

The services are built from catalogue.model directly, so the session tests do not depend on the
exact content of config/services/*.toml.
"""

from __future__ import annotations

import dataclasses

from catalogue.model import (
    Catalogue,
    Channel,
    DocumentKind,
    Field,
    FieldType,
    LifeEvent,
    Option,
    Outcome,
    Service,
    ShowIf,
    Step,
    Text,
)
from kiosk.config import IdleConfig
from kiosk.session import Session
from tests.support.clocks import FakeClock


def t(en: str) -> Text:
    return Text(en, f"{en} (cy)")


def text_field(fid: str, required: bool = True) -> Field:
    return Field(fid, FieldType.TEXT, t(fid.replace("_", " ")), required=required)


YES_NO = (Option("yes", t("Yes")), Option("no", t("No")))

MOVE = Service(
    id="move-home",
    title=t("Tell us you moved"),
    summary=t("Report a new address"),
    help=t("Ask staff"),
    life_events=("moving",),
    documents=(DocumentKind.RECEIPT,),
    steps=(
        Step("who", t("Who"), (text_field("full_name"),)),
        Step(
            "abroad",
            t("Abroad"),
            (
                Field("moving_abroad", FieldType.CHOICE, t("Abroad?"), options=YES_NO),
                Field(
                    "abroad_since",
                    FieldType.TEXT,
                    t("Since when?"),
                    required=False,
                    show_if=ShowIf("moving_abroad", equals="yes"),
                ),
            ),
        ),
        Step(
            "new-address",
            t("New address"),
            (text_field("address_line"),),
            show_if=ShowIf("moving_abroad", equals="no"),
        ),
        Step(
            "country",
            t("Country"),
            (text_field("country"),),
            show_if=ShowIf("moving_abroad", equals="yes"),
        ),
        Step("contact", t("Contact"), (text_field("contact_note", required=False),)),
    ),
)

LETTER = Service(
    id="benefit-letter",
    title=t("A proof of benefit letter"),
    summary=t("Get a letter"),
    help=t("Ask staff"),
    life_events=("work",),
    documents=(DocumentKind.LETTER,),
    channels=frozenset({Channel.KIOSK, Channel.STAFF}),
    steps=(Step("ref", t("Reference"), (text_field("claim_ref"),)),),
)

STAFF_ONLY = Service(
    id="staff-only",
    title=t("Appeal"),
    summary=t("Appeal"),
    help=t("Ask staff"),
    life_events=("work", "appeals"),
    channels=frozenset({Channel.STAFF}),
    steps=(Step("s", t("S"), (text_field("x"),)),),
)

CATALOGUE = Catalogue(
    services={s.id: s for s in (MOVE, LETTER, STAFF_ONLY)},
    life_events={
        "moving": LifeEvent("moving", t("Moving home")),
        "work": LifeEvent("work", t("Looking for work")),
        "appeals": LifeEvent("appeals", t("Appeals")),
    },
)

IDLE = IdleConfig(warning_after_s=60, respond_s=30, goodbye_s=8)


def make_session(clock: FakeClock | None = None, **kwargs: object) -> tuple[Session, FakeClock]:
    clock = clock or FakeClock()
    kwargs.setdefault("idle", IDLE)
    return Session(CATALOGUE, clock=clock, **kwargs), clock  # type: ignore[arg-type]


def to_check_answers(
    session: Session, abroad: str = "no", name: str = "Ada Lovelace-Byron"
) -> None:
    """Drive a citizen session from attract to check answers."""
    session.start()
    session.choose_language("en")
    session.choose_service("move-home")
    assert session.answer({"full_name": name}) == {}
    assert session.answer({"moving_abroad": abroad}) == {}
    if abroad == "no":
        assert session.answer({"address_line": "12 Quarry Lane, Aberdare"}) == {}
    else:
        assert session.answer({"country": "Patagonia Norte"}) == {}
    assert session.answer({"contact_note": ""}) == {}


ENDING = Outcome(
    "not_eligible", ShowIf("full_name", equals="Nobody"), t("You cannot use this"), t("Because")
)
"""A catalogue outcome ("not eligible") for MOVE, met when the name given is 'Nobody'."""


def to_not_eligible(clock: FakeClock | None = None, **kwargs: object) -> tuple[Session, FakeClock]:
    """A citizen session standing in ``not_eligible`` (MOVE with :data:`ENDING`)."""
    clock = clock or FakeClock()
    kwargs.setdefault("idle", IDLE)
    services = {**CATALOGUE.services, MOVE.id: dataclasses.replace(MOVE, outcomes=(ENDING,))}
    catalogue = dataclasses.replace(CATALOGUE, services=services)
    session = Session(catalogue, clock=clock, **kwargs)  # type: ignore[arg-type]
    session.start()
    session.choose_language("en")
    session.choose_service(MOVE.id)
    assert session.answer({"full_name": "Nobody"}) == {}
    return session, clock

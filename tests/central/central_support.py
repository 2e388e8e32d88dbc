"""Test data for the central tests: a small catalogue built in code (no TOML files needed)."""

from __future__ import annotations

from catalogue.model import Catalogue, Field, FieldType, Option, Service, Step, Text
from catalogue.validation import validate_answers as VALIDATOR

__all__ = ["VALIDATOR", "make_test_catalogue"]


def _t(s: str) -> Text:
    return Text(en=s, cy=s)


def make_test_catalogue() -> Catalogue:
    """Two small services built in code, so these tests do not depend on config/services."""
    address = Service(
        id="change-of-address",
        title=_t("Report a change of address"),
        summary=_t("Tell us you moved"),
        help=_t("Ask at the desk"),
        life_events=("moving",),
        steps=(
            Step(
                id="where",
                title=_t("Where"),
                fields=(
                    Field(id="postcode", type=FieldType.POSTCODE, label=_t("Postcode")),
                    Field(
                        id="household",
                        type=FieldType.NUMBER,
                        label=_t("People"),
                        min=1,
                        max=20,
                    ),
                    Field(
                        id="contact",
                        type=FieldType.CHOICE,
                        label=_t("Contact"),
                        options=(Option("phone", _t("Phone")), Option("post", _t("Post"))),
                        required=False,
                    ),
                ),
            ),
        ),
    )
    letter = Service(
        id="proof-of-benefit",
        title=_t("Proof of benefit letter"),
        summary=_t("A letter"),
        help=_t("Ask"),
        life_events=("money",),
        steps=(
            Step(
                id="who",
                title=_t("Who"),
                fields=(Field(id="full_name", type=FieldType.TEXT, label=_t("Name"), max=80),),
            ),
        ),
    )
    return Catalogue(services={s.id: s for s in (address, letter)})

"""The services we ship load cleanly, are fully bilingual and behave as the issue asks."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date

import pytest
from catalogue_helpers import ROOT, SHIPPED

from catalogue.loader import load_catalogue
from catalogue.model import Channel, DocumentKind, FieldType, Service, Text
from catalogue.serialise import catalogue_to_dict, service_from_dict, service_to_dict
from catalogue.validation import validate_answers, visible_fields, visible_steps

TODAY = date(2026, 3, 15)


@pytest.fixture(scope="module")
def shipped() -> dict[str, Service]:
    catalogue, problems = load_catalogue(SHIPPED, today=TODAY)
    assert problems == [], "\n".join(map(str, problems))
    return catalogue.services


def test_at_least_three_services_over_several_life_events(shipped: dict[str, Service]) -> None:
    assert {"change-of-address", "book-jobcentre-appointment", "proof-of-benefit-letter"} <= set(
        shipped
    )
    catalogue, _ = load_catalogue(SHIPPED, today=TODAY)
    assert {"lost-job", "moving-home", "money-and-benefits"} <= set(catalogue.life_events)
    for event in catalogue.life_events:
        assert catalogue.by_life_event(event), f"life event {event} has no service"


def _texts(service: Service) -> list[Text]:
    texts = [service.title, service.summary, service.help]
    for step in service.steps:
        texts.append(step.title)
        for f in step.fields:
            texts += [f.label] + ([f.hint] if f.hint else []) + [o.label for o in f.options]
            texts += [t for _, t in f.errors]
    return texts


def test_every_text_is_translated_not_copied(shipped: dict[str, Service]) -> None:
    for service in shipped.values():
        for text in _texts(service):
            assert text.en.strip() and text.cy.strip()
            # Welsh identical to English would be a missed translation (except bare codes).
            if any(c.isalpha() for c in text.en) and len(text.en) > 12:
                assert text.en != text.cy, f"{service.id}: untranslated {text.en!r}"


def test_change_of_address_rules(shipped: dict[str, Service]) -> None:
    s = shipped["change-of-address"]
    assert s.field("postcode").type is FieldType.POSTCODE
    assert s.field("ni_number").type is FieldType.NI_NUMBER
    moved = s.field("date_moved")
    assert (moved.min_date, moved.max_date) == ("-3m", "today")
    assert s.field("others_count").show_if is not None
    good = {
        "full_name": "Megan Jones",
        "ni_number": "ab 12 34 56 c",
        "date_of_birth": "1980-05-01",
        "address_line_1": "1 Stryd Fawr",
        "town": "Caerdydd",
        "postcode": "cf10 3nq",
        "date_moved": "2026-01-20",
        "others_on_benefits": "no",
        "contact_by": "email",
        "email": "megan@example.com",
    }
    assert validate_answers(s, good, TODAY) == {}
    errors = validate_answers(s, {**good, "date_moved": "2025-12-14"}, TODAY)
    assert errors["date_moved"].code == "too_early"
    assert "15 December 2025" in errors["date_moved"].message.en
    assert "15 Rhagfyr 2025" in errors["date_moved"].message.cy
    assert (
        validate_answers(s, {**good, "date_moved": "2026-03-16"}, TODAY)["date_moved"].code
        == "too_late"
    )
    errors = validate_answers(s, {**good, "others_on_benefits": "yes"}, TODAY)
    assert errors["others_count"].code == "required"
    assert errors["others_count"].message.en.startswith("Enter how many")
    errors = validate_answers(s, {**good, "phone": "07700900982"}, TODAY)
    assert errors["phone"].code == "not_visible"


def test_jobcentre_appointment_rules(shipped: dict[str, Service]) -> None:
    s = shipped["book-jobcentre-appointment"]
    assert not s.needs_staff and not s.field("phone").required
    base = {"reason": "job_search", "time_of_day": "morning", "needs_adjustments": "na",
            "full_name": "Rhys Evans"}  # fmt: skip
    for day, code in (("2026-03-15", "too_early"), ("2026-04-13", "too_late")):
        assert (
            validate_answers(s, {**base, "preferred_date": day}, TODAY)["preferred_date"].code
            == code
        )
    for day in ("2026-03-16", "2026-04-12"):
        assert validate_answers(s, {**base, "preferred_date": day}, TODAY) == {}
    errors = validate_answers(
        s, {**base, "preferred_date": "2026-03-20", "phone": "01632 960001"}, TODAY
    )
    assert errors["phone"].code == "pattern" and "mobile" in errors["phone"].message.en
    errors = validate_answers(s, {**base, "preferred_date": "2026-03-20", "reason": "other"}, TODAY)
    assert errors["other_details"].code == "required"


def test_proof_of_benefit_letter(shipped: dict[str, Service]) -> None:
    s = shipped["proof-of-benefit-letter"]
    assert DocumentKind.LETTER in s.documents
    assert "universal_credit" in {o.value for o in s.field("benefit").options}
    delivery = next(st for st in s.steps if st.id == "delivery")
    assert [f.id for f in visible_fields(delivery, {"delivery": "print"})] == ["delivery"]
    assert [f.id for f in visible_fields(delivery, {"delivery": "post"})] == [
        "delivery", "address_line_1", "postcode"
    ]  # fmt: skip


def test_a_service_that_needs_staff(shipped: dict[str, Service]) -> None:
    staffed = [s for s in shipped.values() if s.needs_staff]
    assert staffed and all(Channel.STAFF in s.channels for s in staffed)
    assert len(visible_steps(staffed[0], {})) == len(staffed[0].steps)


def test_personal_flag_distinguishes_fields(shipped: dict[str, Service]) -> None:
    s = shipped["change-of-address"]
    assert s.field("ni_number").personal and s.field("postcode").personal
    assert not s.field("date_moved").personal


def test_serialised_services_are_json_and_round_trip(shipped: dict[str, Service]) -> None:
    for service in shipped.values():
        data = service_to_dict(service)
        again = json.loads(json.dumps(data))
        assert again["title"] == {"en": service.title.en, "cy": service.title.cy}
        rebuilt = service_from_dict(again)
        assert rebuilt == dataclasses.replace(service, source="")
    catalogue, _ = load_catalogue(SHIPPED, today=TODAY)
    whole = catalogue_to_dict(catalogue)
    assert [s["id"] for s in whole["services"]] == [s.id for s in catalogue.a_to_z()]


def test_public_surface_is_all() -> None:
    # A subprocess sees the package as users do (inside pytest, tests/catalogue can shadow it).
    code = "import catalogue, json; print(json.dumps(sorted(catalogue.__all__)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    names = set(json.loads(out.stdout))
    required = {"Catalogue", "Service", "Step", "Field", "FieldType", "Text", "load_catalogue",
                "load_catalogue_strict", "CatalogueError", "Problem", "AnswerError", "normalise",
                "validate_step", "validate_answers", "visible_steps"}  # fmt: skip
    assert required <= names
    code = "import catalogue; [getattr(catalogue, n) for n in catalogue.__all__]"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)

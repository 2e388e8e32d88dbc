"""The shipped catalogue is one worth testing channels on (issue 12 item 8), and every channel says
the same thing about the same answers.

* At least 8 services, every one bilingual with at least one conditional step or question; the set
  holds a service that can end in "not eligible" (an outcome, not an error) and one that books a
  visit or appointment (a date in a range and a time window).
* For every shipped service, answers generated from its field types pass catalogue validation (a
  service added later is covered without touching this file).
* For every question, a bad answer gives the same message, in English and in Welsh, at the kiosk
  (:class:`kiosk.session.Session`, in Welsh) and on the web form (:func:`central.web.forms.read_step`).
* Every outcome of every shipped service ends the kiosk journey right after its deciding answer,
  with the outcome :func:`catalogue.outcome_for` names (the web shows the same one:
  tests/central/test_web_outcome.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from catalogue_helpers import SHIPPED

from catalogue import outcome_for
from catalogue.dates import resolve_limit
from catalogue.loader import load_catalogue
from catalogue.model import Catalogue, Channel, Field, FieldType, Service, Step
from catalogue.validation import validate_answers
from central.web import forms
from kiosk.session import Session, State
from tests.support.clocks import FakeClock

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    cat, problems = load_catalogue(SHIPPED, today=TODAY)
    assert problems == [], "\n".join(map(str, problems))
    return cat


def _services() -> list[str]:
    cat, _ = load_catalogue(SHIPPED, today=TODAY)
    return sorted(cat.services)


# ---- the set of services ------------------------------------------------------------------------


def _conditional(service: Service) -> list[str]:
    return [s.id for s in service.steps if s.show_if] + [
        f.id for f in service.all_fields() if f.show_if
    ]


def test_at_least_eight_bilingual_services_each_with_a_conditional_step(
    catalogue: Catalogue,
) -> None:
    assert len(catalogue.services) >= 8, sorted(catalogue.services)
    for service in catalogue.services.values():
        assert _conditional(service), f"{service.id} has no conditional step or question"
        for text in (service.title, service.summary, service.help, service.next_steps):
            assert text is not None and text.en.strip() and text.cy.strip(), service.id
            assert text.en != text.cy, service.id
    with_steps = [s.id for s in catalogue.services.values() if any(st.show_if for st in s.steps)]
    assert len(with_steps) >= 4, with_steps  # whole steps that come and go, not only questions


def test_one_service_can_end_in_not_eligible(catalogue: Catalogue) -> None:
    endings = {(s.id, o.id): o for s in catalogue.services.values() for o in s.outcomes}
    assert ("council-tax-single-person-discount", "not_eligible") in endings
    outcome = endings[("council-tax-single-person-discount", "not_eligible")]
    assert outcome.title.cy.startswith("Ni allwch")
    service = catalogue.services["council-tax-single-person-discount"]
    assert outcome_for(service, {"others_over_18": True}) == outcome
    assert outcome_for(service, {"others_over_18": False}) is None


def test_services_book_a_day_in_a_range_and_a_time_window(catalogue: Catalogue) -> None:
    booking = []
    for service in catalogue.services.values():
        fields = service.all_fields()
        future_dates = [
            f
            for f in fields
            if f.type is FieldType.DATE and f.min_date and f.min_date.startswith("+")
        ]
        windows = [
            f
            for f in fields
            if f.type is FieldType.CHOICE and any("am" in o.label.en for o in f.options)
        ]
        if future_dates and windows and all(f.max_date for f in future_dates):
            booking.append(service.id)
    assert {"book-jobcentre-appointment", "report-housing-repair"} <= set(booking)


def test_every_service_has_help_with_what_you_need_and_what_it_costs(catalogue: Catalogue) -> None:
    for service in catalogue.services.values():
        assert "free" in service.help.en or "£" in service.help.en, service.id
        assert "am ddim" in service.help.cy or "£" in service.help.cy, service.id


# ---- answers generated from the field types -----------------------------------------------------

SAMPLE = {
    FieldType.PHONE: "07700 900982",
    FieldType.EMAIL: "sam@example.com",
    FieldType.POSTCODE: "cf10 3nq",
    FieldType.NI_NUMBER: "ab 12 34 56 c",
}
PATTERN_SAMPLES = {"[0-9]{8,10}": "12345678"}


def sample(f: Field, variant: int) -> Any:
    """A valid raw answer to ``f``; ``variant`` picks another option / the other yes-no answer."""
    if f.type is FieldType.CHOICE:
        return f.options[variant % len(f.options)].value
    if f.type is FieldType.YES_NO:
        return ("yes", "no")[variant % 2]
    if f.type is FieldType.NUMBER:
        return int(f.min) if f.min is not None else 1
    if f.type is FieldType.DATE:
        low = resolve_limit(f.min_date, TODAY) if f.min_date else None
        high = resolve_limit(f.max_date, TODAY) if f.max_date else None
        day = low or high or TODAY
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
    if f.type in SAMPLE:
        return SAMPLE[f.type]
    if f.pattern:
        return PATTERN_SAMPLES[f.pattern]
    text = "Sample answer for testing"
    return text.ljust(int(f.min or 0), "x")[: int(f.max or 1000)]


def walk(
    service: Service, variant: int, force: dict[str, Any] | None = None
) -> Iterator[tuple[Step, dict[str, Any]]]:
    """The steps a citizen sees with the generated answers, each with its raw answers
    (``force``: raw answers to use for some questions instead)."""
    from catalogue.validation import normalise

    known: dict[str, Any] = {}
    for step in service.steps:
        if step.show_if is not None and not step.show_if.holds(known):
            continue
        raw: dict[str, Any] = {}
        for f in step.fields:
            if f.show_if is not None and not f.show_if.holds(known):
                continue
            raw[f.id] = (force or {}).get(f.id, sample(f, variant))
            known[f.id] = normalise(f, raw[f.id], TODAY)
        yield step, raw


def answer_sets(service: Service) -> list[dict[str, Any]]:
    most = max([len(f.options) for f in service.all_fields()] + [2])
    out = []
    for variant in range(most):
        answers: dict[str, Any] = {}
        for _, raw in walk(service, variant):
            answers |= raw
        out.append(answers)
    return out


@pytest.mark.parametrize("service_id", _services())
def test_generated_answers_pass_validation(catalogue: Catalogue, service_id: str) -> None:
    service = catalogue.services[service_id]
    finished = 0
    seen_steps: set[str] = set()
    for variant, answers in enumerate(answer_sets(service)):
        assert validate_answers(service, answers, TODAY) == {}, (variant, answers)
        seen_steps |= {s.id for s, _ in walk(service, variant)}
        finished += outcome_for(service, _normalised(service, answers)) is None
    assert finished, f"no generated answers get through {service_id} without an outcome"
    assert seen_steps == {s.id for s in service.steps}, "some conditional step is never reached"


def _normalised(service: Service, answers: dict[str, Any]) -> dict[str, Any]:
    from catalogue.validation import normalise

    return {
        f.id: normalise(f, answers[f.id], TODAY) for f in service.all_fields() if f.id in answers
    }


# ---- the same message for the same bad answer, kiosk and web ------------------------------------

BAD = {
    FieldType.TEXT: "",
    FieldType.NUMBER: "lots",
    FieldType.DATE: {"day": "31", "month": "2", "year": "2026"},
    FieldType.CHOICE: "not-an-option",
    FieldType.YES_NO: "maybe",
    FieldType.PHONE: "12",
    FieldType.EMAIL: "not an email",
    FieldType.POSTCODE: "ZZ1",
    FieldType.NI_NUMBER: "DD123456A",
}


def _web_form(step: Step, raw: dict[str, Any]) -> dict[str, str]:
    form: dict[str, str] = {}
    for f in step.fields:
        value = raw.get(f.id, "")
        if isinstance(value, dict):
            form |= {f"{f.id}-{part}": value[part] for part in ("day", "month", "year")}
        else:
            form[f.id] = value
    return form


def _bad(f: Field) -> Any:
    if f.type is FieldType.TEXT and not f.required:
        return "x" * (int(f.max or 1000) + 1)
    return BAD[f.type]


def _journey(service: Service) -> list[tuple[Step, dict[str, Any]]]:
    """Generated answers for a journey that gets to the end without an outcome."""
    for variant in range(8):
        steps = list(walk(service, variant))
        answers = {k: v for _, raw in steps for k, v in raw.items()}
        if outcome_for(service, _normalised(service, answers)) is None:
            return steps
    raise AssertionError(f"no journey through {service.id}")


@pytest.mark.parametrize("service_id", _services())
def test_a_bad_answer_reads_the_same_at_the_kiosk_and_on_the_web(
    catalogue: Catalogue, service_id: str
) -> None:
    service = catalogue.services[service_id]
    steps = _journey(service)
    checked = 0
    for index, (step, raw) in enumerate(steps):
        for f in step.fields:
            if f.id not in raw:
                continue
            bad_raw = {**raw, f.id: _bad(f)}
            earlier = {k: v for _, r in steps[:index] for k, v in r.items()}
            # Web: the form post of this step, with the earlier (normalised) answers.
            known = _normalised(service, earlier)
            _, web_errors = forms.read_step(service, step, _web_form(step, bad_raw), known, TODAY)
            web = {e.field_id: e.message for e in web_errors}
            # Kiosk: a Welsh session answered up to this step, then the bad answer.
            kiosk = _kiosk_errors(catalogue, service, steps[:index], step, bad_raw)
            assert f.id in web and f.id in kiosk, (f.id, web, kiosk)
            assert kiosk[f.id] == web[f.id], f"{service_id}.{f.id}: {kiosk[f.id]} != {web[f.id]}"
            assert web[f.id].en != web[f.id].cy, f"{service_id}.{f.id}: untranslated message"
            checked += 1
    assert checked >= 3


def _kiosk_errors(
    catalogue: Catalogue,
    service: Service,
    before: list[tuple[Step, dict[str, Any]]],
    step: Step,
    bad_raw: dict[str, Any],
) -> dict[str, Any]:
    if Channel.KIOSK not in service.channels:
        pytest.skip(f"{service.id} is not offered at the kiosk")
    session = Session(catalogue, clock=FakeClock(NOW))
    session.start()
    session.choose_language("cy")
    session.choose_service(service.id)
    for earlier_step, raw in before:
        assert session.current_step is not None and session.current_step.id == earlier_step.id
        assert session.answer(raw) == {}
    assert session.state is State.STEP and session.current_step.id == step.id  # type: ignore[union-attr]
    return {k: e.message for k, e in session.answer(bad_raw).items()}


# ---- the same ending for the same answers ------------------------------------------------------


def _outcomes() -> list[tuple[str, str]]:
    cat, _ = load_catalogue(SHIPPED, today=TODAY)
    return [(s.id, o.id) for s in cat.services.values() for o in s.outcomes]


@pytest.mark.parametrize(("service_id", "outcome_id"), _outcomes())
def test_every_outcome_ends_the_kiosk_journey_with_its_text(
    catalogue: Catalogue, service_id: str, outcome_id: str
) -> None:
    """Generated answers with the deciding one set: the kiosk (in Welsh) stops on the step that
    decides, in ``not_eligible``, with the outcome :func:`outcome_for` names for those answers."""
    service = catalogue.services[service_id]
    outcome = next(o for o in service.outcomes if o.id == outcome_id)
    deciding = service.field(outcome.when.field)
    value = outcome.when.one_of[0] if outcome.when.one_of else outcome.when.equals
    force = {
        deciding.id: ("yes" if value else "no") if deciding.type is FieldType.YES_NO else value
    }
    steps = list(walk(service, 0, force))
    upto = next(i for i, (step, raw) in enumerate(steps) if deciding.id in raw)
    answers = _normalised(service, {k: v for _, raw in steps[: upto + 1] for k, v in raw.items()})
    assert outcome_for(service, answers) == outcome
    if Channel.KIOSK not in service.channels:
        pytest.skip(f"{service_id} is not offered at the kiosk")
    session = Session(catalogue, clock=FakeClock(NOW))
    session.start()
    session.choose_language("cy")
    session.choose_service(service_id)
    for _step, raw in steps[:upto]:
        assert session.answer(raw) == {}
        assert session.state is State.STEP
    assert session.answer(steps[upto][1]) == {}
    assert session.state is State.NOT_ELIGIBLE and session.ending == outcome
    assert session.draft is None

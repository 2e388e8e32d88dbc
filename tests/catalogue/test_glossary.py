"""The Welsh of the catalogue follows one glossary (config/locales/glossary.toml), issue 17.

Every Welsh text of every shipped service, of the life events and of the catalogue's own generic
messages is read as a whole: no listed wrong variant or misspelling, the glossary's term wherever
the English names the thing, one apostrophe style (’), "bydd angen … arnoch", and yes/no answers
that echo the question's verb.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import date

import pytest
from catalogue_helpers import ROOT, SHIPPED

from catalogue import messages
from catalogue.loader import load_catalogue
from catalogue.model import Catalogue, FieldType, Service, Text

GLOSSARY = ROOT / "config" / "locales" / "glossary.toml"


@pytest.fixture(scope="module")
def glossary() -> dict:
    return tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    cat, problems = load_catalogue(SHIPPED, today=date(2026, 3, 15))
    assert problems == [], "\n".join(map(str, problems))
    return cat


def service_texts(service: Service) -> Iterator[tuple[str, Text]]:
    """(where, text) for every citizen-facing text of a service."""
    yield "title", service.title
    yield "summary", service.summary
    yield "help", service.help
    if service.next_steps:
        yield "next_steps", service.next_steps
    for o in service.outcomes:
        yield f"outcomes.{o.id}.title", o.title
        yield f"outcomes.{o.id}.body", o.body
    for step in service.steps:
        yield f"{step.id}.title", step.title
        for f in step.fields:
            where = f"{step.id}.{f.id}"
            yield f"{where}.label", f.label
            if f.hint:
                yield f"{where}.hint", f.hint
            if f.pattern_error:
                yield f"{where}.pattern_error", f.pattern_error
            for o in f.options:
                yield f"{where}.options.{o.value}", o.label
            for code, text in f.errors:
                yield f"{where}.errors.{code}", text
            if f.answers:
                yield f"{where}.answers.yes", f.answers[0]
                yield f"{where}.answers.no", f.answers[1]


def all_texts(cat: Catalogue) -> list[tuple[str, Text]]:
    out = [(f"life_events.{e.id}", e.title) for e in cat.life_events.values()]
    for service in cat.services.values():
        out += [(f"{service.id}: {where}", text) for where, text in service_texts(service)]
    generic = {
        **messages._GENERIC,
        **{f"required.{k.value}": v for k, v in messages._REQUIRED.items()},
    }
    out += [(f"catalogue/messages.py: {code}", text) for code, text in generic.items()]
    return out


def _prose(text: str) -> str:
    """The text without ``{placeholders}`` (``{office}`` names no office in any language)."""
    return re.sub(r"\{[^}]*\}", "", text)


def _words(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)


def test_the_glossary_is_well_formed(glossary: dict) -> None:
    for term in glossary["terms"]:
        assert term["en"] and term["cy"] in term["forms"], term
        for wrong in term["wrong"]:
            assert not any(_words(wrong).fullmatch(form) for form in term["forms"]), wrong
    for entry in glossary["spelling"]:
        assert len(entry["wrong"]) == len(entry["right"])


def wrong_variants(texts: list[tuple[str, Text]], glossary: dict) -> list[str]:
    found = []
    wrongs = [(w, t["cy"]) for t in glossary["terms"] for w in t["wrong"]]
    for entry in glossary["spelling"]:
        wrongs += list(zip(entry["wrong"], entry["right"], strict=True))
    for where, text in texts:
        for wrong, right in wrongs:
            if _words(wrong).search(text.cy):
                found.append(f"{where}: {wrong!r} (write {right!r}) in {text.cy!r}")
    return found


def missing_terms(texts: list[tuple[str, Text]], glossary: dict) -> list[str]:
    missing = []
    for where, text in texts:
        for term in glossary["terms"]:
            if not any(_words(en).search(_prose(text.en)) for en in term["en"]):
                continue
            if not any(form.casefold() in text.cy.casefold() for form in term["forms"]):
                missing.append(f"{where}: {term['en'][0]!r} should be {term['cy']!r}: {text.cy!r}")
    return missing


def test_no_welsh_text_uses_a_wrong_variant(catalogue: Catalogue, glossary: dict) -> None:
    found = wrong_variants(all_texts(catalogue), glossary)
    assert not found, "\n".join(found)


def test_welsh_uses_the_glossary_term_where_the_english_names_it(
    catalogue: Catalogue, glossary: dict
) -> None:
    missing = missing_terms(all_texts(catalogue), glossary)
    assert not missing, "\n".join(missing)


def test_the_checks_catch_what_they_should(glossary: dict) -> None:
    bad = [
        ("a", Text("Your reference", "Eich rhif cyfeirnod")),
        ("b", Text("Water", "Mae dwr yn gollwng")),
        ("c", Text("Your Council Tax bill", "Eich bil Treth y Cyngor")),
        ("d", Text("Ask at the office", "Gofynnwch wrth y ddesg")),
    ]
    assert [w.split(":")[0] for w in wrong_variants(bad, glossary)] == ["a", "b", "c"]
    assert [m.split(":")[0] for m in missing_terms(bad, glossary)] == ["c", "d"]
    good = [
        ("e", Text("Your reference", "Eich cyfeirnod")),
        ("f", Text("benefit", "fy mudd-dal")),
        ("g", Text("Staff at {office} will help", "Bydd staff yn {office} yn helpu")),
    ]
    assert wrong_variants(good, glossary) == missing_terms(good, glossary) == []


def test_one_apostrophe_style(catalogue: Catalogue) -> None:
    straight = [
        f"{where} ({lang}): {text.get(lang)!r}"
        for where, text in all_texts(catalogue)
        for lang in ("en", "cy")
        if "'" in text.get(lang)
    ]
    assert not straight, "use ’ (U+2019), not ':\n" + "\n".join(straight)


def test_bydd_angen_something_arnoch(catalogue: Catalogue) -> None:
    """'You will need X' is 'Bydd angen X arnoch' (or 'Bydd angen i chi wneud X'), never a bare
    'Bydd angen X' that leaves out who needs it."""
    bare = []
    for where, text in all_texts(catalogue):
        for sentence in re.split(r"(?<=[.?!:])\s+|\n", text.cy):
            m = re.search(r"\bbydd angen (.*)", sentence, re.IGNORECASE)
            if (
                m
                and not m.group(1).startswith("i ")
                and not re.search(r"\barn(?:och|at|om|o|i|ynt)\b", m.group(1))
            ):
                bare.append(f"{where}: {sentence!r}")
    assert not bare, "\n".join(bare)


def test_welsh_yes_no_answers_follow_the_verb(catalogue: Catalogue, glossary: dict) -> None:
    never = {w.casefold() for w in glossary["answers"]["never"]}
    for service in catalogue.services.values():
        for f in service.all_fields():
            if f.type is not FieldType.YES_NO:
                continue
            assert f.answers is not None, f"{service.id}.{f.id} names no answers"
            yes, no = f.answers
            assert yes.cy.casefold() not in never and no.cy.casefold() not in never, f.id
            # The no answer is the yes answer negated: "Nac oes", "Na hoffwn", "Na ddylech"…
            assert no.cy.split()[0] in ("Nac", "Na", "Naddo"), (service.id, f.id, no.cy)
            # A required-answer message names the Welsh yes the question expects, not "Ie".
            own = f.error_text("required")
            if own and "‘" in own.cy:
                assert f"‘{yes.cy}’" in own.cy, (service.id, f.id, own.cy)

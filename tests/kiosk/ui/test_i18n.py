"""The shipped catalogs are complete and consistent, and broken catalogs say where they are broken."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.ui.i18n import (
    DEFAULT_LOCALES_DIR,
    CatalogError,
    catalog_problems,
    compile_mo,
    load_translator,
    parse_po,
    source_msgids,
)

REPO = Path(__file__).resolve().parents[3]
SCREENS = REPO / "screens"
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@pytest.fixture(scope="module")
def translator():
    return load_translator()


WELSH_PLURALS = (
    "nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : (n==3) ? 3 : (n==6) ? 4 : 5;"
)


def _write_po(root: Path, lang: str, body: str, plural_forms: str = "") -> Path:
    path = root / lang / "LC_MESSAGES" / "kiosk.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    if plural_forms:
        header += f'"Plural-Forms: {plural_forms}\\n"\n'
    header += "\n"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_shipped_languages_and_basic_lookups(translator):
    assert translator.languages == ("en", "cy")
    assert translator.gettext("cy", "Back") == "Yn ôl"
    assert translator.gettext("cy", "Next") == "Nesaf"
    assert translator.gettext("cy", "More time") == "Mwy o amser"
    assert translator.gettext("en", "Back") == "Back"
    assert translator.bind("cy")("Continue") == "Parhau"


def test_unknown_language_falls_back_to_english_then_to_msgid(translator):
    assert translator.gettext("fr", "Back") == "Back"
    assert translator.gettext("cy", "Not a message of ours") == "Not a message of ours"


def test_missing_welsh_entry_falls_back_to_english_text(tmp_path):
    _write_po(tmp_path, "en", 'msgid "Greeting"\nmsgstr "Hello"\n\nmsgid "Bye"\nmsgstr "Goodbye"\n')
    _write_po(tmp_path, "cy", 'msgid "Greeting"\nmsgstr "Helo"\n\nmsgid "Bye"\nmsgstr ""\n')
    t = load_translator(tmp_path)
    assert t.gettext("cy", "Greeting") == "Helo"
    assert t.gettext("cy", "Bye") == "Goodbye"  # empty msgstr = untranslated


def test_fuzzy_entries_are_not_used(tmp_path):
    _write_po(tmp_path, "en", 'msgid "Next"\nmsgstr "Next"\n')
    _write_po(tmp_path, "cy", '#, fuzzy\nmsgid "Next"\nmsgstr "Nesa?"\n')
    assert load_translator(tmp_path).gettext("cy", "Next") == "Next"


def test_every_english_msgid_has_a_welsh_translation(translator):
    cy = {e.msgid: e for e in translator.entries("cy")}
    missing = [e.msgid for e in translator.entries("en") if e.msgid not in cy]
    empty = [m for m, e in cy.items() if not e.translated]
    assert missing == [], f"in en but not in cy: {missing}"
    assert empty == [], f"untranslated or fuzzy in cy: {empty}"
    extra = sorted(set(cy) - {e.msgid for e in translator.entries("en")})
    assert extra == [], f"in cy but not in en: {extra}"


def test_placeholders_match_between_languages(translator):
    for lang in translator.languages:
        for entry in translator.entries(lang):
            want = sorted(PLACEHOLDER.findall(entry.msgid))
            for text in entry.msgstr:
                got = sorted(PLACEHOLDER.findall(text))
                assert got == want, f"{lang} line {entry.line}: {entry.msgid!r} → {text!r}"


def test_welsh_formats_with_the_same_arguments(translator):
    text = translator.gettext("cy", "Your details will be cleared in {seconds} seconds")
    assert text.format(seconds=30) == "Bydd eich manylion yn cael eu clirio ymhen 30 eiliad"
    assert translator.gettext("cy", "Step {n} of {total}").format(n=2, total=5) == "Cam 2 o 5"


def test_every_literal_in_the_screens_is_in_both_catalogs(translator):
    files = sorted(SCREENS.rglob("*.py"))
    known = {lang: {e.msgid for e in translator.entries(lang)} for lang in translator.languages}
    missing = [
        f"{path.relative_to(REPO)}:{line}: {msgid!r} not in {lang}"
        for path in files
        for line, msgid in source_msgids(path)
        for lang in ("en", "cy")
        if msgid not in known[lang]
    ]
    assert missing == [], "\n".join(missing)


def test_source_scanner_finds_both_call_styles(tmp_path):
    src = tmp_path / "screen.py"
    src.write_text(
        "a = _('One')\n"
        "b = self.t.gettext(lang, 'Two')\n"
        "c = _(variable)\n"
        "d = gettext('Three')\n"
        "e = other('Four')\n"
        "f = ctx.t('Five', n=2)\n"
        "g = ctx.t(name)\n",
        encoding="utf-8",
    )
    assert source_msgids(src) == [(1, "One"), (2, "Two"), (4, "Three"), (6, "Five")]


def test_catalogs_are_accepted_by_gnu_msgfmt():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext package) not installed: cannot cross-check with GNU tools")
    for po in sorted(DEFAULT_LOCALES_DIR.glob("*/LC_MESSAGES/kiosk.po")):
        done = subprocess.run([msgfmt, "-c", "-o", "/dev/null", str(po)], capture_output=True)
        assert done.returncode == 0, done.stderr.decode()


def test_compiled_mo_reads_back_with_the_standard_library(tmp_path):
    po = _write_po(
        tmp_path,
        "cy",
        'msgctxt "verb"\nmsgid "Print"\nmsgstr "Argraffu"\n\n'
        'msgid "Multi"\nmsgstr ""\n"line \\"one\\"\\n"\n"two"\n\n'
        'msgid "{n} minute"\nmsgid_plural "{n} minutes"\n'
        + "".join(f'msgstr[{i}] "form {i}"\n' for i in range(6)),
        plural_forms=WELSH_PLURALS,
    )
    entries = parse_po(po)
    catalog = gettext.GNUTranslations(__import__("io").BytesIO(compile_mo(entries)))
    assert catalog.pgettext("verb", "Print") == "Argraffu"
    assert catalog.gettext("Multi") == 'line "one"\ntwo'
    t = load_translator(tmp_path)
    assert t.pgettext("cy", "verb", "Print") == "Argraffu"
    forms = {n: t.ngettext("cy", "{n} minute", "{n} minutes", n) for n in (0, 1, 2, 3, 4, 6, 11)}
    assert forms == {
        0: "form 0",
        1: "form 1",
        2: "form 2",
        3: "form 3",
        4: "form 5",
        6: "form 4",
        11: "form 5",
    }
    assert t.ngettext("en", "{n} minute", "{n} minutes", 2) == "{n} minutes"  # no en catalog


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('msgid "A"\nmsgstr "B"\n\nmsgid "C"\nmsgstr "D\n', 9, "quoted string"),
        ('msgid "A"\nmsgstr "B"\nmsgfoo "x"\n', 7, "unknown keyword 'msgfoo'"),
        ('msgid "A"\n\nmsgid "B"\nmsgstr "b"\n', 5, "no msgstr"),
        ('msgid "A"\nmsgstr "B"\n\nmsgid "A"\nmsgstr "C"\n', 8, "duplicate msgid 'A'"),
        ('msgid "A"\nmsgstr "a \\q"\n', 6, "unknown escape"),
        ('"orphan"\n', 5, "outside an entry"),
    ],
)
def test_malformed_po_names_file_and_line(tmp_path, body, line, message):
    path = _write_po(tmp_path, "cy", body)
    with pytest.raises(CatalogError) as caught:
        load_translator(tmp_path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_non_utf8_catalog_is_reported(tmp_path):
    path = _write_po(tmp_path, "cy", "")
    path.write_bytes(path.read_bytes() + b'msgid "A"\nmsgstr "\xff"\n')
    with pytest.raises(CatalogError, match="not UTF-8"):
        parse_po(path)


def test_no_catalogs_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no kiosk.po"):
        load_translator(tmp_path)


def test_shipped_catalogs_have_no_problems(translator):
    assert catalog_problems(translator) == []


def test_catalog_problems_name_each_gap(tmp_path):
    _write_po(
        tmp_path,
        "en",
        'msgid "A"\nmsgstr "A"\n\nmsgid "B {n}"\nmsgstr "B {n}"\n\nmsgid "C"\nmsgstr "C"\n',
    )
    _write_po(
        tmp_path,
        "cy",
        'msgid "A"\nmsgstr ""\n\nmsgid "B {n}"\nmsgstr "B {m}"\n',
    )
    assert catalog_problems(load_translator(tmp_path)) == [
        "cy:5: not translated (or fuzzy): 'A'",
        "cy: missing 'C'",
        "cy:8: placeholders differ in 'B {m}'",
    ]


def test_catalog_text_is_nfc_normalised(translator):
    """ŵ typed as w + combining circumflex renders as two glyphs in some fonts: store NFC."""
    import unicodedata

    odd = [
        (lang, e.line)
        for lang in translator.languages
        for e in translator.entries(lang)
        for text in (e.msgid, *e.msgstr)
        if unicodedata.normalize("NFC", text) != text
    ]
    assert odd == []

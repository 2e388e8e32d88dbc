"""The touchscreen's words in every language: gettext catalogs, read without any external tool.

Catalogs live at ``config/locales/<lang>/LC_MESSAGES/kiosk.po`` (ordinary GNU gettext .po files,
so translators can use Poedit or Weblate). At load time each .po is parsed here in pure Python —
no ``msgfmt`` binary is needed on a kiosk — compiled to .mo bytes in memory and handed to the
standard library's :class:`gettext.GNUTranslations`, which gives plural forms for free.

A broken catalog stops the app with :class:`CatalogError` naming the file and the line, because
a kiosk that silently shows message ids to a citizen is worse than one that refuses to start.

Lookup order for ``gettext(lang, msgid)``: the language's catalog, then English, then the msgid
itself. Untranslated (empty) and fuzzy entries count as missing, as with ``msgfmt``.
"""

from __future__ import annotations

import ast
import gettext as _gettext
import io
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_LOCALES_DIR",
    "DOMAIN",
    "FALLBACK_LANGUAGE",
    "CatalogError",
    "N_",
    "PoEntry",
    "Translator",
    "catalog_problems",
    "compile_mo",
    "load_translator",
    "parse_po",
    "source_msgids",
]

DOMAIN = "kiosk"
FALLBACK_LANGUAGE = "en"
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parents[2] / "config" / "locales"


class CatalogError(ValueError):
    """A .po file that cannot be read; ``str()`` is ``"file:line: what is wrong"``."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


@dataclass
class PoEntry:
    """One message of a .po file; ``msgstr`` holds one string, or one per plural form."""

    msgid: str
    msgstr: list[str]
    line: int
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and any(self.msgstr)


_KEYWORDS = ("msgctxt", "msgid_plural", "msgid", "msgstr")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(text: str, path: Path, line: int) -> str:
    """The value of one C-style string literal ``"…"`` as .po files write it."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise CatalogError(path, line, f"expected a quoted string, got {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            raise CatalogError(path, line, 'unescaped " inside a string')
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise CatalogError(path, line, f"unknown escape in {text!r}")
            out.append(_ESCAPES[body[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Builder:
    """Collects the parts of the entry being read; ``finish`` turns it into a :class:`PoEntry`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reset()

    def reset(self) -> None:
        self.parts: dict[str, list[str]] = {}
        self.plurals: dict[int, list[str]] = {}
        self.flags: set[str] = set()
        self.start = 0
        self.current: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not self.parts and not self.plurals

    def finish(self, line: int) -> PoEntry | None:
        if self.empty:
            self.flags = set()
            return None
        if "msgid" not in self.parts:
            raise CatalogError(self.path, self.start, "entry has no msgid")
        if "msgstr" not in self.parts and not self.plurals:
            raise CatalogError(self.path, self.start, "entry has no msgstr")
        plural = self.parts.get("msgid_plural")
        if plural is not None and not self.plurals:
            raise CatalogError(self.path, self.start, "msgid_plural needs msgstr[0], msgstr[1]…")
        if plural is None and self.plurals:
            raise CatalogError(self.path, self.start, "msgstr[n] without msgid_plural")
        if self.plurals:
            count = max(self.plurals) + 1
            msgstr = ["".join(self.plurals.get(i, [])) for i in range(count)]
        else:
            msgstr = ["".join(self.parts["msgstr"])]
        ctx = self.parts.get("msgctxt")
        entry = PoEntry(
            msgid="".join(self.parts["msgid"]),
            msgstr=msgstr,
            line=self.start,
            msgctxt=None if ctx is None else "".join(ctx),
            msgid_plural=None if plural is None else "".join(plural),
            flags=self.flags,
        )
        self.reset()
        return entry


def parse_po(path: Path) -> list[PoEntry]:
    """Every entry of ``path`` (the header, msgid "", included); :class:`CatalogError` on a fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(path, 1, f"not UTF-8 ({exc.reason})") from None
    entries: list[PoEntry] = []
    seen: dict[tuple[str | None, str], int] = {}
    b = _Builder(path)

    def close(line: int) -> None:
        entry = b.finish(line)
        if entry is None:
            return
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            raise CatalogError(
                path, entry.line, f"duplicate msgid {entry.msgid!r} (first on line {seen[key]})"
            )
        seen[key] = entry.line
        entries.append(entry)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            close(number)
            continue
        if line.startswith("#"):
            if "msgstr" in b.parts or b.plurals:
                close(number)  # a comment starts the next entry
            if line.startswith("#,"):
                b.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            b.current = None
            continue
        if line.startswith('"'):
            if b.current is None:
                raise CatalogError(path, number, "string continuation outside an entry")
            b.current.append(_unquote(line, path, number))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith("msgstr[") and keyword.endswith("]"):
            index_text = keyword[7:-1]
            if not index_text.isdigit():
                raise CatalogError(path, number, f"bad plural index in {keyword!r}")
            index = int(index_text)
            if index in b.plurals:
                raise CatalogError(path, number, f"{keyword} given twice")
            b.current = b.plurals.setdefault(index, [])
            b.current.append(_unquote(rest, path, number))
            continue
        if keyword not in _KEYWORDS:
            raise CatalogError(path, number, f"unknown keyword {keyword!r}")
        if keyword in ("msgctxt", "msgid") and ("msgstr" in b.parts or b.plurals):
            close(number)  # entries separated without a blank line
        if keyword in b.parts:
            raise CatalogError(path, number, f"{keyword} given twice in one entry")
        if b.empty:
            b.start = number
        b.current = b.parts.setdefault(keyword, [])
        b.current.append(_unquote(rest, path, number))
    close(len(text.splitlines()) + 1)
    return entries


def compile_mo(entries: list[PoEntry]) -> bytes:
    """GNU .mo bytes for the translated entries (and the header), as ``msgfmt`` would write them."""
    messages: dict[bytes, bytes] = {}
    for e in entries:
        if e.msgid and not e.translated:
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        messages[key.encode()] = "\0".join(e.msgstr).encode()
    keys = sorted(messages)
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(messages[k])))
        ids += k + b"\0"
        strs += messages[k] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + key_start]
        voffsets += [l2, o2 + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    table = struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(
        f"{len(voffsets)}i", *voffsets
    )
    return header + table + ids + strs


class Translator:
    """All loaded languages; thread-safe to read (catalogs never change after loading)."""

    def __init__(self, entries: dict[str, list[PoEntry]]) -> None:
        self._entries = entries
        self._messages: dict[str, dict[str, str]] = {}
        self._plural_ids: dict[str, set[str]] = {}
        self._catalogs: dict[str, _gettext.GNUTranslations] = {}
        for lang, parsed in entries.items():
            usable = [e for e in parsed if e.msgid and e.translated]
            self._messages[lang] = {
                _key(e.msgctxt, e.msgid): e.msgstr[0] for e in usable if e.msgid_plural is None
            }
            self._plural_ids[lang] = {e.msgid for e in usable if e.msgid_plural is not None}
            # the standard library evaluates the catalog's Plural-Forms expression for ngettext
            self._catalogs[lang] = _gettext.GNUTranslations(io.BytesIO(compile_mo(parsed)))

    @property
    def languages(self) -> tuple[str, ...]:
        """Loaded language codes, English first, then alphabetical."""
        return tuple(sorted(self._entries, key=lambda c: (c != FALLBACK_LANGUAGE, c)))

    def entries(self, lang: str) -> list[PoEntry]:
        """The parsed entries of one language (the header excluded), in file order."""
        return [e for e in self._entries[lang] if e.msgid]

    def _chain(self, lang: str) -> list[str]:
        chain = [lang] if lang in self._entries else []
        if lang != FALLBACK_LANGUAGE and FALLBACK_LANGUAGE in self._entries:
            chain.append(FALLBACK_LANGUAGE)
        return chain

    def gettext(self, lang: str, msgid: str) -> str:
        """``msgid`` in ``lang``; English when ``lang`` lacks it; the msgid when English does too."""
        return self.pgettext(lang, None, msgid)

    def pgettext(self, lang: str, context: str | None, msgid: str) -> str:
        """``msgid`` in the sense ``context`` (e.g. "Print" the verb vs. the noun)."""
        key = _key(context, msgid)
        for code in self._chain(lang):
            found = self._messages[code].get(key)
            if found:
                return found
        return msgid

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        """The plural form for ``n`` in ``lang`` (Welsh has six), with the same fallbacks."""
        for code in self._chain(lang):
            if singular in self._plural_ids[code]:
                return self._catalogs[code].ngettext(singular, plural, n)
        return singular if n == 1 else plural

    def bind(self, lang: str) -> Callable[[str], str]:
        """A one-argument ``_`` for one language: ``_ = translator.bind("cy")``."""
        return lambda msgid: self.gettext(lang, msgid)


def _key(context: str | None, msgid: str) -> str:
    return msgid if context is None else f"{context}\x04{msgid}"


def load_translator(locales_dir: Path | None = None) -> Translator:
    """Every ``<lang>/LC_MESSAGES/kiosk.po`` under ``locales_dir`` (default: the repo's).

    Raises :class:`CatalogError` ("file:line: problem") for a malformed catalog and
    FileNotFoundError when there is none.
    """
    root = DEFAULT_LOCALES_DIR if locales_dir is None else Path(locales_dir)
    entries: dict[str, list[PoEntry]] = {}
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        entries[po.parent.parent.name] = parse_po(po)
    if not entries:
        raise FileNotFoundError(f"no {DOMAIN}.po catalogs under {root}")
    return Translator(entries)


def catalog_problems(translator: Translator, reference: str = FALLBACK_LANGUAGE) -> list[str]:
    """Gaps a translator must fill: messages missing, untranslated, fuzzy or with placeholders
    that differ from the msgid's, in every language compared with ``reference``."""
    problems: list[str] = []
    want = [e.msgid for e in translator.entries(reference)]
    for lang in translator.languages:
        have = {e.msgid: e for e in translator.entries(lang)}
        for msgid in want:
            entry = have.get(msgid)
            if entry is None:
                problems.append(f"{lang}: missing {msgid!r}")
            elif not entry.translated:
                problems.append(f"{lang}:{entry.line}: not translated (or fuzzy): {msgid!r}")
        for entry in have.values():
            expected = sorted(_PLACEHOLDER.findall(entry.msgid))
            for text in entry.msgstr:
                if text and sorted(_PLACEHOLDER.findall(text)) != expected:
                    problems.append(f"{lang}:{entry.line}: placeholders differ in {text!r}")
    return problems


_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")

_MSGID_FIRST = {"_", "N_", "t", "tr", "translate"}
"""Calls whose first argument is the msgid: ``_("…")``, ``ctx.t("…", n=2)``."""


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def source_msgids(path: Path) -> list[tuple[int, str]]:
    """(line, msgid) for every translated literal in a Python file, in source order.

    Recognised: ``_("…")``, ``N_("…")``, ``t("…")``/``ctx.t("…")``, ``tr``/``translate`` alike,
    ``gettext("…")`` and ``translator.gettext(lang, "…")``. Only literal strings count: a
    variable passed to ``_`` cannot be checked statically.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        msgid = None
        if name in _MSGID_FIRST:
            msgid = _literal(node.args[0])
        elif name == "gettext":
            msgid = _literal(node.args[1]) if len(node.args) > 1 else _literal(node.args[0])
        if msgid is not None:
            found.append((node.lineno, msgid))
    return sorted(found)


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Marks ``msgid`` for the catalogs where it is stored, not shown (translated when shown)."""
    return msgid

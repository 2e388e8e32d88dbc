"""Reading one ``[[steps.fields]]`` table into a :class:`~catalogue.model.Field`, checking the
settings that only make sense for some field types (options for choices, date limits for dates…).

Cross-field rules (duplicate ids, show_if order and cycles) live in :mod:`catalogue.checks`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .collect import Collector, Path, type_name
from .dates import DateLimitError, resolve_limit
from .messages import CODES
from .model import Field, FieldType, Option, ShowIf, Text

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
ID_RULE = "lower-case letters, digits, '-' and '_', starting with a letter"

FIELD_KEYS = (
    "id", "type", "label", "hint", "required", "pattern", "pattern_error", "min", "max",
    "min_date", "max_date", "options", "show_if", "personal", "errors", "answers",
)  # fmt: skip
PATTERN_TYPES = frozenset(
    {FieldType.TEXT, FieldType.PHONE, FieldType.EMAIL, FieldType.POSTCODE, FieldType.NI_NUMBER}
)
RANGE_TYPES = frozenset({FieldType.TEXT, FieldType.NUMBER})
TYPE_LIST = ", ".join(t.value for t in FieldType)


def parse_id(c: Collector, table: dict[str, Any], path: Path) -> str:
    value = c.string(table, "id", path, required=True)
    if value is None:
        return ""
    if not ID_PATTERN.match(value):
        c.add((*path, "id"), f"id {value!r} must use {ID_RULE}")
    return value


def parse_show_if(
    c: Collector, table: dict[str, Any], path: Path, key: str = "show_if"
) -> ShowIf | None:
    """``show_if = { field = "x", equals = true }`` or ``{ field = "x", one_of = ["a", "b"] }``
    (an outcome's ``when`` has the same shape: pass ``key="when"``)."""
    if key not in table:
        return None
    where = (*path, key)
    raw = c.table(table[key], where, 'a table like { field = "x", equals = "y" }')
    if raw is None:
        return None
    c.unknown_keys(raw, where, ("field", "equals", "one_of"))
    target = c.string(raw, "field", where, required=True)
    has_equals, has_one_of = "equals" in raw, "one_of" in raw
    if has_equals == has_one_of:
        c.add(where, "needs exactly one of 'equals' or 'one_of'")
        return None
    if has_equals:
        equals = raw["equals"]
        if not isinstance(equals, str | bool | int | float):
            c.add(
                (*where, "equals"), f"must be a text, number or true/false, not {type_name(equals)}"
            )
            return None
        return ShowIf(field=target or "", equals=equals)
    one_of = raw["one_of"]
    if not isinstance(one_of, list) or not one_of or not all(isinstance(v, str) for v in one_of):
        c.add((*where, "one_of"), 'must be a non-empty list of texts, like ["a", "b"]')
        return None
    return ShowIf(field=target or "", one_of=tuple(one_of))


def _options(
    c: Collector, table: dict[str, Any], path: Path, kind: FieldType | None
) -> tuple[Option, ...]:
    if "options" not in table:
        if kind is FieldType.CHOICE:
            c.add((*path, "options"), "a choice needs at least two [[steps.fields.options]]")
        return ()
    where = (*path, "options")
    if kind is None:  # unknown type: already reported, nothing to check options against
        return ()
    if kind is not FieldType.CHOICE:
        c.add(where, f"only a choice field has options (this one is {kind.value})")
        return ()
    raw = table["options"]
    if not isinstance(raw, list) or not all(isinstance(o, dict) for o in raw):
        c.add(where, "must be [[steps.fields.options]] tables, each with value and label")
        return ()
    options: list[Option] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        c.unknown_keys(item, (*where, i), ("value", "label"))
        value = c.string(item, "value", (*where, i), required=True)
        label = c.text(item, "label", (*where, i), required=True)
        if value is not None and value in seen:
            c.add((*where, i, "value"), f"duplicate option value {value!r}")
        if value is not None:
            seen.add(value)
        if value is not None and label is not None:
            options.append(Option(value=value, label=label))
    if len(raw) < 2:
        c.add(where, "a choice needs at least two options")
    return tuple(options)


def _number(c: Collector, table: dict[str, Any], key: str, path: Path) -> float | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        c.add((*path, key), f"must be a number, not {type_name(value)}")
        return None
    return value


def _ranges(
    c: Collector, table: dict[str, Any], path: Path, kind: FieldType | None
) -> tuple[Any, Any]:
    low, high = _number(c, table, "min", path), _number(c, table, "max", path)
    for key, value in (("min", low), ("max", high)):
        if value is None or kind is None:
            continue
        if kind not in RANGE_TYPES:
            c.add((*path, key), f"'{key}' applies to number and text fields, not {kind.value}")
        elif kind is FieldType.TEXT and (value < 0 or value != int(value)):
            c.add((*path, key), f"a text length must be a whole number of 0 or more, not {value}")
    if low is not None and high is not None and low > high:
        c.add((*path, "min"), f"min ({low}) is more than max ({high})")
    return low, high


def _date_limits(
    c: Collector, table: dict[str, Any], path: Path, kind: FieldType | None, today: date
) -> tuple[str | None, str | None]:
    found: dict[str, tuple[str, date]] = {}
    for key in ("min_date", "max_date"):
        value = c.string(table, key, path, required=False)
        if value is None:
            continue
        if kind is not None and kind is not FieldType.DATE:
            c.add((*path, key), f"'{key}' applies to date fields, not {kind.value}")
            continue
        try:
            found[key] = (value, resolve_limit(value, today))
        except DateLimitError as exc:
            c.add((*path, key), str(exc))
    if len(found) == 2 and found["min_date"][1] > found["max_date"][1]:
        c.add((*path, "min_date"), "min_date is after max_date: no date could be accepted")
    return found.get("min_date", (None,))[0], found.get("max_date", (None,))[0]


def _pattern(c: Collector, table: dict[str, Any], path: Path, kind: FieldType | None) -> str | None:
    pattern = c.string(table, "pattern", path, required=False)
    if pattern is None:
        if "pattern_error" in table and "pattern" not in table:
            c.add((*path, "pattern_error"), "pattern_error without a pattern")
        return None
    if kind is not None and kind not in PATTERN_TYPES:
        c.add((*path, "pattern"), f"a pattern does not apply to {kind.value} fields")
    try:
        re.compile(pattern)
    except re.error as exc:
        c.add((*path, "pattern"), f"pattern does not compile: {exc}")
    return pattern


def _errors(c: Collector, table: dict[str, Any], path: Path) -> tuple[tuple[str, Text], ...]:
    if "errors" not in table:
        return ()
    where = (*path, "errors")
    raw = c.table(table["errors"], where, 'a table of messages, like errors.required.en = "…"')
    if raw is None:
        return ()
    out = []
    for code in raw:
        if code not in CODES:
            c.add(
                (*where, code),
                f"unknown error code '{code}' (expected one of {', '.join(sorted(CODES))})",
            )
            continue
        text = c.text(raw, code, where, required=True)
        if text is not None:
            out.append((code, text))
    return tuple(out)


def _answers(
    c: Collector, table: dict[str, Any], path: Path, kind: FieldType | None
) -> tuple[Text, Text] | None:
    """``answers.yes`` / ``answers.no`` of a yes/no field, required there: a Welsh yes or no
    follows the question's verb, so no default can be right (see :attr:`Field.answers`)."""
    where = (*path, "answers")
    if kind is not FieldType.YES_NO:
        if "answers" in table:
            c.add(where, "answers apply only to yes_no fields")
        return None
    if "answers" not in table:
        c.add(
            where,
            "a yes/no question needs its answers in both languages: the Welsh answer follows the"
            ' verb, e.g. answers.yes.cy = "Oes" and answers.no.cy = "Nac oes"',
        )
        return None
    raw = c.table(table["answers"], where, 'a table like answers.yes.en = "Yes"')
    if raw is None:
        return None
    c.unknown_keys(raw, where, ("yes", "no"))
    yes = c.text(raw, "yes", where, required=True)
    no = c.text(raw, "no", where, required=True)
    if yes is None or no is None:
        return None
    for lang in ("en", "cy"):
        if yes.get(lang).strip().lower() == no.get(lang).strip().lower():
            c.add(where, f"the yes and no answers must differ ({lang})")
    return (yes, no)


def parse_field(c: Collector, table: dict[str, Any], path: Path, today: date) -> Field:
    """The field at ``path``; problems go to ``c`` (the field is then only good for further checks)."""
    c.unknown_keys(table, path, FIELD_KEYS)
    field_id = parse_id(c, table, path)
    kind: FieldType | None = None  # unknown: type-specific checks are skipped, not guessed
    raw_type = c.string(table, "type", path, required=True)
    if raw_type is not None:
        try:
            kind = FieldType(raw_type)
        except ValueError:
            c.add((*path, "type"), f"unknown field type {raw_type!r} (expected one of {TYPE_LIST})")
    label = c.text(table, "label", path, required=True)
    low, high = _ranges(c, table, path, kind)
    min_date, max_date = _date_limits(c, table, path, kind, today)
    return Field(
        id=field_id,
        type=kind or FieldType.TEXT,
        label=label or Text("", ""),
        hint=c.text(table, "hint", path, required=False),
        required=c.boolean(table, "required", path, True),
        pattern=_pattern(c, table, path, kind),
        pattern_error=c.text(table, "pattern_error", path, required=False),
        min=low,
        max=high,
        min_date=min_date,
        max_date=max_date,
        options=_options(c, table, path, kind),
        show_if=parse_show_if(c, table, path),
        personal=c.boolean(table, "personal", path, True),
        errors=_errors(c, table, path),
        answers=_answers(c, table, path, kind),
    )

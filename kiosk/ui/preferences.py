"""Preferences that travel (issue 19 item 6): a citizen's language and accessibility settings as the
small JSON object carried on a phone handoff, a printed slip and a web-saved case.

Why one module: the kiosk writes the object when it hands a case on (:func:`carried`) and reads it
when a case is picked up again (:func:`restore`); central only checks and stores it. The keys are
``language`` plus the fields of :class:`kiosk.ui.accessibility.AccessibilitySettings`, read with
:func:`dataclasses.fields`, so a field added there later (speech rate, ...) travels with no change
here. Central refuses a key it does not know (422), so a new field also needs one line in
``central.schemas.CarriedPreferences``.

Failure model: what comes back from central was written by another channel and may be old or
partial, so :func:`restore` never raises. A value of the wrong type, out of range, or of a key this
kiosk does not know is skipped (that setting keeps its default); the rest still apply. These are
accessibility data: nothing here logs a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from kiosk.ui.accessibility import AccessibilitySettings

__all__ = ["LANGUAGE_KEY", "carried", "restore"]

LANGUAGE_KEY = "language"


def _plain(value: object) -> bool:
    return isinstance(value, bool | int | float | str)


def carried(settings: AccessibilitySettings, language: str | None) -> dict[str, Any]:
    """The object to carry: the language and every setting, defaults included (so the next
    channel knows the person's choice was "standard", not that it was never asked)."""
    out: dict[str, Any] = {}
    if language:
        out[LANGUAGE_KEY] = language
    for f in fields(settings):
        value = getattr(settings, f.name)
        if _plain(value):
            out[f.name] = value
    return out


def _same_type(value: object, default: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return type(value) is type(default)
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def restore(
    settings: AccessibilitySettings, data: object, languages: Iterable[str] = ()
) -> str | None:
    """Apply what ``data`` carries to ``settings`` (in place, every other setting back to its
    default first); the carried language when it is one of ``languages``, else None."""
    kind = type(settings)
    default = kind()
    for f in fields(settings):
        setattr(settings, f.name, getattr(default, f.name))
    if not isinstance(data, Mapping):
        return None
    for f in fields(settings):
        if f.name not in data:
            continue
        value = data[f.name]
        if not _same_type(value, getattr(default, f.name)):
            continue
        try:  # the dataclass's own checks (ranges, theme names) decide, one field at a time
            kind(**{f.name: value})
        except (TypeError, ValueError):
            continue
        setattr(settings, f.name, value)
    language = data.get(LANGUAGE_KEY)
    return language if isinstance(language, str) and language in set(languages) else None

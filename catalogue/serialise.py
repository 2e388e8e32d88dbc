"""Services as plain JSON-able dicts (both languages), and back.

Central serves :func:`service_to_dict` over HTTP; a kiosk or web page that receives it can rebuild
the model with :func:`service_from_dict` and run the same validation locally. Keys mirror the TOML
format (config/services/README.md), so the JSON is as readable as the files.

Errors::

    ValueError
    └── (KeyError, TypeError, ValueError from service_from_dict on a malformed dict)
"""

from __future__ import annotations

from typing import Any

from .model import (
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


def _text(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"en": text.en, "cy": text.cy}


def _show_if(cond: ShowIf | None) -> dict[str, Any] | None:
    if cond is None:
        return None
    out: dict[str, Any] = {"field": cond.field}
    if cond.one_of:
        out["one_of"] = list(cond.one_of)
    else:
        out["equals"] = cond.equals
    return out


def field_to_dict(f: Field) -> dict[str, Any]:
    return {
        "id": f.id,
        "type": f.type.value,
        "label": _text(f.label),
        "hint": _text(f.hint),
        "required": f.required,
        "pattern": f.pattern,
        "pattern_error": _text(f.pattern_error),
        "min": f.min,
        "max": f.max,
        "min_date": f.min_date,
        "max_date": f.max_date,
        "options": [{"value": o.value, "label": _text(o.label)} for o in f.options],
        "show_if": _show_if(f.show_if),
        "personal": f.personal,
        "errors": {code: _text(text) for code, text in f.errors},
        "answers": None
        if f.answers is None
        else {"yes": _text(f.answers[0]), "no": _text(f.answers[1])},
    }


def service_to_dict(service: Service) -> dict[str, Any]:
    """The whole definition of ``service``, JSON-able, every text in every language."""
    return {
        "id": service.id,
        "title": _text(service.title),
        "summary": _text(service.summary),
        "help": _text(service.help),
        "life_events": list(service.life_events),
        "steps": [
            {
                "id": step.id,
                "title": _text(step.title),
                "show_if": _show_if(step.show_if),
                "fields": [field_to_dict(f) for f in step.fields],
            }
            for step in service.steps
        ],
        "documents": [d.value for d in service.documents],
        "channels": sorted(c.value for c in service.channels),
        "needs_staff": service.needs_staff,
        "next_steps": _text(service.next_steps),
        "outcomes": [
            {"id": o.id, "when": _show_if(o.when), "title": _text(o.title), "body": _text(o.body)}
            for o in service.outcomes
        ],
    }


def catalogue_to_dict(catalogue: Catalogue) -> dict[str, Any]:
    """Life events and services (A to Z in English)."""
    return {
        "life_events": [
            {"id": e.id, "title": _text(e.title)} for e in catalogue.life_events.values()
        ],
        "services": [service_to_dict(s) for s in catalogue.a_to_z()],
    }


def _from_text(raw: dict[str, str] | None) -> Text | None:
    return None if raw is None else Text(en=raw["en"], cy=raw["cy"])


def _from_show_if(raw: dict[str, Any] | None) -> ShowIf | None:
    if raw is None:
        return None
    return ShowIf(field=raw["field"], equals=raw.get("equals"), one_of=tuple(raw.get("one_of", ())))


def _from_field(raw: dict[str, Any]) -> Field:
    return Field(
        id=raw["id"],
        type=FieldType(raw["type"]),
        label=Text(**raw["label"]),
        hint=_from_text(raw.get("hint")),
        required=bool(raw.get("required", True)),
        pattern=raw.get("pattern"),
        pattern_error=_from_text(raw.get("pattern_error")),
        min=raw.get("min"),
        max=raw.get("max"),
        min_date=raw.get("min_date"),
        max_date=raw.get("max_date"),
        options=tuple(
            Option(value=o["value"], label=Text(**o["label"])) for o in raw.get("options", ())
        ),
        show_if=_from_show_if(raw.get("show_if")),
        personal=bool(raw.get("personal", True)),
        errors=tuple((code, Text(**t)) for code, t in (raw.get("errors") or {}).items()),
        answers=None
        if not raw.get("answers")
        else (Text(**raw["answers"]["yes"]), Text(**raw["answers"]["no"])),
    )


def service_from_dict(raw: dict[str, Any]) -> Service:
    """The inverse of :func:`service_to_dict` (for clients that received it as JSON)."""
    return Service(
        id=raw["id"],
        title=Text(**raw["title"]),
        summary=Text(**raw["summary"]),
        help=Text(**raw["help"]),
        life_events=tuple(raw.get("life_events", ())),
        steps=tuple(
            Step(
                id=s["id"],
                title=Text(**s["title"]),
                fields=tuple(_from_field(f) for f in s["fields"]),
                show_if=_from_show_if(s.get("show_if")),
            )
            for s in raw["steps"]
        ),
        documents=tuple(DocumentKind(d) for d in raw.get("documents", ())),
        channels=frozenset(Channel(c) for c in raw.get("channels", ())),
        needs_staff=bool(raw.get("needs_staff", False)),
        next_steps=_from_text(raw.get("next_steps")),
        outcomes=tuple(
            Outcome(
                id=o["id"],
                when=_from_show_if(o["when"]) or ShowIf(field=""),
                title=Text(**o["title"]),
                body=Text(**o["body"]),
            )
            for o in raw.get("outcomes") or ()
        ),
    )


def life_event_to_dict(event: LifeEvent) -> dict[str, Any]:
    return {"id": event.id, "title": _text(event.title)}

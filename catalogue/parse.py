"""Reading one service file's TOML table into a :class:`~catalogue.model.Service`.

The whole file is read even after a mistake, so every problem in it is reported in one run.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .checks import check_service
from .collect import Collector, Path
from .fields import parse_field, parse_id, parse_show_if
from .model import Channel, DocumentKind, Outcome, Service, ShowIf, Step, Text

SERVICE_KEYS = (
    "id", "title", "summary", "help", "life_events", "steps", "documents", "channels",
    "needs_staff", "next_steps", "outcomes",
)  # fmt: skip
STEP_KEYS = ("id", "title", "fields", "show_if")
OUTCOME_KEYS = ("id", "when", "title", "body")


def _tables(c: Collector, table: dict[str, Any], key: str, path: Path, hint: str) -> list[Any]:
    raw = table.get(key)
    if raw is None:
        c.add((*path, key), f"missing {hint}")
        return []
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        c.add((*path, key), f"must be one or more {hint}")
        return []
    return raw


def _step(c: Collector, table: dict[str, Any], path: Path, today: date) -> Step:
    c.unknown_keys(table, path, STEP_KEYS)
    fields = _tables(c, table, "fields", path, "[[steps.fields]] tables")
    return Step(
        id=parse_id(c, table, path),
        title=c.text(table, "title", path, required=True) or Text("", ""),
        fields=tuple(parse_field(c, f, (*path, "fields", i), today) for i, f in enumerate(fields)),
        show_if=parse_show_if(c, table, path),
    )


def _outcomes(c: Collector, data: dict[str, Any]) -> tuple[Outcome, ...]:
    """``[[outcomes]]``: endings such as "not eligible", each with id, when, title and body."""
    if "outcomes" not in data:
        return ()
    raw = data["outcomes"]
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        c.add(
            ("outcomes",),
            "must be one or more [[outcomes]] tables, each with id, when, title and body",
        )
        return ()
    out = []
    for i, table in enumerate(raw):
        path = ("outcomes", i)
        c.unknown_keys(table, path, OUTCOME_KEYS)
        outcome_id = parse_id(c, table, path)
        when = parse_show_if(c, table, path, key="when")
        if "when" not in table:
            c.add((*path, "when"), "missing 'when' (e.g. when = { field = \"x\", equals = true })")
        title = c.text(table, "title", path, required=True)
        body = c.text(table, "body", path, required=True)
        out.append(
            Outcome(
                id=outcome_id,
                when=when or ShowIf(field=""),
                title=title or Text("", ""),
                body=body or Text("", ""),
            )
        )
    return tuple(out)


def _enum_list(c: Collector, table: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    if key not in table:
        return default
    names = c.string_list(table, key, ())
    allowed = ", ".join(k.value for k in kind)
    out = []
    for i, name in enumerate(names):
        try:
            out.append(kind(name))
        except ValueError:
            c.add((key, i), f"unknown {key[:-1]} {name!r} (expected one of {allowed})")
    return tuple(out)


def parse_service(
    c: Collector, data: dict[str, Any], today: date, life_events: set[str] | None
) -> Service | None:
    """The service in ``data``, or None when ``c`` found any problem in it.

    ``life_events`` is the set of known life-event ids, or None when that list could not be
    read (its own problem is reported there; references are then not checked).
    """
    before = len(c.problems)
    c.unknown_keys(data, (), SERVICE_KEYS)
    service_id = parse_id(c, data, ())
    events = c.string_list(data, "life_events", ())
    if "life_events" not in data:
        c.add(("life_events",), 'missing life_events (e.g. life_events = ["moving-home"])')
    for i, event in enumerate(events):
        if life_events is not None and event not in life_events:
            known = ", ".join(sorted(life_events)) or "none defined"
            c.add(("life_events", i), f"unknown life event {event!r} (known: {known})")
    steps = tuple(
        _step(c, s, ("steps", i), today)
        for i, s in enumerate(_tables(c, data, "steps", (), "[[steps]] tables"))
    )
    channels = frozenset(_enum_list(c, data, "channels", Channel, tuple(Channel)))
    if not channels and "channels" in data:
        c.add(("channels",), "needs at least one channel (kiosk, web, staff)")
    needs_staff = c.boolean(data, "needs_staff", (), False)
    if needs_staff and channels and Channel.STAFF not in channels:
        c.add(("needs_staff",), "a service that needs staff must list 'staff' in channels")
    service = Service(
        id=service_id,
        title=c.text(data, "title", (), required=True) or Text("", ""),
        summary=c.text(data, "summary", (), required=True) or Text("", ""),
        help=c.text(data, "help", (), required=True) or Text("", ""),
        life_events=tuple(events),
        steps=steps,
        documents=_enum_list(c, data, "documents", DocumentKind, ()),
        channels=channels,
        needs_staff=needs_staff,
        next_steps=c.text(data, "next_steps", (), required=False),
        outcomes=_outcomes(c, data),
        source=c.file,
    )
    service = check_service(c, service)
    return service if len(c.problems) == before else None

"""Rules that look across a whole service: unique ids, and show_if conditions that only look back.

A show_if may only use the answer to a question asked *earlier* (an earlier step, or earlier in the
same step; a step's own show_if only an earlier step), so the citizen never answers a question whose
visibility depends on a later answer. A condition that points forward is reported; when following
the conditions leads back to where it started, the cycle is named in full. The value a condition
compares with is checked against the field it reads (a choice's options, true/false for yes/no)
and converted to the type the answer will have after :func:`catalogue.validation.normalise`.
"""

from __future__ import annotations

import dataclasses

from .collect import Collector, Path
from .hints import hint_problems
from .model import Field, FieldType, Outcome, Service, ShowIf

YES_WORDS = {"yes": True, "ie": True, "true": True, "no": False, "na": False, "false": False}


def _position_index(service: Service) -> dict[str, tuple[int, int]]:
    where: dict[str, tuple[int, int]] = {}
    for i, step in enumerate(service.steps):
        for j, f in enumerate(step.fields):
            where.setdefault(f.id, (i, j))
    return where


def _duplicates(c: Collector, service: Service) -> None:
    steps: dict[str, int] = {}
    fields: dict[str, Path] = {}
    for i, step in enumerate(service.steps):
        if step.id and step.id in steps:
            c.add(
                ("steps", i, "id"), f"duplicate step id {step.id!r} (also steps[{steps[step.id]}])"
            )
        steps.setdefault(step.id, i)
        for j, f in enumerate(step.fields):
            path: Path = ("steps", i, "fields", j, "id")
            if f.id and f.id in fields:
                first = fields[f.id]
                c.add(
                    path, f"duplicate field id {f.id!r} (also steps[{first[1]}].fields[{first[3]}])"
                )
            fields.setdefault(f.id, path)


def _depends_on(service: Service, node: str) -> list[str]:
    """Field ids whose answers decide whether ``node`` (a field id or ``step:<id>``) is shown."""
    out = []
    for step in service.steps:
        if node == f"step:{step.id}" and step.show_if:
            return [step.show_if.field]
        for f in step.fields:
            if f.id == node:
                if f.show_if:
                    out.append(f.show_if.field)
                if step.show_if:
                    out.append(step.show_if.field)
                return out
    return out


def _cycle(service: Service, start: str, first: str) -> list[str] | None:
    """The chain start → first → … → start, if following show_if conditions comes back."""
    trail = [start, first]
    seen = {first}
    stack = [(first, iter(_depends_on(service, first)))]
    while stack:
        node, deps = stack[-1]
        nxt = next(deps, None)
        if nxt is None:
            stack.pop()
            trail.pop()
            continue
        if nxt == start:
            return [*trail, start]
        if nxt not in seen:
            seen.add(nxt)
            trail.append(nxt)
            stack.append((nxt, iter(_depends_on(service, nxt))))
    return None


def _coerce(c: Collector, cond: ShowIf, target: Field, path: Path) -> ShowIf | None:
    """The condition with its value in the answer's type, or None (problem reported)."""
    if target.type is FieldType.YES_NO:
        if cond.one_of:
            c.add(
                (*path, "one_of"), f"{target.id!r} is a yes/no question: use equals = true or false"
            )
            return None
        value = cond.equals
        if isinstance(value, str) and value.strip().lower() in YES_WORDS:
            value = YES_WORDS[value.strip().lower()]
        if not isinstance(value, bool):
            c.add(
                (*path, "equals"), f"{target.id!r} is a yes/no question: use equals = true or false"
            )
            return None
        return dataclasses.replace(cond, equals=value)
    if target.type is FieldType.CHOICE:
        values = [o.value for o in target.options]
        wanted = cond.one_of or (cond.equals,)
        bad = [v for v in wanted if v not in values]
        if bad:
            key = "one_of" if cond.one_of else "equals"
            c.add(
                (*path, key),
                f"{bad[0]!r} is not an option of {target.id!r} (options: {', '.join(values)})",
            )
            return None
        return cond
    if (
        target.type is FieldType.NUMBER
        and cond.equals is not None
        and (isinstance(cond.equals, bool) or not isinstance(cond.equals, int | float))
    ):
        c.add((*path, "equals"), f"{target.id!r} is a number question: compare with a number")
        return None
    return cond


def _check_condition(
    c: Collector, service: Service, cond: ShowIf, node: str, here: tuple[int, int], path: Path
) -> ShowIf | None:
    positions = _position_index(service)
    where = (*path, "show_if")
    if cond.field not in positions:
        if cond.field:
            c.add((*where, "field"), f"show_if refers to unknown field {cond.field!r}")
        return None
    if cond.field == node:
        c.add((*where, "field"), f"show_if of {node!r} refers to itself (a cycle)")
        return None
    there = positions[cond.field]
    if there >= here:
        chain = _cycle(service, node, cond.field)
        if chain:
            names = " → ".join(n.removeprefix("step:") for n in chain)
            c.add((*where, "field"), f"show_if forms a cycle: {names}")
        else:
            when = (
                "on the same step" if node.startswith("step:") and there[0] == here[0] else "later"
            )
            c.add(
                (*where, "field"),
                f"show_if points forward to {cond.field!r} (steps[{there[0]}].fields[{there[1]}]), "
                f"which is asked {when}; a condition may only use earlier answers",
            )
        return None
    target = service.steps[there[0]].fields[there[1]]
    return _coerce(c, cond, target, where)


def _check_outcomes(c: Collector, service: Service) -> tuple[Outcome, ...]:
    """Each outcome's ``when`` reads a known question (any step: it is checked after every step)
    with a value that question can have; outcome ids are unique."""
    positions = _position_index(service)
    seen: dict[str, int] = {}
    out = []
    for i, outcome in enumerate(service.outcomes):
        path: Path = ("outcomes", i)
        if outcome.id and outcome.id in seen:
            c.add(
                (*path, "id"),
                f"duplicate outcome id {outcome.id!r} (also outcomes[{seen[outcome.id]}])",
            )
        seen.setdefault(outcome.id, i)
        cond = outcome.when
        where = (*path, "when")
        if cond.field not in positions:
            if cond.field:
                c.add((*where, "field"), f"when refers to unknown field {cond.field!r}")
            out.append(outcome)
            continue
        there = positions[cond.field]
        coerced = _coerce(c, cond, service.steps[there[0]].fields[there[1]], where)
        out.append(dataclasses.replace(outcome, when=coerced or cond))
    return tuple(out)


def check_service(c: Collector, service: Service) -> Service:
    """Report cross-field problems; returns the service with show_if values in answer types."""
    _duplicates(c, service)
    hint_problems(c, service)
    outcomes = _check_outcomes(c, service)
    steps = []
    for i, step in enumerate(service.steps):
        step_cond = step.show_if
        if step_cond is not None:
            # A step's condition must come from a step before it: "position (i, -1)".
            step_cond = _check_condition(
                c, service, step_cond, f"step:{step.id}", (i, -1), ("steps", i)
            )
        fields = []
        for j, f in enumerate(step.fields):
            cond = f.show_if
            if cond is not None:
                cond = _check_condition(c, service, cond, f.id, (i, j), ("steps", i, "fields", j))
            fields.append(dataclasses.replace(f, show_if=cond))
        steps.append(dataclasses.replace(step, fields=tuple(fields), show_if=step_cond))
    return dataclasses.replace(service, steps=tuple(steps), outcomes=outcomes)

"""Cost per transaction from per-channel unit costs: ``config/unit_costs.toml``, checked like the
catalogue (``file:line: key: message``; ``kiosk-central targets check`` checks it too)::

    currency = "GBP"
    [channels]            # the cost of one completed transaction on each channel
    kiosk = 1.20
    web = 0.40
    [[services]]          # optional: one service's own costs, channel by channel
    service = "apply-blue-badge"
    counter = 12.00

A service's **cost per transaction** in a period (GOV.UK's KPI: total cost ÷ transactions) is
Σ over channels of completed × that channel's unit cost, ÷ everything completed — so moving
completions from the counter to the web lowers it. A channel with no unit cost makes the figure
unknown (None) rather than wrong; so does a period with no completion.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue import funnel
from catalogue.model import Catalogue
from catalogue.problems import Problem
from catalogue.toml_lines import KeyLines, format_path

__all__ = ["UnitCosts", "annotate", "check", "cost_per_transaction", "load", "path_for"]

COSTS_ENV = "KIOSK_CENTRAL_UNIT_COSTS"


@dataclass(frozen=True)
class UnitCosts:
    currency: str = "GBP"
    channels: dict[str, float] = field(default_factory=dict)
    services: dict[str, dict[str, float]] = field(default_factory=dict)

    def of(self, service_id: str, channel: str) -> float | None:
        own = self.services.get(service_id, {})
        return own.get(channel, self.channels.get(channel))


class CostsError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("; ".join(str(p) for p in self.problems))


def path_for(catalogue_dir: Path) -> Path:
    env = os.environ.get(COSTS_ENV, "").strip()
    return Path(env) if env else Path(catalogue_dir).parent / "unit_costs.toml"


def _costs(table: Any, at: tuple[str | int, ...], problem: Any, skip: str = "") -> dict:
    out: dict[str, float] = {}
    for channel, value in table.items():
        if channel == skip:
            continue
        if channel not in funnel.CHANNELS:
            problem((*at, channel), f"unknown channel (one of {', '.join(funnel.CHANNELS)})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problem((*at, channel), "must be a cost of 0 or more")
        else:
            out[channel] = float(value)
    return out


def check(source: str, file: str, catalogue: Catalogue | None) -> tuple[UnitCosts, list[Problem]]:
    problems: list[Problem] = []
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        return UnitCosts(), [
            Problem(file, getattr(exc, "lineno", None), "", f"not valid TOML: {exc}")
        ]
    lines = KeyLines(source)

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(file, lines.line(path), format_path(path), message))

    for key in data:
        if key not in ("currency", "channels", "services"):
            problem((key,), "unknown key (currency, [channels], [[services]])")
    currency = data.get("currency", "GBP")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        problem(("currency",), "a 3-letter currency code, like GBP")
    channels = data.get("channels", {})
    if not isinstance(channels, dict):
        problem(("channels",), "must be a table ([channels])")
        channels = {}
    found = _costs(channels, ("channels",), problem)
    services: dict[str, dict[str, float]] = {}
    rows = data.get("services", [])
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        at = ("services", i)
        sid = row.get("service") if isinstance(row, dict) else None
        if not isinstance(sid, str):
            problem((*at, "service"), "missing: the service these costs are for")
            continue
        if catalogue is not None and sid not in catalogue.services:
            problem((*at, "service"), f"no service {sid!r} in the catalogue")
        if sid in services:
            problem((*at, "service"), f"{sid} has costs already")
        services[sid] = _costs(row, at, problem, skip="service")
    return UnitCosts(str(currency), found, services), sorted(problems, key=Problem.sort_key)


def load(path: Path, catalogue: Catalogue | None) -> UnitCosts:
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CostsError([Problem(str(path), None, "", f"cannot read: {exc.strerror}")]) from None
    costs, problems = check(source, str(path), catalogue)
    if problems:
        raise CostsError(problems)
    return costs


def cost_per_transaction(
    service_id: str, service: dict[str, Any], costs: UnitCosts | None
) -> float | None:
    """Σ completed × unit cost ÷ Σ completed over the service's channels (None: a channel with
    completions has no unit cost, or nothing completed)."""
    if costs is None:
        return None
    total = spent = 0.0
    for channel, row in service["channels"].items():
        if not row["completed"]:
            continue
        unit = costs.of(service_id, channel)
        if unit is None:
            return None
        total += row["completed"]
        spent += row["completed"] * unit
    return spent / total if total else None


def annotate(found: dict[str, Any], costs: UnitCosts | None) -> dict[str, Any]:
    """``found`` (a :func:`central.measure.metrics.metrics` result) with each service's
    ``cost_per_transaction`` set (None without costs); returned for chaining."""
    for service_id, service in found["services"].items():
        service["cost_per_transaction"] = cost_per_transaction(service_id, service, costs)
    return found

"""Targets for the Office and Service Scores: ``config/targets.toml``, loaded and checked like the
catalogue (every problem at once, as ``file:line: key: message``).

The file is a list of ``[[targets]]``, each one metric's target, for every service or one::

    [[targets]]
    metric = "completion_rate"     # one of METRICS
    better = "higher"              # the metric's direction, stated (and checked) so a reader
    target = 0.85                  # of the file never has to guess
    service = "change-of-address"  # optional: this service only (wins over a general target)
    channel = "web"                # optional: this channel's number (default: all channels)
    step = "new-address"           # drop_off only: left before this step (default: check answers)

A metric with no target is not scored. ``satisfaction`` may have a target before any feedback is
counted: a metric with no value in a period is shown as "no data" and left out of the score.
``cost_per_transaction`` is read from the unit costs (:mod:`central.measure.costs`), in their
currency.

Read by ``kiosk-central targets check [--file F]`` (exit 1 with the problems) and once when the
app is built (:func:`central.measure.pages.setup`): a broken file is logged line by line and the
performance page says the scores are off until it is fixed; nothing else stops.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalogue import funnel
from catalogue.model import Catalogue
from catalogue.problems import Problem
from catalogue.toml_lines import KeyLines, format_path

__all__ = ["METRICS", "Target", "Targets", "TargetsError", "check", "load", "path_for"]

TARGETS_ENV = "KIOSK_CENTRAL_TARGETS"
METRICS: dict[str, tuple[str, str, bool]] = {
    "completion_rate": ("higher", "Completion rate", True),
    "median_time_to_complete_s": ("lower", "Median time to complete", False),
    "p90_time_to_complete_s": ("lower", "90% completed within", False),
    "digital_take_up": ("higher", "Digital take-up", True),
    "drop_off": ("lower", "Dropped off before a step", True),
    "satisfaction": ("higher", "Satisfied or very satisfied", True),
    "cost_per_transaction": ("lower", "Cost per transaction", False),
}
"""name → (direction, title, is a rate 0–1)."""
KEYS = ("metric", "better", "target", "service", "channel", "step")


class TargetsError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Target:
    metric: str
    better: str
    target: float
    service: str | None = None
    channel: str | None = None
    step: str | None = None
    line: int | None = None

    @property
    def title(self) -> str:
        title = METRICS[self.metric][1]
        if self.metric == "drop_off":
            title += f" ({self.step or funnel.CHECK_ANSWERS})"
        return title

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """Targets with the same key compete: a service's own beats the general one."""
        return (self.metric, self.channel, self.step)


@dataclass(frozen=True)
class Targets:
    targets: tuple[Target, ...]
    file: str = "targets.toml"

    def for_service(self, service_id: str) -> list[Target]:
        """The targets that apply to ``service_id``: its own, and the general ones it has not
        replaced, in file order."""
        own = {t.key for t in self.targets if t.service == service_id}
        return [
            t
            for t in self.targets
            if t.service == service_id or (t.service is None and t.key not in own)
        ]


def path_for(catalogue_dir: Path) -> Path:
    env = os.environ.get(TARGETS_ENV, "").strip()
    return Path(env) if env else Path(catalogue_dir).parent / "targets.toml"


def check(source: str, file: str, catalogue: Catalogue | None) -> tuple[Targets, list[Problem]]:
    """Parse and check ``source``; the targets that are right, and every problem."""
    problems: list[Problem] = []
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        return Targets((), file), [Problem(file, line, "", f"not valid TOML: {exc}")]
    lines = KeyLines(source)

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(file, lines.line(path), format_path(path), message))

    for key in data:
        if key != "targets":
            problem((key,), "unknown key (a targets file holds [[targets]] only)")
    rows = data.get("targets", [])
    if not isinstance(rows, list):
        problem(("targets",), "must be an array of tables ([[targets]])")
        rows = []
    found: list[Target] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, row in enumerate(rows):
        at = ("targets", i)
        if not isinstance(row, dict):
            problem(at, "must be a table")
            continue
        before = len(problems)
        for key in row:
            if key not in KEYS:
                problem((*at, key), f"unknown key (one of {', '.join(KEYS)})")
        metric = row.get("metric")
        if metric is None:
            problem((*at, "metric"), "missing")
        elif metric not in METRICS:
            problem((*at, "metric"), f"unknown metric {metric!r} (one of {', '.join(METRICS)})")
        better = row.get("better")
        if better not in ("higher", "lower"):
            problem((*at, "better"), 'must be "higher" or "lower"')
        elif metric in METRICS and better != METRICS[metric][0]:
            problem((*at, "better"), f"{METRICS[metric][0]} is better for {metric}")
        target = row.get("target")
        if isinstance(target, bool) or not isinstance(target, int | float):
            problem((*at, "target"), "must be a number")
        elif target <= 0:
            problem((*at, "target"), "must be more than 0 (a score divides by it)")
        elif metric in METRICS and METRICS[metric][2] and target > 1:
            problem((*at, "target"), "a rate is between 0 and 1 (0.85 for 85%)")
        service = row.get("service")
        found_service = None
        if service is not None:
            if not isinstance(service, str):
                problem((*at, "service"), "must be a service id")
            elif catalogue is not None:
                found_service = catalogue.services.get(service)
                if found_service is None:
                    problem((*at, "service"), f"no service {service!r} in the catalogue")
        channel = row.get("channel")
        if channel is not None:
            if channel not in funnel.CHANNELS:
                problem((*at, "channel"), f"unknown channel (one of {', '.join(funnel.CHANNELS)})")
            elif metric == "digital_take_up":
                problem((*at, "channel"), "digital take-up is across channels: no channel")
            elif metric == "cost_per_transaction":
                problem((*at, "channel"), "a channel's unit cost is in unit_costs.toml: no channel")
        step = row.get("step")
        if step is not None:
            if metric != "drop_off":
                problem((*at, "step"), "only drop_off has a step")
            elif service is None:
                problem((*at, "step"), "a step needs its service")
            elif found_service is not None and step not in funnel.step_ids(found_service):
                problem((*at, "step"), f"no step {step!r} in {service}")
        if len(problems) > before:
            continue
        t = Target(metric, better, float(target), service, channel, step, lines.line(at))
        identity = (t.metric, t.service, t.channel, t.step)
        if identity in seen:
            problem((*at, "metric"), f"the same target as targets[{seen[identity]}]")
            continue
        seen[identity] = i
        found.append(t)
    return Targets(tuple(found), file), sorted(problems, key=Problem.sort_key)


def load(path: Path, catalogue: Catalogue | None) -> Targets:
    """The targets of ``path``, or :class:`TargetsError` with every problem."""
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetsError([Problem(str(path), None, "", f"cannot read: {exc.strerror}")]) from None
    targets, problems = check(source, str(path), catalogue)
    if problems:
        raise TargetsError(problems)
    return targets

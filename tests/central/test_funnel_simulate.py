"""The simulator's ground truth against every metric central computes (both databases): a small
run (3 days × 3 offices) through the bulk path, then each office's metrics for each day and for
the month, recomputed here from the truth alone, must match. A second run with the same seed
adds nothing. The command line writes the truth beside the run."""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest

from catalogue import funnel
from central.cli import main
from central.measure.metrics import Period, metrics
from central.measure.simulate import simulate

LAST = date(2026, 2, 22)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a web draft of 20–22 Feb ended abandoned (7 d)
BOUNDS = (0, *funnel.DURATION_BUCKETS_S)


def quantile(histogram: dict[int, int], q: float) -> float | None:
    """Written again here from the definition (linear inside a band; the open band answers its
    lower bound), not imported, so the test checks central's."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, below = q * total, 0
    for band in sorted(histogram):
        n = histogram[band]
        if n and below + n >= rank:
            if band == len(funnel.DURATION_BUCKETS_S):
                return float(BOUNDS[-1])
            return BOUNDS[band] + (BOUNDS[band + 1] - BOUNDS[band]) * (rank - below) / n
        below += n
    return float(BOUNDS[-1])


def add(into: dict[str, int], more: dict[str, int]) -> None:
    for k, v in more.items():
        into[k] += v


def expected(cells: list[dict[str, Any]], catalogue) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Every metric of these cells, per service and channel, from the truth alone."""
    sums: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for c in cells:
        for channel in (c["channel"], "all"):
            s = sums[c["service"]].setdefault(
                channel, {k: defaultdict(int) for k in ("ended", "steps", "durations",
                          "duration_ms", "languages", "features", "handoffs", "feedback")}
                | {"started": 0}
            )  # fmt: skip
            s["started"] += c["started"]
            for k in ("ended", "steps", "durations", "duration_ms", "languages", "features",
                      "handoffs", "feedback"):  # fmt: skip
                add(s[k], c[k])
    out: dict[str, Any] = {}
    for service_id, channels in sums.items():
        steps = funnel.step_ids(catalogue.services[service_id])
        rows = {}
        for channel, s in channels.items():
            completed = sum(v for k, v in s["ended"].items() if k in funnel.COMPLETED)
            handed = sum(v for k, v in s["ended"].items() if k in funnel.HANDED_OFF)
            failed = sum(s["ended"].values()) - completed - handed
            hist: dict[int, int] = defaultdict(int)
            for key, n in s["durations"].items():
                reason, _, band = key.rpartition(":")
                if reason in funnel.COMPLETED:
                    hist[int(band)] += n
            done_ms = sum(v for k, v in s["duration_ms"].items() if k in funnel.COMPLETED)
            handoffs = {f"ended_{k}": v for k, v in s["ended"].items() if k in funnel.HANDED_OFF}
            rows[channel] = {
                "started": s["started"],
                "ended": {k: v for k, v in sorted(s["ended"].items()) if v},
                "completed": completed,
                "failed": failed,
                "completion_rate": completed / (completed + failed) if completed + failed else None,
                "drop_off": [{"step_id": x, "reached": s["steps"].get(x, 0)} for x in steps],
                "median_s": quantile(hist, 0.5),
                "p90_s": quantile(hist, 0.9),
                "mean_s": done_ms / 1000 / sum(hist.values()) if hist else None,
                "handoffs": dict(sorted((handoffs | dict(s["handoffs"])).items())),
                "features": dict(sorted(s["features"].items())),
                "languages": dict(sorted(s["languages"].items())),
                "satisfaction": {
                    "responses": sum(s["feedback"].values()),
                    "satisfied": s["feedback"].get("4", 0) + s["feedback"].get("5", 0),
                    "rate": (s["feedback"].get("4", 0) + s["feedback"].get("5", 0))
                    / sum(s["feedback"].values())
                    if sum(s["feedback"].values())
                    else None,
                    "response_rate": sum(s["feedback"].values()) / sum(s["ended"].values())
                    if sum(s["ended"].values())
                    else None,
                    "scores": {int(k): v for k, v in sorted(s["feedback"].items()) if v},
                },
            }
        digital = sum(rows[ch]["completed"] for ch in rows if ch in funnel.DIGITAL_CHANNELS)
        total = rows["all"]["completed"]
        out[service_id] = {
            "channels": {ch: rows[ch] for ch in sorted(rows) if ch != "all"},
            "all": rows["all"],
            "digital_take_up": digital / total if total else None,
        }
    return out


def same(found: dict[str, Any], want: dict[str, Any]) -> None:
    assert found.keys() == want.keys()
    for service_id, service in want.items():
        got = found[service_id]
        assert got["digital_take_up"] == pytest.approx(service["digital_take_up"])
        assert got["channels"].keys() == service["channels"].keys()
        for channel, row in [*service["channels"].items(), ("all", service["all"])]:
            mine = got["all"] if channel == "all" else got["channels"][channel]
            for key, value in row.items():
                if key == "satisfaction":
                    for name, number in value.items():
                        want_it = pytest.approx(number) if isinstance(number, float) else number
                        assert mine[key][name] == want_it, (service_id, channel, name)
                elif isinstance(value, float):
                    assert mine[key] == pytest.approx(value, rel=1e-12), (service_id, channel, key)
                else:
                    assert mine[key] == value, (service_id, channel, key)


def test_every_metric_matches_the_simulators_ground_truth(engine, app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    catalogue = app.state.catalogue.catalogue
    prefix = "S" + secrets.token_hex(3).upper()
    kw = dict(days=3, offices=3, seed=5, last_day=LAST, now=NOW, prefix=prefix, rate=80.0)
    truth = simulate(engine, catalogue, app.state.office_zones, truth=tmp_path / "t.json", **kw)
    assert json.loads((tmp_path / "t.json").read_text()) == truth
    assert truth["refused"] == 0 and truth["duplicates"] == 0 and truth["sessions"] > 300
    reasons = {r for c in truth["cells"] for r in c["ended"]}
    assert {"submitted", "abandoned_web", "idle_wipe"} <= reasons and reasons & funnel.HANDED_OFF
    channels = {c["channel"] for c in truth["cells"]}
    assert channels == set(funnel.CHANNELS)
    answers = sum(sum(c["feedback"].values()) for c in truth["cells"])
    assert answers > 30  # the one feedback question, answered after some endings
    ended = sum(sum(c["ended"].values()) for c in truth["cells"])
    assert ended < truth["sessions"]  # some were still going when the run ended

    again = simulate(engine, catalogue, app.state.office_zones, **kw)
    assert again["accepted"] == 0 and again["duplicates"] == truth["events"]

    periods = [f"2026-02-{d}" for d in (20, 21, 22)] + ["2026-02", "2026-W08", "2026-Q1"]
    with engine.connect() as conn:
        for office in truth["offices"]:
            for text in periods:
                period = Period.parse(text)
                cells = [
                    c
                    for c in truth["cells"]
                    if c["office"] == office
                    and period.first <= date.fromisoformat(c["day"]) <= period.last
                ]
                found = metrics(conn, period, catalogue, office=office)["services"]
                same(found, expected(cells, catalogue))


def test_the_command_writes_its_ground_truth(db_url, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    prefix = "C" + secrets.token_hex(3).upper()
    path = tmp_path / "truth.json"
    argv = ["simulate", "--db", db_url, "--days", "2", "--offices", "2", "--seed", "3"]
    argv += ["--last-day", "2026-01-06", "--prefix", prefix, "--truth", str(path), "--rate", "20"]
    assert main(argv) == 0
    truth = json.loads(path.read_text())
    out = capsys.readouterr().out
    assert f"{truth['sessions']} sessions" in out and str(path) in out
    assert truth["offices"] == [f"{prefix}01", f"{prefix}02"]
    assert truth["first_day"] == "2026-01-05" and truth["last_day"] == "2026-01-06"
    assert main([*argv[:-2], "--last-day", "2999-01-01"]) == 1

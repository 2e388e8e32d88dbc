"""Office and Service Scores by the CityScore method, from a hand-built history and a targets file;
every expected number is worked out by hand below. The targets file is checked like the catalogue.
The page shows the scores and drills down from a score to its metrics (both databases)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from funnel_support import session_events

from catalogue import funnel
from central.cli import main
from central.db.base import make_sessionmaker, session_scope
from central.measure import scores
from central.measure.metrics import Period, metrics
from central.measure.record import record_events
from central.measure.schemas import FunnelEventIn
from central.measure.targets import check, load
from central.settings import REPO_ROOT

ADDRESS, LETTER = "change-of-address", "proof-of-benefit"
DAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday: ISO week 2026-W10
LATER = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # the same month, another week
ALL_STEPS = ("where", "check_answers")
TARGETS = """\
[[targets]]
metric = "completion_rate"
better = "higher"
target = 0.8

[[targets]]
metric = "median_time_to_complete_s"
better = "lower"
target = 300

[[targets]]
metric = "digital_take_up"
better = "higher"
target = 0.5

[[targets]]
metric = "drop_off"
better = "lower"
target = 0.2

[[targets]]
metric = "satisfaction"
better = "higher"
target = 0.8

[[targets]]
metric = "completion_rate"
service = "proof-of-benefit"
better = "higher"
target = 0.5
"""


def history(engine, app, office: str) -> None:  # type: ignore[no-untyped-def]
    """change-of-address: kiosk 3 submitted in 200 s (every step) and 1 idle wipe after 'where';
    counter 1 submitted in 200 s. proof-of-benefit: kiosk 1 submitted in 100 s, 1 back to start
    at once. A week later: one change-of-address kiosk session wiped at once."""
    raw = []
    for _ in range(3):
        raw += session_events(ADDRESS, DAY, steps=ALL_STEPS, reason="submitted", duration_s=200)
    raw += session_events(ADDRESS, DAY, steps=("where",), reason="idle_wipe", duration_s=60)
    raw += session_events(
        ADDRESS, DAY, steps=ALL_STEPS, reason="submitted", duration_s=200, channel="counter"
    )
    raw += session_events(LETTER, DAY, steps=("who", "check_answers"), reason="submitted",
                          duration_s=100)  # fmt: skip
    raw += session_events(LETTER, DAY, reason="back_to_start", duration_s=5)
    raw += session_events(ADDRESS, LATER, reason="idle_wipe", duration_s=5)
    events = [FunnelEventIn.model_validate(e) for e in raw]
    with session_scope(make_sessionmaker(engine)) as session:
        out = record_events(
            session.connection(),
            events,
            office=office,
            device_id=None,
            channels=frozenset(funnel.CHANNELS),
            catalogue=app.state.catalogue.catalogue,
            zones=app.state.office_zones,
            now=datetime(2026, 3, 31, tzinfo=UTC),
        )
    assert out.accepted == len(events)


def targets(app):  # type: ignore[no-untyped-def]
    found, problems = check(TARGETS, "targets.toml", app.state.catalogue.catalogue)
    assert problems == []
    return found


# change-of-address on 2026-03-02, all channels: started 5, completed 4, failed 1.
#   completion 4/5 = 0.8 → 0.8/0.8 = 1; median: 4 sessions in (180, 240], rank 2 → 210 s →
#   300/210 = 10/7; digital take-up 3/4 → 0.75/0.5 = 1.5; drop-off 1 - 4/5 = 0.2 → 1;
#   satisfaction: no data (left out). Service Score (1 + 10/7 + 1.5 + 1) / 4 = 34.5/28.
# proof-of-benefit: started 2, completed 1, failed 1: completion 0.5 against its own 0.5 → 1;
#   median 1 session in (90, 120] → 105 s → 300/105 > 2: capped at 2; take-up 1/1 → 2;
#   drop-off 1 - 1/2 = 0.5 → 0.2/0.5 = 0.4. Service Score 5.4/4 = 1.35.
# Office Score: the 8 ratios together, (34.5/7 + 5.4)/8 = 72.3/56.
def test_office_and_service_scores_on_a_hand_built_day(engine, app, office) -> None:  # type: ignore[no-untyped-def]
    history(engine, app, office)
    catalogue = app.state.catalogue.catalogue
    with engine.connect() as conn:
        found = metrics(conn, Period.parse("2026-03-02"), catalogue, office=office)
    result = scores.score(found, targets(app))
    address, letter = result["services"][ADDRESS], result["services"][LETTER]
    assert [(e.target.metric, e.value, e.ratio) for e in address["entries"]] == [
        ("completion_rate", 0.8, 1.0),
        ("median_time_to_complete_s", 210.0, pytest.approx(10 / 7)),
        ("digital_take_up", 0.75, 1.5),
        ("drop_off", pytest.approx(0.2), pytest.approx(1.0)),
        ("satisfaction", None, None),
    ]
    assert address["score"] == pytest.approx(34.5 / 28)
    assert [(e.target.metric, e.target.target, e.ratio) for e in letter["entries"]] == [
        ("median_time_to_complete_s", 300, 2.0),
        ("digital_take_up", 0.5, 2.0),
        ("drop_off", 0.2, pytest.approx(0.4)),
        ("satisfaction", 0.8, None),
        ("completion_rate", 0.5, 1.0),  # its own target replaces the general one
    ]
    assert letter["score"] == pytest.approx(1.35)
    assert result["score"] == pytest.approx(72.3 / 56)
    assert [(e.service_id, e.target.metric) for e in result["top"]] == [
        (LETTER, "digital_take_up"),
        (LETTER, "median_time_to_complete_s"),
        (ADDRESS, "digital_take_up"),
        (ADDRESS, "median_time_to_complete_s"),
        (ADDRESS, "completion_rate"),
    ]
    assert [(e.service_id, e.target.metric) for e in result["bottom"]] == [
        (LETTER, "drop_off"),
        (ADDRESS, "completion_rate"),
        (ADDRESS, "drop_off"),
        (LETTER, "completion_rate"),
        (ADDRESS, "median_time_to_complete_s"),
    ]


# By period, for 2026-03-02: the day and week hold the same sessions (72.3/56). The month and the
# quarter add the wiped session of 03-10: change-of-address started 6, completed 4, failed 2 →
# completion 2/3 → (2/3)/0.8 = 5/6; drop-off 1 - 4/6 = 1/3 → 0.2 × 3 = 0.6; the rest unchanged.
# Month: (5/6 + 10/7 + 1.5 + 0.6 + 5.4) / 8 = 1.2202.
def test_scores_by_day_week_month_and_quarter(engine, app, office) -> None:  # type: ignore[no-untyped-def]
    history(engine, app, office)
    with engine.connect() as conn:
        found = scores.by_period(
            conn, date(2026, 3, 2), app.state.catalogue.catalogue, targets(app), office=office
        )
    month = (5 / 6 + 10 / 7 + 1.5 + 0.6 + 5.4) / 8
    assert [(p["kind"], p["period"], p["score"]) for p in found] == [
        ("Day", "2026-03-02", pytest.approx(72.3 / 56)),
        ("Week", "2026-W10", pytest.approx(72.3 / 56)),
        ("Month", "2026-03", pytest.approx(month)),
        ("Quarter", "2026-Q1", pytest.approx(month)),
    ]


def test_the_page_shows_the_scores_and_drills_down_to_their_metrics(  # type: ignore[no-untyped-def]
    client, engine, app, office, staff_login
):
    history(engine, app, office)
    app.state.targets, app.state.targets_problems = targets(app), []
    _, cookies = staff_login(office, role="analyst")
    client.cookies.update(cookies)
    html = client.get(f"/staff/performance?period=2026-03-02&office={office}").text
    assert f"Office Score – {office}" in html and '<span data-score="overall">1.29</span>' in html
    assert re.search(rf'<tr data-service="{ADDRESS}"><th scope="row"><a href="#score-{ADDRESS}">'
                     r"Report a change of address</a></th><td>1.23</td>", html)  # fmt: skip
    assert f'<section id="score-{ADDRESS}"' in html
    block = html.split(f'<section id="score-{LETTER}"')[1].split("</section>")[0]
    assert "<th scope=\"row\">Median time to complete</th><td>All channels</td><td>1 min 45 s</td>" \
        "<td>5 min 0 s</td><td>Lower</td><td>2.00</td>" in block  # fmt: skip
    assert "<td>no data</td><td>80%</td><td>Higher</td><td>–</td>" in block  # satisfaction
    assert '<tr data-kind="month"><th scope="row">Month</th><td>2026-03</td><td>1.22</td>' in html
    assert "<script" not in html
    app.state.targets, app.state.targets_problems = None, ["targets.toml:1: x: broken"]
    html = client.get(f"/staff/performance?period=2026-03-02&office={office}").text
    assert 'data-scores="off"' in html and "Office Score" not in html


def test_the_targets_file_is_checked_like_the_catalogue(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "targets.toml"
    bad.write_text(
        '[[targets]]\nmetric = "completion_rate"\nbetter = "lower"\ntarget = 85\n\n'
        '[[targets]]\nmetric = "drop_off"\nbetter = "lower"\ntarget = 0.3\nstep = "where"\n'
        'service = "no-such-service"\n\n'
        '[[targets]]\nmetric = "digital_take_up"\nbetter = "higher"\ntarget = 0.7\n'
        'channel = "kiosk"\n',
        encoding="utf-8",
    )
    services = str(REPO_ROOT / "config" / "services")
    assert main(["targets", "check", "--file", str(bad), "--catalogue", services]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{bad}:3: targets[0].better: higher is better for completion_rate",
        f"{bad}:4: targets[0].target: a rate is between 0 and 1 (0.85 for 85%)",
        f"{bad}:11: targets[1].service: no service 'no-such-service' in the catalogue",
        f"{bad}:17: targets[2].channel: digital take-up is across channels: no channel",
    ]
    shipped = REPO_ROOT / "config" / "targets.toml"
    assert main(["targets", "check", "--file", str(shipped), "--catalogue", services]) == 0
    assert "no problems" in capsys.readouterr().out
    assert load(shipped, None).targets  # every shipped target is well formed


def test_cost_per_transaction_from_unit_costs(engine, app, office) -> None:  # type: ignore[no-untyped-def]
    from central.measure import costs

    history(engine, app, office)
    catalogue = app.state.catalogue.catalogue
    source = (
        'currency = "GBP"\n[channels]\nkiosk = 1.5\ncounter = 9.0\n\n'
        '[[services]]\nservice = "proof-of-benefit"\nkiosk = 0.5\n'
    )
    unit, problems = costs.check(source, "unit_costs.toml", catalogue)
    assert problems == []
    with engine.connect() as conn:
        found = metrics(conn, Period.parse("2026-03-02"), catalogue, office=office)
    costs.annotate(found, unit)
    # change-of-address: 3 completed on the kiosk at 1.50 and 1 at the counter at 9.00 → 13.5/4
    assert found["services"][ADDRESS]["cost_per_transaction"] == pytest.approx(13.5 / 4)
    assert found["services"][LETTER]["cost_per_transaction"] == 0.5  # its own kiosk cost
    no_counter, _ = costs.check("[channels]\nkiosk = 1.5\n", "u.toml", catalogue)
    costs.annotate(found, no_counter)  # a channel with completions and no cost: unknown
    assert found["services"][ADDRESS]["cost_per_transaction"] is None
    costs.annotate(found, unit)
    cheap, _ = check(
        '[[targets]]\nmetric = "cost_per_transaction"\nbetter = "lower"\ntarget = 2.7\n', "t", None
    )
    address = scores.score(found, cheap)["services"][ADDRESS]
    assert address["score"] == pytest.approx(2.7 / 3.375)  # 0.8: dearer than the target
    _, problems = costs.check(
        'currency = "pounds"\n[channels]\nkiosk = -1\nfax = 2\n[[services]]\nservice = "x"\n',
        "unit_costs.toml",
        catalogue,
    )
    assert [str(p) for p in problems] == [
        "unit_costs.toml:1: currency: a 3-letter currency code, like GBP",
        "unit_costs.toml:3: channels.kiosk: must be a cost of 0 or more",
        "unit_costs.toml:4: channels.fax: unknown channel (one of kiosk, web, counter, phone, "
        "assisted)",
        "unit_costs.toml:6: services[0].service: no service 'x' in the catalogue",
    ]

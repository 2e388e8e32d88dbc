"""Funnel events through the real API into the rollups, and the metrics read from them (issue 13).

Every expected number is worked out by hand from the small history the test builds. Both databases.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from funnel_support import session_events
from sqlalchemy import select

from central.db.base import make_sessionmaker, session_scope
from central.measure.metrics import Period, metrics, quantile
from central.measure.models import FunnelRollup
from central.measure.record import WEB_CHANNELS, record_events
from central.measure.schemas import FunnelEventIn
from central.measure.zones import OfficeZones

ADDRESS = "change-of-address"
LETTER = "proof-of-benefit"
URL = "/api/v1/funnel"


def post(client, auth, events: list[dict[str, Any]]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post(URL, json={"events": events}, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def rollups(engine, office: str) -> dict[tuple[date, str, str, str, str], int]:  # type: ignore[no-untyped-def]
    R = FunnelRollup.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(R.c.day, R.c.service_id, R.c.channel, R.c.metric, R.c.key, R.c.value).where(
                R.c.office == office
            )
        )
        return {(r.day, r.service_id, r.channel, r.metric, r.key): r.value for r in rows}


def read(engine, period: str, office: str, app, **kw: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return metrics(
            conn, Period.parse(period), app.state.catalogue.catalogue, office=office, **kw
        )


def test_a_session_crossing_midnight_counts_on_the_day_it_started(
    client, auth, engine, office, app
):  # type: ignore[no-untyped-def]
    start = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)  # London is on GMT in early March
    events = session_events(
        ADDRESS, start, steps=("where", "check_answers"), reason="submitted", duration_s=1200
    )
    assert post(client, auth, events) == {"accepted": 4, "duplicates": 0, "refused": []}
    found = rollups(engine, office)
    assert {k[0] for k in found} == {date(2026, 3, 1)}
    assert found[(date(2026, 3, 1), ADDRESS, "kiosk", "started", "")] == 1
    assert found[(date(2026, 3, 1), ADDRESS, "kiosk", "ended", "submitted")] == 1
    assert found[(date(2026, 3, 1), ADDRESS, "kiosk", "duration_ms", "submitted")] == 1_200_000
    day = read(engine, "2026-03-01", office, app)["services"][ADDRESS]["channels"]["kiosk"]
    assert day["completed"] == 1 and day["completion_rate"] == 1.0
    assert day["median_s"] == 900 + 300 * 0.5  # the one session is in the (900, 1200] bucket
    assert read(engine, "2026-03-02", office, app)["services"] == {}


def test_an_offline_kiosks_events_arriving_a_day_late_land_on_the_day_they_happened(  # type: ignore[no-untyped-def]
    client, auth, engine, office, app, clock
):
    start = clock() - timedelta(days=1, hours=2)  # 2026-03-01 07:30 UTC; posted on 03-02
    events = session_events(LETTER, start, steps=("who",), reason="idle_wipe", duration_s=200)
    post(client, auth, events)
    found = rollups(engine, office)
    assert {k[0] for k in found} == {date(2026, 3, 1)}
    kiosk = read(engine, "2026-03-01", office, app)["services"][LETTER]["channels"]["kiosk"]
    assert (kiosk["started"], kiosk["completed"], kiosk["failed"]) == (1, 0, 1)
    assert kiosk["completion_rate"] == 0.0
    assert kiosk["drop_off"] == [
        {"step_id": "who", "reached": 1},
        {"step_id": "check_answers", "reached": 0},
    ]


def test_a_duplicate_delivery_counts_once(client, auth, engine, office, app, clock):  # type: ignore[no-untyped-def]
    events = session_events(
        ADDRESS, clock() - timedelta(hours=1), steps=("where",), reason="submitted"
    )
    assert post(client, auth, events)["accepted"] == 3
    assert post(client, auth, events) == {"accepted": 0, "duplicates": 3, "refused": []}
    assert post(client, auth, events[1:] + events[1:]) == {
        "accepted": 0,
        "duplicates": 4,
        "refused": [],
    }
    kiosk = read(engine, "2026-03-02", office, app)["services"][ADDRESS]["channels"]["kiosk"]
    assert (kiosk["started"], kiosk["completed"]) == (1, 1)
    assert kiosk["drop_off"][0] == {"step_id": "where", "reached": 1}


def test_an_office_in_another_time_zone_counts_its_own_days(  # type: ignore[no-untyped-def]
    client, auth, engine, office, app, make_device
):
    london_office = office + "L"
    _, london_token = make_device(london_office)
    app.state.office_zones = OfficeZones.of("Europe/London", **{office: "America/New_York"})
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 22:00 on 1 March in New York
    post(client, auth, session_events(ADDRESS, start, reason="submitted"))
    post(
        client,
        {"Authorization": f"Bearer {london_token}"},
        session_events(ADDRESS, start, reason="submitted"),
    )
    assert {k[0] for k in rollups(engine, office)} == {date(2026, 3, 1)}
    assert {k[0] for k in rollups(engine, london_office)} == {date(2026, 3, 2)}


def test_exact_metrics_of_a_small_history_across_channels(client, auth, engine, office, app, clock):  # type: ignore[no-untyped-def]
    day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    kiosk = [
        *session_events(
            ADDRESS,
            day,
            steps=("where", "check_answers"),
            reason="submitted",
            duration_s=200,
            features=("large_text", "audio"),
            handoff="phone",
        ),
        *session_events(
            ADDRESS,
            day,
            steps=("where", "check_answers"),
            reason="submitted",
            duration_s=250,
            features=("large_text",),
            language="cy",
        ),
        *session_events(ADDRESS, day, steps=("where",), reason="back_to_start", duration_s=40),
        *session_events(ADDRESS, day, steps=("where",), reason="idle_wipe", duration_s=400),
        *session_events(ADDRESS, day, steps=(), reason=None),  # still in progress (or lost)
        *session_events(
            ADDRESS,
            day,
            steps=("where", "check_answers"),
            reason="submitted",
            duration_s=400,
            channel="assisted",
            handoff="staff",
        ),
    ]
    assert post(client, auth, kiosk)["accepted"] == len(kiosk)
    web = [
        *session_events(ADDRESS, day, steps=("where",), reason="handed_off_staff", channel="web"),
        *session_events(
            ADDRESS,
            day,
            steps=("where", "check_answers"),
            reason="not_eligible",
            duration_s=100,
            channel="web",
        ),
    ]
    with session_scope(make_sessionmaker(engine)) as session:
        got = record_events(
            session.connection(),
            [FunnelEventIn.model_validate(e) for e in web],
            office=office,
            device_id=None,
            channels=WEB_CHANNELS,
            catalogue=app.state.catalogue.catalogue,
            zones=app.state.office_zones,
            now=clock(),
        )
    assert (got.accepted, got.duplicates) == (len(web), 0)
    found = read(engine, "2026-03", office, app)
    assert found["first"] == "2026-03-01" and found["last"] == "2026-03-31"
    service = found["services"][ADDRESS]
    k = service["channels"]["kiosk"]
    assert k["started"] == 5
    assert k["ended"] == {"back_to_start": 1, "idle_wipe": 1, "submitted": 2}
    assert (k["completed"], k["failed"], k["completion_rate"]) == (2, 2, 0.5)
    assert k["drop_off"] == [
        {"step_id": "where", "reached": 4},
        {"step_id": "check_answers", "reached": 2},
    ]
    # 200 s in (180, 240], 250 s in (240, 300]: median rank 1 → 240; p90 rank 1.8 → 240 + 60 × 0.8
    assert k["median_s"] == 240.0
    assert k["p90_s"] == pytest.approx(288.0)
    assert k["mean_s"] == 225.0
    assert k["features"] == {"audio": 1, "large_text": 2}
    assert k["languages"] == {"cy": 1, "en": 4}
    assert k["handoffs"] == {"phone": 1}
    w = service["channels"]["web"]
    assert (w["completed"], w["failed"], w["completion_rate"]) == (1, 0, 1.0)
    assert w["handoffs"] == {"ended_handed_off_staff": 1}
    everything = service["all"]
    assert (everything["started"], everything["completed"], everything["failed"]) == (8, 4, 2)
    assert everything["completion_rate"] == pytest.approx(4 / 6)
    assert everything["handoffs"] == {"ended_handed_off_staff": 1, "phone": 1, "staff": 1}
    assert service["digital_take_up"] == 1.0  # kiosk, web and assisted are all digital
    assert read(engine, "2026-W10", office, app)["services"][ADDRESS]["all"]["started"] == 8
    assert read(engine, "2026-Q1", office, app, service=LETTER)["services"] == {}


def test_every_office_together_is_the_sum_of_the_offices(
    client, auth, engine, office, app, make_device
):  # type: ignore[no-untyped-def]
    _, other = make_device(office + "B")
    day = datetime(2025, 7, 14, 10, 0, tzinfo=UTC)  # a day no other test uses
    post(client, auth, session_events(ADDRESS, day, reason="submitted"))
    post(
        client,
        {"Authorization": f"Bearer {other}"},
        session_events(ADDRESS, day, reason="idle_wipe"),
    )
    post(
        client,
        {"Authorization": f"Bearer {other}"},
        session_events(LETTER, day, reason="submitted"),
    )
    with engine.connect() as conn:
        everywhere = metrics(conn, Period.parse("2025-07-14"))
    assert everywhere["office"] is None
    address = everywhere["services"][ADDRESS]["all"]
    assert (address["started"], address["completed"], address["failed"]) == (2, 1, 1)
    assert everywhere["services"][LETTER]["all"]["started"] == 1
    one = read(engine, "2025-07-14", office, app)["services"]
    assert list(one) == [ADDRESS] and one[ADDRESS]["all"]["started"] == 1


def test_strict_shape_and_per_event_refusals(client, auth, clock):  # type: ignore[no-untyped-def]
    good = session_events(ADDRESS, clock() - timedelta(minutes=5), steps=("where",))
    assert client.post(URL, json={"events": good}).status_code == 401
    with_text = [{**good[0], "note": "Marker answer 12 Acacia Avenue"}]
    assert client.post(URL, json={"events": with_text}, headers=auth).status_code == 422
    bad_step = [{**good[1], "reason": "submitted"}]  # a step event has no reason
    assert client.post(URL, json={"events": bad_step}, headers=auth).status_code == 422
    free_id = [{**good[0], "service_id": "Marker Answer"}]
    assert client.post(URL, json={"events": free_id}, headers=auth).status_code == 422
    too_many = session_events(ADDRESS, clock(), steps=("where",) * 500)
    assert client.post(URL, json={"events": too_many}, headers=auth).status_code == 422
    odd = [
        {**good[0], "event_id": str(uuid.uuid4()), "service_id": "no-such-service"},
        {**good[1], "event_id": str(uuid.uuid4()), "step_id": "no-such-step"},
        {**good[0], "event_id": str(uuid.uuid4()), "channel": "web"},
        {
            **good[0],
            "event_id": str(uuid.uuid4()),
            "started_at": (clock() + timedelta(hours=2)).isoformat(),
            "occurred_at": (clock() + timedelta(hours=2)).isoformat(),
        },
        good[0],
    ]
    assert post(client, auth, odd) == {
        "accepted": 1,
        "duplicates": 0,
        "refused": [
            {"index": 0, "reason": "unknown_service"},
            {"index": 1, "reason": "unknown_step"},
            {"index": 2, "reason": "wrong_channel"},
            {"index": 3, "reason": "in_the_future"},
        ],
    }


def test_periods_and_quantiles() -> None:
    assert Period.parse("2026-02") == Period("2026-02", date(2026, 2, 1), date(2026, 2, 28))
    assert Period.parse("2026-Q4") == Period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    assert Period.parse("2026-W01").first == date(2025, 12, 29)
    assert Period.parse("2026-12").last == date(2026, 12, 31)
    with pytest.raises(ValueError, match="expected"):
        Period.parse("last month")
    assert quantile({}, 0.5) is None
    assert quantile({0: 2}, 0.5) == 7.5  # (0, 15]: rank 1 of 2
    assert quantile({16: 3}, 0.9) == 7200.0  # the open bucket answers its lower bound

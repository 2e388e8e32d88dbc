"""Handoff conversion per route from the cases' own handoff events (central.measure.handoffs),
on hand-built histories: a case handed off twice (declined, then confirmed), help asked at the
kiosk and on the web (one picked up), a slip resumed, a draft saved on the web and resumed at a
kiosk. Counted on the offer's day, office, service and channel. Every number by hand; both
databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from central.db.base import make_sessionmaker, session_scope
from central.db.models import Case
from central.handoff.history import append_event
from central.measure.feedback import fold_quietly
from central.measure.metrics import Period, metrics

T0 = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)  # a Sunday night in London; picked up on Monday


def case_with(engine, office: str, channel: str, events: list[tuple[str, str, dict, float]]):  # type: ignore[no-untyped-def]
    """A case made on ``channel`` with ``events`` [(type, channel, payload, seconds after T0)]."""
    from central.web.testkit import make_case

    with session_scope(make_sessionmaker(engine)) as s:
        case = make_case(s, office=office, device_id=None, now=T0, answers={"postcode": "x"})
        s.flush()
        s.execute(update(Case).where(Case.id == case.id).values(origin_channel=channel))
        for kind, ch, payload, seconds in events:
            actor = (
                "staff" if ch in ("counter", "phone", "staff") else "citizen"
            )  # the policy table
            append_event(s, case, type=kind, payload=payload, channel=ch, actor_type=actor,
                         actor_id=None, now=T0 + timedelta(seconds=seconds))  # fmt: skip
        return case.id


def offered(ch: str) -> tuple[str, str, dict, float]:
    return ("handed_off", ch, {"to": "web", "handoff_id": str(uuid.uuid4()), "stage": "offered"}, 0)


def test_handoff_conversion_per_route(engine, app, office, clock, client, staff_login) -> None:  # type: ignore[no-untyped-def]
    hid = str(uuid.uuid4())
    twice = [
        ("handed_off", "kiosk", {"to": "web", "handoff_id": hid, "stage": "offered"}, 0),
        ("handed_off", "kiosk", {"to": "web", "handoff_id": hid, "stage": "declined"}, 60),
        ("handed_off", "kiosk", {"to": "web", "handoff_id": hid, "stage": "offered"}, 120),
        ("handed_off", "web", {"to": "web", "handoff_id": hid, "stage": "claimed", "via": "qr"},
         150),
        ("handed_off", "kiosk", {"to": "web", "handoff_id": hid, "stage": "confirmed"}, 200),
    ]  # fmt: skip
    case_with(engine, office, "kiosk", twice)
    case_with(engine, office, "kiosk", [("help_requested", "kiosk", {"from": "kiosk"}, 0),
                                        ("assigned", "counter", {"staff_id": "stf_1"}, 900),
                                        ("unassigned", "counter", {}, 1000),
                                        ("assigned", "counter", {"staff_id": "stf_2"}, 2200)])  # fmt: skip
    case_with(engine, office, "web", [("help_requested", "web", {"from": "web"}, 10)])
    case_with(engine, office, "kiosk", [
        ("handed_off", "kiosk", {"to": "web", "stage": "slip_printed"}, 0),
        ("handed_off", "web", {"to": "web", "stage": "resumed", "via": "slip"}, 3000),
    ])  # fmt: skip
    case_with(engine, office, "web", [
        ("handed_off", "web", {"to": "web", "stage": "saved"}, 0),
        ("handed_off", "kiosk", {"to": "kiosk", "stage": "resumed", "via": "slip"}, 7000),
    ])  # fmt: skip
    case_with(engine, office, "kiosk", [("submitted", "kiosk", {}, 100),
                                        ("closed", "counter", {}, 100 + 30 * 3600)])  # fmt: skip
    for _ in range(2):  # the second run re-reads and adds nothing
        with engine.begin() as conn:
            fold_quietly(conn, app.state.office_zones, clock())
    with engine.connect() as conn:
        found = metrics(conn, Period.parse("2026-03-01"), app.state.catalogue.catalogue,
                        office=office)["services"]["change-of-address"]["channels"]  # fmt: skip
        monday = metrics(conn, Period.parse("2026-03-02"), None, office=office)["services"]
    # taken on Monday, counted on Sunday with its offer; only the queue wait after a member of
    # staff put the case back (at 00:06 on Monday, at the counter) counts on Monday
    counter = monday["change-of-address"]["channels"]["counter"]
    assert counter["routes"] == {} and counter["started"] == 0
    assert counter["queue"] == {
        "picked_up": 1,
        "median_wait_s": 1050.0,  # 1200 s: the (900, 1200] band
        "p90_wait_s": 1170.0,
        "over_service_level": 1.0,
    }
    assert found["kiosk"]["routes"] == {
        # offered twice, confirmed once, 80 s after the second offer: band (60, 90]
        "kiosk_phone": {"offered": 2, "taken": 1, "conversion": 0.5, "median_wait_s": 75.0},
        # 900 s: band (600, 900], rank 0.5 of 1
        "kiosk_staff": {"offered": 1, "taken": 1, "conversion": 1.0, "median_wait_s": 750.0},
        # 3000 s: band (2700, 3600]
        "slip_resume": {"offered": 1, "taken": 1, "conversion": 1.0, "median_wait_s": 3150.0},
    }
    # the staff queue: help asked at the kiosk, picked up 900 s later (within 15 minutes)
    assert found["kiosk"]["queue"] == {
        "picked_up": 1,
        "median_wait_s": 750.0,
        "p90_wait_s": 870.0,
        "over_service_level": 0.0,
    }
    assert found["web"]["queue"]["picked_up"] == 0
    # sent at the kiosk, closed 30 hours later: the (24 h, 48 h] band
    assert found["kiosk"]["outcome"] == {"closed": 1, "median_s": 36 * 3600.0,
                                         "p90_s": 45.6 * 3600}  # fmt: skip
    assert found["web"]["routes"] == {
        "web_staff": {"offered": 1, "taken": 0, "conversion": 0.0, "median_wait_s": None},
        # 7000 s: band (3600, 7200]
        "web_kiosk": {"offered": 1, "taken": 1, "conversion": 1.0, "median_wait_s": 5400.0},
    }
    _, cookies = staff_login(office, role="analyst")
    client.cookies.update(cookies)
    html = client.get(f"/staff/performance?period=2026-03&office={office}").text
    assert (
        '<tr><th scope="row">Kiosk → phone</th><td>2</td><td>1</td><td>50%</td>'
        "<td>1 min 15 s</td></tr>" in html
    )
    assert '<tr><th scope="row">Web → staff</th><td>1</td><td>0</td><td>0%</td><td>–</td>' in html
    # the month: waits of 900 s and 1200 s → median the top of (600, 900], p90 0.8 into the next
    assert "<td>2</td><td>15 min 0 s</td><td>19 min 0 s</td><td>50%</td>" in html  # the queue
    assert "<td>1</td><td>1.5 days</td><td>1.9 days</td>" in html  # time to outcome

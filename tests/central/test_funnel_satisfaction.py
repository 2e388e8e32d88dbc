"""Satisfaction from the one feedback event (feedback_given), folded into the rollups: % satisfied
or very satisfied, responses, response rate — per office × service × channel × day, with feedback
on cases and feedback with no case; a second fold adds nothing; the score and the page read it.
Every number worked out by hand. Both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from funnel_support import session_events
from sqlalchemy import func, select

from central.measure import scores
from central.measure.feedback import fold
from central.measure.metrics import Period, metrics
from central.measure.models import FunnelEvent
from central.measure.targets import check

SERVICE = "change-of-address"
DAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def new_case(client, auth) -> str:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    r = client.post(
        "/api/v1/cases",
        json={"id": case_id, "service_id": SERVICE, "answers": {"postcode": "SW1A 1AA"}},
        headers=auth | {"Idempotency-Key": case_id},
    )
    assert r.status_code == 201, r.text
    return case_id


def feedback(client, auth, case_id: str, score: int) -> None:  # type: ignore[no-untyped-def]
    body = {
        "event_id": str(uuid.uuid4()),
        "type": "feedback_given",
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "payload": {"score": score, "ending": "completed", "comment": "Ann Example was here"},
    }
    r = client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=auth)
    assert r.status_code in (200, 201), r.text


def loose(client, auth, service: str | None, score: int) -> None:  # type: ignore[no-untyped-def]
    body = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-03-02T09:10:00+00:00",
        "payload": {"score": score, "ending": "abandoned"},
    }
    if service:
        body["service_id"] = service
    assert client.post("/api/v1/feedback", json=body, headers=auth).status_code == 201


def history(client, auth) -> None:  # type: ignore[no-untyped-def]
    """4 kiosk sessions ended (3 submitted, 1 wiped); feedback 5, 4, 2 on three cases and 1 with
    no case (abandoned); one more with no service, which no service's figure can hold."""
    events = []
    for reason in ("submitted", "submitted", "submitted", "idle_wipe"):
        events += session_events(SERVICE, DAY, steps=("where",), reason=reason, duration_s=120)
    assert client.post("/api/v1/funnel", json={"events": events}, headers=auth).status_code == 200
    for score in (5, 4, 2):
        feedback(client, auth, new_case(client, auth), score)
    loose(client, auth, SERVICE, 1)
    loose(client, auth, None, 5)


def test_satisfaction_from_the_one_feedback_event(client, auth, engine, app, office, clock):  # type: ignore[no-untyped-def]
    history(client, auth)
    with engine.begin() as conn:
        assert fold(conn, app.state.office_zones, clock()) >= 4  # (other tests' feedback too)
    with engine.begin() as conn:
        assert fold(conn, app.state.office_zones, clock()) == 0  # re-read, nothing new
    with engine.connect() as conn:
        found = metrics(conn, Period.parse("2026-03-02"), app.state.catalogue.catalogue,
                        office=office)  # fmt: skip
        raw = conn.scalar(
            select(func.count())
            .select_from(FunnelEvent)
            .where(FunnelEvent.office == office, FunnelEvent.type == "feedback")
        )
        texts = conn.scalars(select(FunnelEvent.data).where(FunnelEvent.office == office)).all()
    assert raw == 4 and "Ann Example" not in repr(texts)  # the score and ending only
    kiosk = found["services"][SERVICE]["channels"]["kiosk"]
    assert kiosk["satisfaction"] == {
        "responses": 4,
        "satisfied": 2,  # 5 and 4
        "rate": 0.5,
        "response_rate": 1.0,  # 4 responses, 4 sessions ended
        "scores": {1: 1, 2: 1, 4: 1, 5: 1},
    }
    targets, problems = check(
        '[[targets]]\nmetric = "satisfaction"\nbetter = "higher"\ntarget = 0.8\n', "t.toml", None
    )
    assert problems == []
    (entry,) = scores.score(found, targets)["services"][SERVICE]["entries"]
    assert (entry.value, entry.ratio) == (0.5, pytest.approx(0.625))


def test_the_page_shows_satisfaction_folded_on_the_way(client, auth, office, staff_login):  # type: ignore[no-untyped-def]
    history(client, auth)
    _, cookies = staff_login(office, role="analyst")
    client.cookies.update(cookies)
    html = client.get(f"/staff/performance?period=2026-03&office={office}").text
    row = html.split('<tr data-channel="kiosk">')[1].split("</tr>")[0]
    assert row.endswith("<td>50% (4)</td><td></td>")  # folded before reading

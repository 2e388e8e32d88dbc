"""The web front door records its funnel sessions (central.measure.web), driven through the real
pages: started with the office and language, each step reached once, ended submitted, not
eligible (then a new attempt once an answer changes), handed to staff, or abandoned when the
drafts purge deletes the draft. No answer in any event. Expected numbers worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shipped_support import ADDRESS_STEPS, form_value, kit_on
from sqlalchemy import select

from central.db.models import Case
from central.measure.metrics import Period, metrics
from central.measure.models import FunnelEvent
from central.measure.web import WebMeasure
from central.web import drafts
from central.web.testkit import Kit

ADDRESS = "change-of-address"
TAX = "council-tax-single-person-discount"
DAY = "2026-11-23"  # the kit's clock: 09:00 UTC, the same day in London
STEPS = ADDRESS_STEPS


@pytest.fixture
def kit(tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on("sqlite", tmp_path / "funnel.db", "the web funnel") as kit:
        yield kit


@pytest.fixture(params=["sqlite", "postgresql"])
def any_kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on(request.param, tmp_path / "funnel.db", "the web funnel") as kit:
        yield kit


def start(kit: Kit, service: str = ADDRESS, lang: str = "en") -> tuple[TestClient, Case]:
    client = TestClient(kit.app, follow_redirects=False)
    with kit.sessions() as s:
        before = set(s.scalars(select(Case.id)))
    page = client.get(f"/start/{service}/office?lang={lang}").text
    r = client.post(
        f"/start/{service}/office?lang={lang}",
        data={"start": form_value(page, "start"), "office": "CARDIFF", "postcode": ""},
    )
    assert r.status_code == 303 and r.headers["location"] == "/case/next", r.text
    with kit.sessions() as s:
        (case,) = [c for c in s.scalars(select(Case)) if c.id not in before]
    return client, case


def step(client: TestClient, step_id: str, data: dict[str, str]) -> str:
    page = client.get(f"/case/step/{step_id}").text
    r = client.post(f"/case/step/{step_id}", data={"csrf": form_value(page, "csrf")} | data)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def csrf(client: TestClient, path: str = "/case/save") -> str:
    return form_value(client.get(path).text, "csrf")


def web(kit: Kit, service: str, period: str = DAY) -> dict[str, Any]:
    with kit.engine.connect() as conn:
        found = metrics(
            conn, Period.parse(period), kit.app.state.catalogue.catalogue, office="CARDIFF"
        )
    return found["services"][service]["channels"]["web"]


def raw(kit: Kit) -> list[FunnelEvent]:
    with kit.sessions() as s:
        return list(s.scalars(select(FunnelEvent).order_by(FunnelEvent.occurred_at)))


def test_a_web_journey_lands_in_the_rollups_on_channel_web(any_kit: Kit) -> None:
    kit = any_kit
    client, case = start(kit, lang="cy")
    assert step(client, "about-you", STEPS["about-you"]) == "/case/step/new-address"
    kit.clock.advance(60)
    step(client, "about-you", STEPS["about-you"])  # shown again: still counted once
    step(client, "new-address", STEPS["new-address"])
    step(client, "household", STEPS["household"])
    assert step(client, "contact", STEPS["contact"]) == "/case/check"
    kit.clock.advance(240)  # 5 minutes from the start to sending
    r = client.post("/case/submit", data={"csrf": csrf(client, "/case/check")})
    assert r.headers["location"] == "/case/done"
    r = client.post("/case/submit", data={"csrf": csrf(client, "/case/done")})  # sent already

    found = web(kit, ADDRESS)
    assert (found["started"], found["completed"], found["failed"]) == (1, 1, 0)
    assert found["ended"] == {"submitted": 1} and found["languages"] == {"cy": 1}
    assert [s["reached"] for s in found["drop_off"]] == [1, 1, 1, 1, 1]
    assert found["median_s"] == 240 + 60 * 0.5  # 300 s: the (240, 300] bucket
    assert web(kit, ADDRESS, "2026-11")["started"] == 1  # the month holds the day

    events = raw(kit)
    assert {e.channel for e in events} == {"web"} and {e.office for e in events} == {"CARDIFF"}
    assert {e.device_id for e in events} == {None} and len({e.session_id for e in events}) == 1
    assert case.id not in {e.session_id for e in events}
    text = repr([(e.type, e.data) for e in events])
    for answers in STEPS.values():
        for value in answers.values():
            assert len(value) < 3 or value not in text, value  # no answer in any event
    assert case.reference not in text


def test_need_help_ends_handed_off_staff_once(kit: Kit) -> None:
    client, _ = start(kit)
    step(client, "about-you", STEPS["about-you"])
    r = client.post("/case/help", data={"csrf": csrf(client, "/case/help")})
    assert r.headers["location"] == "/case/help/sent"
    step(client, "new-address", STEPS["new-address"])  # carries on while with staff: not counted
    found = web(kit, ADDRESS)
    assert found["ended"] == {"handed_off_staff": 1} and found["started"] == 1
    assert found["completion_rate"] is None and found["handoffs"] == {"ended_handed_off_staff": 1}
    assert [s["reached"] for s in found["drop_off"]][:3] == [1, 1, 0]


def test_not_eligible_then_a_changed_answer_is_a_new_attempt(kit: Kit) -> None:
    client, _ = start(kit, TAX)
    assert step(client, "who-lives-there", {"others_over_18": "yes"}) == "/case/outcome"
    assert step(client, "who-lives-there", {"others_over_18": "yes"}) == "/case/outcome"  # again
    found = web(kit, TAX)
    assert found["started"] == 1 and found["ended"] == {"not_eligible": 1}
    assert found["completion_rate"] == 1.0  # "not eligible" is complete (GOV.UK 2015)
    kit.clock.advance(30)
    assert step(client, "who-lives-there", {"others_over_18": "no"}) == "/case/step/since-when"
    found = web(kit, TAX)
    assert found["started"] == 2 and found["ended"] == {"not_eligible": 1}
    assert found["drop_off"][:2] == [
        {"step_id": "who-lives-there", "reached": 1},
        {"step_id": "since-when", "reached": 1},
    ]
    # Left there: the purge ends the second attempt, abandoned.
    kit.clock.advance(31 * 86400)
    measure = WebMeasure.of_app(kit.app)
    assert drafts.purge(kit.engine, kit.clock(), measure=measure) == 1
    found = web(kit, TAX)
    assert found["ended"] == {"abandoned_web": 1, "not_eligible": 1}
    assert (found["completed"], found["failed"], found["completion_rate"]) == (1, 1, 0.5)
    assert len({e.session_id for e in raw(kit)}) == 2


def test_the_drafts_purge_ends_abandoned_drafts(any_kit: Kit) -> None:
    kit = any_kit
    measure = WebMeasure.of_app(kit.app)
    left, _ = start(kit)
    step(left, "about-you", STEPS["about-you"])
    saved, _ = start(kit)  # saved with a PIN: a save is not an end
    r = saved.post(
        "/case/save", data={"csrf": csrf(saved), "factor_kind": "pin", "factor_pin": "4821"}
    )
    assert r.status_code == 200
    sent, _ = start(kit)
    for step_id, data in STEPS.items():
        step(sent, step_id, data)
    sent.post("/case/submit", data={"csrf": csrf(sent, "/case/check")})
    assert web(kit, ADDRESS)["ended"] == {"submitted": 1}

    kit.clock.advance(29 * 86400)
    assert drafts.purge(kit.engine, kit.clock(), measure=measure) == 0
    kit.clock.advance(2 * 86400)
    assert drafts.purge(kit.engine, kit.clock(), measure=measure) == 2
    assert drafts.purge(kit.engine, kit.clock(), measure=measure) == 0
    found = web(kit, ADDRESS)  # on the day they started, not the day they were purged
    assert found["started"] == 3 and found["ended"] == {"abandoned_web": 2, "submitted": 1}
    assert found["completion_rate"] == pytest.approx(1 / 3)
    assert [s["reached"] for s in found["drop_off"]] == [3, 2, 1, 1, 1]
    ended = [e.data for e in raw(kit) if e.type == "ended"]
    assert (
        sorted(e["duration_ms"] for e in ended if e["reason"] == "abandoned_web")
        == [7 * 86400 * 1000] * 2
    )  # a funnel session lasts at most 7 days


def test_a_purge_without_the_services_key_measures_nothing(kit: Kit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KIOSK_CENTRAL_SECRET_KEY", raising=False)
    start(kit)
    kit.clock.advance(31 * 86400)
    assert drafts.purge(kit.engine, kit.clock()) == 1  # the default: the key from the environment
    assert web(kit, ADDRESS)["ended"] == {}

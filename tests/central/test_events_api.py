"""Case events over HTTP on both databases: dedup by event_id, the fold, timeline, queue, heartbeat."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from central.db.base import make_sessionmaker
from central.db.models import Case, CaseEvent, DeviceStatus, Heartbeat

GOOD = {"postcode": "SW1A 1AA", "household": 2}


def create(client, auth) -> str:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    r = client.post(
        "/api/v1/cases",
        json={"id": case_id, "service_id": "change-of-address", "answers": GOOD},
        headers=auth | {"Idempotency-Key": case_id},
    )
    assert r.status_code == 201, r.text
    return case_id


def event(type_: str, **payload: object) -> dict[str, object]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": type_,
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "payload": payload,
    }


V1 = {"If-Match": '"1"'}
"""The ETag of a case just created."""


def rows(engine, case_id: str) -> list[CaseEvent]:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        return list(
            s.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == uuid.UUID(case_id))
                .order_by(CaseEvent.seq)
            )
        )


def test_new_event_201_replay_200_with_the_stored_event(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    ev = event("answers_changed", answers={"contact": "phone"})
    first = client.post(f"/api/v1/cases/{case_id}/events", json=ev, headers=auth | V1)
    assert first.status_code == 201, first.text
    assert first.json()["seq"] == 2
    replay = client.post(f"/api/v1/cases/{case_id}/events", json=ev | {"payload": {}}, headers=auth)
    assert replay.status_code == 200
    assert replay.json() == first.json()  # the stored event, not the replayed body
    assert [r.type for r in rows(engine, case_id)] == ["created", "answers_changed"]


def test_batch_mixes_new_and_replayed_and_folds_in_order(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    a = event("answers_changed", answers={"household": 4})
    assert client.post(f"/api/v1/cases/{case_id}/events", json=a, headers=auth | V1).is_success
    b = event("submitted")  # with ``a`` a replay, the batch needs no If-Match
    r = client.post(f"/api/v1/cases/{case_id}/events", json={"events": [a, b]}, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["replayed"] == [True, False]
    assert [e["seq"] for e in body["events"]] == [2, 3]
    assert body["case"]["status"] == "submitted" and body["case"]["version"] == 3
    assert r.headers["etag"] == '"3"'
    again = client.post(f"/api/v1/cases/{case_id}/events", json={"events": [a, b]}, headers=auth)
    assert again.status_code == 200 and again.json()["replayed"] == [True, True]
    assert len(rows(engine, case_id)) == 3


def test_event_id_of_another_case_is_409(client, auth) -> None:  # type: ignore[no-untyped-def]
    one, two = create(client, auth), create(client, auth)
    ev = event("help_requested")
    assert client.post(f"/api/v1/cases/{one}/events", json=ev, headers=auth).status_code == 201
    assert client.post(f"/api/v1/cases/{two}/events", json=ev, headers=auth).status_code == 409


def test_submit_with_missing_required_answer_is_422_nothing_written(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    remove = event("answers_changed", answers={"household": None})
    r = client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"events": [remove, event("submitted")]},
        headers=auth | V1,
    )
    assert r.status_code == 422
    assert "household" in {e["field"] for e in r.json()["errors"]}
    assert [x.type for x in rows(engine, case_id)] == ["created"]  # the whole batch was refused


def test_illegal_transition_is_409(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    assert (
        client.post(
            f"/api/v1/cases/{case_id}/events", json=event("submitted"), headers=auth
        ).status_code
        == 201
    )
    r = client.post(f"/api/v1/cases/{case_id}/events", json=event("submitted"), headers=auth)
    assert r.status_code == 409 and r.json()["type"].endswith("illegal-transition")


def test_staff_only_events_are_refused_to_devices(client, auth) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    r = client.post(
        f"/api/v1/cases/{case_id}/events", json=event("note_added", text="hi"), headers=auth
    )
    assert r.status_code == 403


def test_timeline_is_in_seq_order_and_stored_fields_are_kept(client, auth, device, clock) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    clock.advance(minutes=1)
    ev = event("handed_off", to="web") | {
        "actor_type": "staff",
        "actor_id": "badge-7",
        "channel": "assisted",
    }
    client.post(f"/api/v1/cases/{case_id}/events", json=ev, headers=auth)
    clock.advance(minutes=1)
    client.post(f"/api/v1/cases/{case_id}/events", json=event("help_requested"), headers=auth)
    r = client.get(f"/api/v1/cases/{case_id}/events", headers=auth)
    assert r.status_code == 200
    evs = r.json()["events"]
    assert [e["type"] for e in evs] == ["created", "handed_off", "help_requested"]
    assert [e["seq"] for e in evs] == [1, 2, 3]
    assert evs[1]["channel"] == "assisted" and evs[1]["actor_id"] == "badge-7"
    assert evs[1]["device_id"] == device[0]
    assert evs[1]["occurred_at"].startswith("2026-03-02T09:00:00")  # client clock
    assert evs[1]["received_at"].startswith("2026-03-02T09:31:00")  # server clock


def test_queue_lists_waiting_cases_oldest_first(client, auth, office, clock, staff_login) -> None:  # type: ignore[no-untyped-def]
    first, second, not_waiting = create(client, auth), create(client, auth), create(client, auth)
    client.post(f"/api/v1/cases/{second}/events", json=event("help_requested"), headers=auth)
    clock.advance(seconds=30)
    client.post(f"/api/v1/cases/{first}/events", json=event("handed_off", to="staff"), headers=auth)
    _, cookies = staff_login(office)
    r = client.get(f"/api/v1/offices/{office}/queue", cookies=cookies)
    assert r.status_code == 200, r.text
    ids = [c["id"] for c in r.json()["cases"]]
    assert ids == [second, first]
    assert not_waiting not in ids
    assert client.get(f"/api/v1/offices/{office}/queue", headers=auth).status_code == 401
    _, elsewhere = staff_login("OTHER")
    forbidden = client.get(f"/api/v1/offices/{office}/queue", cookies=elsewhere)
    assert forbidden.status_code == 403


def test_staff_take_note_and_close_a_case(client, auth, office, staff_login, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    client.post(f"/api/v1/cases/{case_id}/events", json=event("help_requested"), headers=auth)
    staff_id, cookies = staff_login(office)
    batch = {
        "events": [
            event("assigned", staff_id=staff_id),
            event("note_added", text="rang"),
            event("closed"),
        ]
    }
    r = client.post(f"/api/v1/cases/{case_id}/events", json=batch, cookies=cookies)
    assert r.status_code == 201, r.text
    assert r.json()["case"]["status"] == "closed"
    stored = rows(engine, case_id)
    assert [(x.type, x.channel, x.actor_type, x.actor_id) for x in stored[-3:]] == [
        ("assigned", "staff", "staff", staff_id),
        ("note_added", "staff", "staff", staff_id),
        ("closed", "staff", "staff", staff_id),
    ]
    _, elsewhere = staff_login("OTHER")
    assert client.get(f"/api/v1/cases/{case_id}", cookies=elsewhere).status_code == 404


def test_projection_equals_fold_of_stored_events(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    from central.cases_service import state_of
    from central.fold import Event, fold

    case_id = create(client, auth)
    etag = '"1"'
    for ev in (
        event("answers_changed", answers={"contact": "post"}),
        event("help_requested"),
        event("answers_changed", answers={"household": 5}),
        event("submitted"),
    ):
        r = client.post(
            f"/api/v1/cases/{case_id}/events", json=ev, headers=auth | {"If-Match": etag}
        )
        assert r.status_code == 201
        etag = r.headers["etag"]
    stored = rows(engine, case_id)
    folded = fold(Event(r.type, r.payload, r.received_at, r.channel) for r in stored)
    with make_sessionmaker(engine)() as s:
        case = s.get(Case, uuid.UUID(case_id))
        projected = state_of(case)
    assert (projected.status, projected.answers, projected.version) == (
        folded.status,
        folded.answers,
        folded.version,
    )
    assert folded.status == "submitted" and folded.answers["household"] == 5


def test_heartbeat_stores_history_and_latest(client, auth, engine, device, clock) -> None:  # type: ignore[no-untyped-def]
    beat = {
        "software_version": "1.2.3",
        "outbox_depth": 4,
        "device_states": {"printer": {"state": "IDLE"}},
    }
    r = client.post("/api/v1/devices/heartbeat", json=beat, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["interval_s"] == 30
    clock.advance(seconds=30)
    r = client.post("/api/v1/devices/heartbeat", json=beat | {"outbox_depth": 0}, headers=auth)
    assert r.status_code == 200
    with make_sessionmaker(engine)() as s:
        n = s.scalar(
            select(func.count()).select_from(Heartbeat).where(Heartbeat.device_id == device[0])
        )
        latest = s.get(DeviceStatus, device[0])
    assert n == 2
    assert latest is not None and latest.outbox_depth == 0 and latest.software_version == "1.2.3"
    assert latest.device_states == {"printer": {"state": "IDLE"}}
    assert latest.received_at == clock()
    assert client.post("/api/v1/devices/heartbeat", json=beat).status_code == 401
    bad = client.post("/api/v1/devices/heartbeat", json=beat | {"outbox_depth": -1}, headers=auth)
    assert bad.status_code == 422


def test_catalogue_routes(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/catalogue")
    assert r.status_code == 200
    assert {s["id"] for s in r.json()["services"]} == {"change-of-address", "proof-of-benefit"}
    assert client.get("/api/v1/catalogue/change-of-address").json()["id"] == "change-of-address"
    missing = client.get("/api/v1/catalogue/nope")
    assert (
        missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    )


def test_health_and_readiness(client, engine) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "migrations": "ok", "catalogue": "ok"}


def test_feedback_given_is_history_only_and_its_payload_is_checked(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    for bad in ({"score": 5}, {"score": "4"}, {"score": 2, "reason": "x" * 1001}, {}):
        r = client.post(f"/api/v1/cases/{case_id}/events", json=event("feedback_given", **bad),
                        headers=auth)  # fmt: skip
        assert r.status_code == 422 and r.json()["type"].endswith("bad-event-payload"), r.text
    before = client.get(f"/api/v1/cases/{case_id}", headers=auth).json()["status"]
    ok = event("feedback_given", score=3, reason="Clear enough")
    assert client.post(f"/api/v1/cases/{case_id}/events", json=ok, headers=auth).status_code == 201
    assert client.get(f"/api/v1/cases/{case_id}", headers=auth).json()["status"] == before
    assert [r.type for r in rows(engine, case_id)] == ["created", "feedback_given"]


def test_answers_changed_needs_if_match_like_a_patch(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    """Item 8 of issue 16: the events route is no way around PATCH's optimistic concurrency."""
    case_id = create(client, auth)
    url = f"/api/v1/cases/{case_id}/events"
    change = event("answers_changed", answers={"household": 7})
    for body in (change, {"events": [event("help_requested"), change]}):
        r = client.post(url, json=body, headers=auth)
        assert r.status_code == 428 and r.json()["type"].endswith("if-match-required")
    assert client.post(url, json=event("help_requested"), headers=auth).status_code == 201
    stale = client.post(url, json=change, headers=auth | V1)  # the case is at version 2 now
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    assert [r.type for r in rows(engine, case_id)] == ["created", "help_requested"]
    done = client.post(url, json=change, headers=auth | {"If-Match": '"2"'})
    assert done.status_code == 201 and done.json()["payload"]["answers"] == {"household": 7}
    replay = client.post(url, json=change, headers=auth)  # a retry needs no If-Match
    assert replay.status_code == 200


def test_a_kiosk_records_staff_only_as_assisted_and_never_the_system(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    url = f"/api/v1/cases/{case_id}/events"
    for claim in (
        {"actor_type": "staff"},
        {"actor_type": "staff", "channel": "kiosk"},
        {"actor_type": "system"},
        {"actor_type": "system", "channel": "assisted"},
    ):
        r = client.post(url, json=event("help_requested") | claim, headers=auth)
        assert r.status_code == 422 and r.json()["type"].endswith("actor-not-allowed"), claim
    r = client.patch(
        f"/api/v1/cases/{case_id}/answers",
        json={"answers": {"household": 3}, "actor_type": "staff"},
        headers=auth | V1,
    )
    assert r.status_code == 422
    body = {"id": str(uuid.uuid4()), "service_id": "change-of-address", "actor_type": "staff"}
    r = client.post("/api/v1/cases", json=body, headers=auth | {"Idempotency-Key": body["id"]})
    assert r.status_code == 422
    # A member of staff who swiped a badge at the kiosk: staff, on the assisted channel. A kiosk
    # claiming the staff console's channel is recorded as assisted too.
    for claim in ({"actor_type": "staff", "channel": "assisted"}, {"channel": "staff"}):
        r = client.post(url, json=event("note_added", text="x") | claim, headers=auth)
        assert r.status_code == 403  # staff-only events stay staff-only
        r = client.post(url, json=event("feedback_given", score=3) | claim, headers=auth)
        assert r.status_code == 201, r.text
        assert r.json()["channel"] == "assisted" and r.json()["device_id"] is not None
    assert [(e.actor_type, e.channel) for e in rows(engine, case_id)][1:] == [
        ("staff", "assisted"),
        ("citizen", "assisted"),
    ]

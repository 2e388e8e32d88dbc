"""The client against a real central (`kiosk-central serve` on loopback, SQLite): what the kiosk
sends is what central stores, replays are harmless, and every failure arrives as our own error."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from kiosk.link import CentralClient, Conflict, Offline, Rejected, Unauthorised
from kiosk.runtime.fleet import FleetAgent

ANSWERS = {"full_name": "Ann Example", "ni_number": "AB123456C", "date_of_birth": "1980-04-02"}


def event(kind: str = "help_requested") -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "type": kind,
        "occurred_at": datetime.now(UTC).isoformat(),
        "payload": {},
    }


def new_case(c: CentralClient, key: str | None = None) -> dict:
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "service_id": "change-of-address", "answers": ANSWERS}
    return c.create_case(body, key or f"create-{case_id}")


def test_create_replay_events_and_etags(live_central):
    c = CentralClient(live_central.url, live_central.token, timeout_s=5)
    first = new_case(c, "same-key")
    again = c.create_case(
        {"id": first["id"], "service_id": "change-of-address", "answers": ANSWERS}, "same-key"
    )
    assert again == first
    assert first["reference"].startswith("DEMO-")
    rows = live_central.sql("SELECT count(*) FROM cases")
    assert rows == [(1,)]

    e = event()
    c.append_events(first["id"], [e])
    replay = c.append_events(first["id"], [e])
    assert replay["replayed"] == [True]
    types = [x["type"] for x in c.events(first["id"])]
    assert types == ["created", "help_requested"]

    body, etag = c.get_case(first["id"])
    assert body["reference"] == first["reference"] and etag
    _, etag2 = c.patch_answers(first["id"], {**ANSWERS, "full_name": "Ann Other"}, etag)
    assert etag2 != etag
    with pytest.raises(Conflict) as err:
        c.patch_answers(first["id"], ANSWERS, etag)
    assert err.value.status == 412


def test_refusals_are_typed(live_central):
    c = CentralClient(live_central.url, live_central.token)
    with pytest.raises(Rejected) as err:
        c.create_case(
            {"id": str(uuid.uuid4()), "service_id": "change-of-address",
             "answers": {"ni_number": "not an NI number"}},
            "k-bad",
        )  # fmt: skip
    assert err.value.status == 422 and err.value.problem["status"] == 422
    forged = CentralClient(live_central.url, live_central.device_id + ".forged-secret")
    with pytest.raises(Unauthorised):
        forged.events(str(uuid.uuid4()))
    assert live_central.sql("SELECT count(*) FROM cases") == [(0,)]


def test_down_is_offline_quickly_and_heartbeats_land(live_central):
    c = CentralClient(live_central.url, live_central.token, retries=1, backoff_base_s=0.01)
    assert c.ping() < 5
    agent = FleetAgent(c, lambda: {"printer": {"state": "idle", "condition": "online"}}, lambda: 3)
    assert agent.beat().ok
    rows = live_central.sql("SELECT outbox_depth, software_version FROM device_status")
    assert rows == [(3, agent.version)]
    live_central.stop()
    with pytest.raises(Offline):
        c.catalogue()
    result = agent.beat()
    assert not result.ok and "Offline" in result.detail

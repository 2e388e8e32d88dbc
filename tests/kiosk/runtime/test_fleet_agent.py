"""The fleet agent's heartbeat body and its failure handling (a fake sender collaborator; the real
central is exercised in test_runtime_central.py)."""

from __future__ import annotations

from kiosk.runtime.fleet import FleetAgent


class Sender:
    def __init__(self, answer=None, error: Exception | None = None) -> None:
        self.bodies: list[dict] = []
        self.answer = answer if answer is not None else {"interval_s": 30}
        self.error = error

    def heartbeat(self, body):
        self.bodies.append(body)
        if self.error:
            raise self.error
        return self.answer


STATES = {
    "receipt-printer": {
        "name": "receipt-printer",
        "driver": "escpos",
        "kind": "receipt_printer",
        "state": "idle",
        "condition": "user_error",
        "faults": [{"code": "paper_out", "hint": "clear"}],
        "statistics": {"lines": 12, "cuts": 1},
        "last_status_at": 1.0,
    }
}


def test_body_carries_states_depth_and_version_only():
    sender = Sender()
    agent = FleetAgent(sender, lambda: STATES, lambda: 7, version="1.2.3")
    assert agent.beat().ok
    body = sender.bodies[0]
    assert body["software_version"] == "1.2.3"
    assert body["outbox_depth"] == 7
    printer = body["device_states"]["receipt-printer"]
    assert printer["condition"] == "user_error" and printer["faults"][0]["code"] == "paper_out"
    assert "last_status_at" not in printer and "name" not in printer


def test_failure_is_counted_not_raised_and_interval_follows_central():
    failing = FleetAgent(Sender(error=ConnectionError("down")), lambda: {}, lambda: 0)
    result = failing.beat()
    assert not result.ok and "ConnectionError" in result.detail and failing.failed == 1
    slow = FleetAgent(Sender(answer={"interval_s": 120}), lambda: {}, lambda: 0)
    slow.beat()
    assert slow.interval_s == 120
    absurd = FleetAgent(Sender(answer={"interval_s": 0}), lambda: {}, lambda: 0)
    absurd.beat()
    assert absurd.interval_s == 30

"""The kiosk's fleet agent says in every beat which configuration bundle it runs (issue 14 item 3),
says nothing when none is installed, and keeps beating against a central too old to know the member
(it refuses it with 422: the agent beats again without it and from then on)."""

from __future__ import annotations

from typing import Any

from kiosk.link.errors import Rejected
from kiosk.runtime.fleet import FleetAgent


class Central:
    def __init__(self, knows_bundles: bool = True) -> None:
        self.knows_bundles = knows_bundles
        self.bodies: list[dict[str, Any]] = []

    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        if not self.knows_bundles and "bundle_version" in body:
            raise Rejected(422, {"title": "extra member"})
        return {"interval_s": 30, "commands": []}


def agent(central: Central, installed: list[int | None]) -> FleetAgent:
    return FleetAgent(central, dict, lambda: 0, version="1.0", bundle_version=lambda: installed[0])


def test_every_beat_says_the_bundle_it_runs() -> None:
    central, installed = Central(), [None]
    fleet = agent(central, installed)
    assert fleet.beat().ok
    installed[0] = 7
    assert fleet.beat().ok
    assert [b.get("bundle_version") for b in central.bodies] == [None, 7]
    assert "bundle_version" not in central.bodies[0]


def test_an_older_central_gets_beats_without_it() -> None:
    central = Central(knows_bundles=False)
    fleet = agent(central, [4])
    assert fleet.beat().ok
    assert fleet.beat().ok
    assert fleet.sent == 2 and fleet.failed == 0
    assert [("bundle_version" in b) for b in central.bodies] == [True, False, False]

"""A phone handoff carries the person's preferences (kiosk.link.client.CentralClient): the request
for that case's handoff has them, the next one (or another case's) has none; central refusing
them (422) still gives the citizen a handoff; the screens reach the runtime's client through
kiosk.runtime.phone.carry_on_handoff."""

from __future__ import annotations

import json
from typing import Any

from kiosk.link.client import CentralClient
from kiosk.link.transport import HttpResponse
from kiosk.runtime.phone import carry_on_handoff

CARRIED = {"language": "cy", "text_size": 3, "theme": "high-contrast-light", "reach_mode": True}
OFFER = {"id": "h1", "display_code": "BCDFG-HJKL-MNPQ", "verification_uri_complete": "x#s"}


class Central:
    """The transport: records each request's body; refuses preferences when told to."""

    def __init__(self, refuse_preferences: bool = False) -> None:
        self.bodies: list[Any] = []
        self.refuse_preferences = refuse_preferences

    def __call__(self, method, url, headers, body, timeout) -> HttpResponse:  # type: ignore[no-untyped-def]
        sent = json.loads(body) if body else None
        self.bodies.append(sent)
        if self.refuse_preferences and sent and "preferences" in sent:
            problem = {"title": "Unprocessable", "detail": "preferences.speech: extra"}
            return HttpResponse(422, {}, json.dumps(problem).encode())
        return HttpResponse(201, {}, json.dumps(OFFER).encode())


def test_that_cases_handoff_carries_them_once() -> None:
    central = Central()
    client = CentralClient("http://central", "token", transport=central, retries=0)
    assert carry_on_handoff(type("Runtime", (), {"client": client})(), "case-1", CARRIED)
    assert client.create_handoff("case-1")["id"] == "h1"
    assert central.bodies == [{"preferences": CARRIED}]
    client.create_handoff("case-1")  # "try again": nothing of the person is left to send
    assert central.bodies[-1] is None


def test_another_cases_handoff_carries_nothing() -> None:
    central = Central()
    client = CentralClient("http://central", "token", transport=central, retries=0)
    client.carry_on_handoff("case-1", CARRIED)
    client.carry_on_handoff("case-2", {"language": "en"})
    client.create_handoff("case-1")
    assert central.bodies == [None]


def test_refused_preferences_still_make_the_handoff() -> None:
    central = Central(refuse_preferences=True)
    client = CentralClient("http://central", "token", transport=central, retries=0)
    client.carry_on_handoff("case-1", CARRIED | {"speech": "on"})
    assert client.create_handoff("case-1")["id"] == "h1"
    assert [b is not None for b in central.bodies] == [True, False]


def test_a_backend_without_a_client_is_told_so() -> None:
    assert carry_on_handoff(object(), "case-1", CARRIED) is False

"""The typed phone fallback: ``<base>/h`` asks for the one code the kiosk shows (``HHHHH-XXXX-XXXX``,
the handoff's handle then its 8 letters) and nothing else. Found by that code alone, typed as a
person types it; a wrong code counts against its handoff (tries left, then locked) and the client;
single use, short-lived; the page in the kiosk's language."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from central.handoff import codes
from central.handoff.models import Handoff
from central.handoff.ratelimit import SlidingWindowLimiter
from central.web.testkit import Kit, build

LETTERS = "[BCDFGHJKLMNPQRSTVWXZ]"


@pytest.fixture
def kit(tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'c.db'}")
    kit.app.state.attempt_limiter = SlidingWindowLimiter(1000, 60)
    yield kit
    kit.engine.dispose()


def offer(kit: Kit) -> dict:
    case = kit.new_case({"full_name": "Ann Example"})
    r = TestClient(kit.app).post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth)
    assert r.status_code == 201, r.text
    return r.json()


def phone() -> dict:
    return {"follow_redirects": False}


def failed_attempts(kit: Kit, h: dict) -> int:
    with kit.sessions() as s:
        return s.scalar(select(Handoff.failed_attempts).where(Handoff.id == uuid.UUID(h["id"])))


# ---- the code --------------------------------------------------------------------------------
def test_the_kiosk_code_is_the_handle_then_the_display_code() -> None:
    handle = codes.new_short_id()
    assert re.fullmatch(f"{LETTERS}{{5}}", handle)
    code = codes.kiosk_code(handle, "MCVM-THHJ")
    assert code == f"{handle}-MCVM-THHJ"
    assert codes.split_kiosk_code(code) == (handle, "MCVM-THHJ")
    # A handoff of the old 6-character short ids has no handle: it shows its 8 letters alone.
    assert codes.kiosk_code("K7Q2X9", "MCVM-THHJ") == "MCVM-THHJ"


@pytest.mark.parametrize(
    "typed",
    ["BCDFG-MCVM-THHJ", "bcdfg-mcvm-thhj", "bcdfg mcvm thhj", "BCDFGMCVMTHHJ", " bcdfg–mcvm—thhj "],
)
def test_a_typed_code_is_read_as_people_type_it(typed: str) -> None:
    assert codes.split_kiosk_code(typed) == ("BCDFG", "MCVM-THHJ")


@pytest.mark.parametrize(
    "typed", ["", "MCVM-THHJ", "BCDFG-MCVM-THHJ-B", "ACDFG-MCVM-THHJ", "BCDF-MCVM-THHJ", "K7Q2X9"]
)
def test_what_cannot_be_a_kiosk_code_is_refused(typed: str) -> None:
    assert codes.split_kiosk_code(typed) is None


def test_handles_and_old_short_ids_are_both_read() -> None:
    assert codes.normalise_short_id("bcdfg") == "BCDFG"
    assert codes.normalise_short_id("k7q2x9") == "K7Q2X9"
    assert codes.normalise_short_id("BCD2") is None  # a handle has letters only


# ---- the page ------------------------------------------------------------------------------------
def test_the_kiosk_address_asks_for_the_one_code(kit: Kit) -> None:
    h = offer(kit)
    assert h["verification_uri"] == "http://testserver/h"
    page = TestClient(kit.app).get("/h").text
    assert page.count('class="input ') == 1 and 'name="code"' in page
    assert "short_id" not in page and "Kiosk code" not in page
    assert "Continue on your phone" in page and "13 letters" in page
    # The old typed-fallback address shows the same one-code page.
    old = TestClient(kit.app).get("/h/K7Q2X9").text
    assert old.count('class="input ') == 1 and "short_id" not in old


def test_the_code_alone_opens_the_case(kit: Kit) -> None:
    h = offer(kit)
    client = TestClient(kit.app, **phone())
    r = client.post("/h/code", data={"code": h["display_code"].lower().replace("-", " ")})
    assert r.status_code == 303 and r.headers["location"] == "/case"
    assert "case_session" in r.headers["set-cookie"]
    status = TestClient(kit.app).get(f"/api/v1/handoffs/{h['id']}", headers=kit.auth).json()
    assert status["status"] == "claimed"
    # The phone shows the very code the kiosk showed, to compare before the kiosk confirms.
    page = client.get("/case")
    assert f'data-testid="display-code">{h["display_code"]}<' in page.text
    # Single use: the same code again is refused, whoever types it.
    again = TestClient(kit.app, **phone()).post("/h/code", data={"code": h["display_code"]})
    assert again.status_code == 409 and "already been used" in again.text


def test_a_wrong_code_says_how_many_tries_are_left_and_counts_on_its_handoff(kit: Kit) -> None:
    h = offer(kit)
    handle, display = codes.split_kiosk_code(h["display_code"]) or ("", "")
    wrong = f"{handle}-{'BBBB-BBBB' if display != 'BBBB-BBBB' else 'CCCC-CCCC'}"
    client = TestClient(kit.app, **phone())
    r = client.post("/h/code", data={"code": wrong})
    assert r.status_code == 400
    assert "The code does not match the kiosk" in r.text and "You have 4 tries left." in r.text
    assert 'href="#f-code"' in r.text and f'value="{wrong}"' in r.text
    assert failed_attempts(kit, h) == 1
    # In Welsh too, when the kiosk's address carried ?lang=cy.
    r = client.post("/h/code?lang=cy", data={"code": wrong})
    assert '<html lang="cy">' in r.text and "Mae gennych 3 cynnig ar ôl." in r.text
    assert failed_attempts(kit, h) == 2


def test_a_code_of_no_handoff_is_not_found_and_counts_on_the_client(kit: Kit) -> None:
    kit.app.state.attempt_limiter = SlidingWindowLimiter(2, 60)
    h = offer(kit)
    handle = h["display_code"][:4]
    other = "BCDFG" if handle != "BCDFG" else "CDFGH"
    client = TestClient(kit.app, **phone())
    r = client.post("/h/code", data={"code": f"{other}-{h['display_code'][6:]}"})
    assert r.status_code == 404 and "We could not find that code" in r.text
    assert failed_attempts(kit, h) == 0
    client.post("/h/code", data={"code": f"{other}-{h['display_code'][6:]}"})
    r = client.post("/h/code", data={"code": h["display_code"]})  # even the right one, for now
    assert r.status_code == 429 and "Too many attempts" in r.text


def test_a_code_of_the_wrong_shape_is_explained_and_costs_no_try(kit: Kit) -> None:
    h = offer(kit)
    client = TestClient(kit.app, **phone())
    r = client.post("/h/code", data={"code": h["display_code"][6:]})  # the last 8 letters only
    assert r.status_code == 400 and "Enter the 13 letters shown on the kiosk screen" in r.text
    r = client.post("/h/code", data={"code": ""})
    assert r.status_code == 400 and "Enter the code shown on the kiosk screen" in r.text
    assert failed_attempts(kit, h) == 0


def test_an_expired_code_opens_nothing(kit: Kit) -> None:
    h = offer(kit)
    kit.clock.advance(600)
    r = TestClient(kit.app, **phone()).post("/h/code", data={"code": h["display_code"]})
    assert r.status_code == 410 and "expired" in r.text and "set-cookie" not in r.headers


def test_the_welsh_page_asks_in_the_kiosks_words(kit: Kit) -> None:
    page = TestClient(kit.app).get("/h?lang=cy").text
    assert '<html lang="cy">' in page and 'action="/h/code?lang=cy"' in page
    assert "Parhau ar eich ffôn" in page and "Rhowch y cod o’r ciosg" in page
    assert "13 llythyren" in page

"""Preferences that travel (issue 19 item 6) at central, on SQLite and PostgreSQL: a slip's code and
a handoff carry the citizen's language and accessibility settings; the kiosk that opens the code
gets them back with the case; they are kept on the code / handoff row only (not on the case, not
in an event); unknown members and bad values are refused with 422 and nothing is stored. A web
save carries the page's language and what the kiosk's handoff to that phone carried."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from shipped_support import ADDRESS_STEPS, form_value, kit_on
from sqlalchemy import select

from central.db.base import make_sessionmaker
from central.db.models import Case, CaseEvent
from central.handoff.models import Handoff, ResumeCode
from central.web.testkit import Kit

GOOD = {"postcode": "SW1A 1AA", "household": 2}
CARRIED = {
    "language": "cy",
    "text_size": 2,
    "theme": "high-contrast-dark",
    "reach_mode": True,
    "audio": True,
    "volume": 80,
    "rate": 185,
}
HOSTILE = [
    {"colour": "pink"},  # an unknown member
    {"text_size": 9},
    {"text_size": -1},
    {"text_size": "2"},  # a number as text
    {"text_size": 2**60},
    {"theme": "neon"},
    {"theme": "standard\x00"},
    {"language": "fr"},
    {"reach_mode": "yes"},
    {"audio": 1},
    {"volume": 101},
    {"volume": 55.5},
    {"rate": 9000},
    ["language", "cy"],
]


def new_case(client, auth) -> str:  # type: ignore[no-untyped-def]
    body = {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD}
    headers = dict(auth) | {"Idempotency-Key": str(uuid.uuid4())}
    r = client.post("/api/v1/cases", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return body["id"]


def slip(client, auth, case_id: str, preferences: object):  # type: ignore[no-untyped-def]
    body = {"factor_kind": "pin", "factor_value": "4821", "preferences": preferences}
    return client.post(f"/api/v1/cases/{case_id}/resume-codes", json=body, headers=auth)


def stored_everywhere_else(engine, case_id: str) -> str:  # type: ignore[no-untyped-def]
    """The case row and its events, as text: where carried preferences must never be."""
    with make_sessionmaker(engine)() as s:
        case = s.get(Case, uuid.UUID(case_id))
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == uuid.UUID(case_id)))
        return repr(vars(case)) + repr([e.payload for e in events])


def test_a_slip_carries_preferences_back_to_the_kiosk_that_opens_it(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(client, auth)
    r = slip(client, auth, case_id, CARRIED)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    opened = client.post("/api/v1/resume", json={"code": code, "factor": "4821"}, headers=auth)
    assert opened.status_code == 200, opened.text
    assert opened.json()["preferences"] == CARRIED
    assert opened.json()["case_id"] == case_id
    assert "high-contrast-dark" not in stored_everywhere_else(engine, case_id)
    # A slip made without preferences opens with none (the kiosk's defaults).
    plain = slip(client, auth, new_case(client, auth), None).json()["code"]
    opened = client.post("/api/v1/resume", json={"code": plain, "factor": "4821"}, headers=auth)
    assert opened.status_code == 200 and opened.json()["preferences"] == {}


@pytest.mark.parametrize("bad", HOSTILE, ids=lambda b: repr(b)[:30])
def test_hostile_preferences_on_a_slip_are_refused_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    client, auth, engine, bad
) -> None:
    case_id = new_case(client, auth)
    r = slip(client, auth, case_id, bad)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(ResumeCode).where(ResumeCode.case_id == uuid.UUID(case_id)))
        assert list(rows) == []


def test_a_handoff_keeps_its_preferences_on_its_own_row(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(client, auth)
    url = f"/api/v1/cases/{case_id}/handoffs"
    r = client.post(url, json={"preferences": CARRIED}, headers=auth)
    assert r.status_code == 201, r.text
    with make_sessionmaker(engine)() as s:
        handoff = s.get(Handoff, uuid.UUID(r.json()["id"]))
        assert handoff is not None and handoff.preferences == CARRIED
    assert "high-contrast-dark" not in stored_everywhere_else(engine, case_id)
    # No body at all (an older kiosk) still makes a handoff, carrying nothing.
    r = client.post(url, headers=auth)
    assert r.status_code == 201, r.text
    with make_sessionmaker(engine)() as s:
        assert s.get(Handoff, uuid.UUID(r.json()["id"])).preferences is None
    before = 2
    for bad in ({"text_size": 7}, {"speech": "on"}, {"language": "xx"}):
        refused = client.post(url, json={"preferences": bad}, headers=auth)
        assert refused.status_code == 422, refused.text
    for body in ({"preferences": CARRIED, "secret": "mine"}, [CARRIED], "cy"):
        refused = client.post(url, json=body, headers=auth)
        assert refused.status_code == 422, refused.text
    with make_sessionmaker(engine)() as s:
        made = s.scalars(select(Handoff).where(Handoff.case_id == uuid.UUID(case_id)))
        assert len(list(made)) == before


@pytest.fixture(params=["sqlite", "postgresql"])
def web(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on(request.param, tmp_path / "carried.db", "carried preferences") as kit:
        yield kit


def _save(phone: TestClient) -> str:
    page = phone.get("/case/save").text
    r = phone.post(
        "/case/save",
        data={"csrf": form_value(page, "csrf"), "factor_kind": "pin", "factor_pin": "4821"},
    )
    assert r.status_code == 200, r.text
    assert 'data-testid="resume-qr"' in r.text and "<svg" in r.text  # the QR the kiosk scans
    return re.search(r'data-testid="resume-code">([A-Z-]+)<', r.text)[1]  # type: ignore[index]


def test_a_web_save_carries_the_language_and_what_the_kiosk_handed_on(web: Kit) -> None:
    # Started on the web in Welsh: the code carries Welsh, and only that.
    home = TestClient(web.app, follow_redirects=False)
    page = home.get("/start/change-of-address/office?lang=cy").text
    home.post(
        "/start/change-of-address/office?lang=cy",
        data={"start": form_value(page, "start"), "office": "CARDIFF", "postcode": ""},
    )
    page = home.get("/case/step/about-you?lang=cy").text
    home.post(
        "/case/step/about-you?lang=cy",
        data={"csrf": form_value(page, "csrf")} | ADDRESS_STEPS["about-you"],
    )
    code = _save(home)
    kiosk = TestClient(web.app)
    body = {"code": code, "factor": "4821"}
    opened = kiosk.post("/api/v1/resume", json=body, headers=web.auth).json()
    assert opened["preferences"] == {"language": "cy"}

    # A kiosk handed a case to a phone with large text and dark colours; the phone saves it in
    # English: the code carries the kiosk's settings and the phone's language.
    case = web.new_case({"full_name": "Ann Example"})
    kiosk_settings = CARRIED | {"language": "cy"}
    r = kiosk.post(
        f"/api/v1/cases/{case.id}/handoffs",
        json={"preferences": kiosk_settings},
        headers=web.auth,
    )
    secret = r.json()["verification_uri_complete"].split("#", 1)[1]
    phone = TestClient(web.app, follow_redirects=False)
    assert phone.post("/h/claim", data={"secret": secret}).status_code == 303
    assert kiosk.post(f"/api/v1/handoffs/{r.json()['id']}/confirm", headers=web.auth).is_success
    code = _save(phone)
    body = {"code": code, "factor": "4821"}
    opened = kiosk.post("/api/v1/resume", json=body, headers=web.auth).json()
    assert opened["preferences"] == CARRIED | {"language": "en"}


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_migration_0011_adds_and_removes_the_columns(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from sqlalchemy import inspect

    from central.db.base import make_engine
    from central.migrate import alembic_config, upgrade
    from central.web.testkit import fresh_postgres

    def columns(url: str) -> dict[str, set[str]]:
        engine = make_engine(url)
        try:
            found = inspect(engine)
            return {
                t: {c["name"] for c in found.get_columns(t)} for t in ("handoffs", "resume_codes")
            }
        finally:
            engine.dispose()

    def check(url: str) -> None:
        upgrade(url, "0011")
        assert all("preferences" in names for names in columns(url).values())
        command.downgrade(alembic_config(url), "0010")
        assert not any("preferences" in names for names in columns(url).values())
        upgrade(url)
        assert all("preferences" in names for names in columns(url).values())

    if db == "sqlite":
        check(f"sqlite:///{tmp_path / 'm.db'}")
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip(
                "PostgreSQL at 127.0.0.1:5432 unreachable: migration 0011 on it did NOT run"
            )
        check(url)

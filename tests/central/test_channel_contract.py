"""Issue 12 item 7, the consistency contract: every service in ``config/services`` answered on every
channel it is offered on — the kiosk's session runtime, the web over HTTP, the counter (staff
console) over HTTP — with the same answers, in English and in Welsh, stores the same answers, says
the same words for the same wrong answers and the same next steps after sending.

Nothing here names a service or a field: the answers are made from each service's fields
(:mod:`contract_support`), so a service added later is covered without touching the test.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from contract_support import Journey, answer_service, bad_answers, form_of
from fastapi.testclient import TestClient
from shipped_support import SERVICES, form_value, kit_on
from sqlalchemy import select
from staff_support import PASSWORD, csrf, staff_client

from catalogue.loader import load_catalogue_strict
from catalogue.model import Channel, Service
from central.db.models import Case
from central.staff.auth import create_user
from central.web.testkit import Kit
from kiosk.config import load_kiosk_config
from kiosk.session import Session, State
from tests.support.clocks import FakeClock

CATALOGUE = load_catalogue_strict(SERVICES)
LANGS = ("en", "cy")
ALL = sorted(CATALOGUE.services)


def _staff(kit: Kit) -> None:
    with kit.sessions() as s:
        create_user(s, "desk", PASSWORD, "staff", kit.office)
        s.commit()


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    with kit_on("sqlite", tmp_path_factory.mktemp("contract") / "c.db", "contract", _staff) as k:
        yield k


def _offered(service: Service, *channels: Channel) -> bool:
    return any(c in service.channels for c in channels)


def _now(kit: Kit) -> datetime:
    return kit.clock()


def _new_case(kit: Kit, before: set[object]) -> Case:
    with kit.sessions() as s:
        (case,) = [c for c in s.scalars(select(Case)) if c.id not in before]
        s.expunge(case)
        return case


def _case_ids(kit: Kit) -> set[object]:
    with kit.sessions() as s:
        return set(s.scalars(select(Case.id)))


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


# ---- the three channels ----------------------------------------------------------------------
def kiosk_session(kit: Kit, service: Service, lang: str) -> Session:
    config = load_kiosk_config(SERVICES.parent / "kiosk.toml", env={})
    session = Session.from_config(config, CATALOGUE, clock=FakeClock(_now(kit)))
    session.start()
    session.choose_language(lang)
    session.choose_service(service.id)
    return session


def on_kiosk(kit: Kit, journey: Journey, lang: str) -> dict[str, object]:
    session = kiosk_session(kit, journey.service, lang)
    for step, raw in journey.steps:
        assert (session.state, session.current_step.id) == (State.STEP, step.id)
        errors = session.answer(raw)
        assert not errors, {k: e.message.get(lang) for k, e in errors.items()}
    assert session.state is State.CHECK_ANSWERS
    submission = session.confirm_answers()
    assert submission is not None
    return dict(submission.answers)


def _walk(client: TestClient, journey: Journey, first: str, prefix: str) -> str:
    """Answer the steps from the redirect ``first`` on; the check page's path."""
    location = first
    for step, raw in journey.steps:
        location = client.get(location).headers.get("location", location)
        assert location == f"{prefix}/step/{step.id}", (journey.service.id, location)
        page = client.get(location).text
        r = client.post(location, data={"csrf": csrf(page)} | form_of(raw, journey.service))
        assert r.status_code == 303, _text(r.text)[-600:]
        location = r.headers["location"]
    location = client.get(location).headers.get("location", location)
    assert location == f"{prefix}/check", (journey.service.id, location)
    return location


def web_client(service: Service, kit: Kit, lang: str) -> TestClient:
    client = TestClient(kit.app, follow_redirects=False)
    page = client.get(f"/start/{service.id}/office?lang={lang}").text
    r = client.post(
        f"/start/{service.id}/office?lang={lang}",
        data={"start": form_value(page, "start"), "office": kit.office, "postcode": ""},
    )
    assert r.headers["location"] == "/case/next", _text(r.text)[-600:]
    return client


def on_web(kit: Kit, journey: Journey, lang: str) -> tuple[dict[str, object], str]:
    before = _case_ids(kit)
    client = web_client(journey.service, kit, lang)
    check = _walk(client, journey, "/case/next", "/case")
    r = client.post("/case/submit", data={"csrf": csrf(client.get(check).text)})
    assert r.headers["location"] == "/case/done", _text(r.text)[-600:]
    done = client.get("/case/done").text
    return dict(_new_case(kit, before).answers), _text(done)


def desk_client(kit: Kit, service: Service, lang: str) -> tuple[TestClient, str]:
    client = staff_client(kit, "desk")
    page = client.get("/staff/new").text
    form = {"csrf": csrf(page), "start": form_value(page, "start"), "channel": "counter"}
    r = client.post("/staff/new", data=form | {"lang": lang, "service": service.id})
    assert r.status_code == 303, _text(r.text)[-600:]
    prefix = "/".join(r.headers["location"].split("/")[:4])
    return client, prefix


def at_counter(kit: Kit, journey: Journey, lang: str) -> tuple[dict[str, object], str]:
    before = _case_ids(kit)
    client, prefix = desk_client(kit, journey.service, lang)
    check = _walk(client, journey, f"{prefix}/next", prefix)
    r = client.post(f"{prefix}/submit", data={"csrf": csrf(client.get(check).text)})
    assert r.status_code == 303, _text(r.text)[-600:]
    done = client.get(r.headers["location"]).text
    return dict(_new_case(kit, before).answers), _text(done)


# ---- the contract ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("service_id", ALL)
def test_same_answers_stored_and_same_next_steps_on_every_channel(
    kit: Kit, service_id: str, lang: str
) -> None:
    service = CATALOGUE.services[service_id]
    journey = answer_service(service, _now(kit).date())
    stored = {}
    if _offered(service, Channel.KIOSK):
        stored["kiosk"] = on_kiosk(kit, journey, lang)
    pages = {}
    if _offered(service, Channel.WEB):
        stored["web"], pages["web"] = on_web(kit, journey, lang)
    if _offered(service, Channel.STAFF, Channel.COUNTER):
        stored["counter"], pages["counter"] = at_counter(kit, journey, lang)
    assert len(stored) >= 2, f"{service_id} is offered on fewer than two channels"
    for channel, answers in stored.items():
        assert answers == journey.answers, channel
    if service.next_steps is not None:
        words = re.sub(r"\s+", " ", service.next_steps.get(lang))
        for channel, page in pages.items():
            assert words in page, f"{channel} does not say the catalogue's next steps in {lang}"


def _kiosk_errors(kit: Kit, service: Service, lang: str, raw: dict[str, object]) -> set[str]:
    session = kiosk_session(kit, service, lang)
    return {e.message.get(lang) for e in session.answer(raw).values()}


def _page_errors(page: str) -> set[str]:
    found = re.findall(r'class="error-message"[^>]*>.*?</span>\s*([^<]+)</p>', page, re.S)
    return {html.unescape(m.strip()) for m in found}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("service_id", ALL)
def test_same_words_for_the_same_wrong_answers_on_every_channel(
    kit: Kit, service_id: str, lang: str
) -> None:
    """The first step sent empty ("required"), then with a wrong value in every typed field."""
    service = CATALOGUE.services[service_id]
    step = answer_service(service, _now(kit).date()).steps[0][0]
    for raw in ({}, bad_answers(step)):
        expected = _kiosk_errors(kit, service, lang, raw)
        assert expected, f"{service_id}: nothing refused on the kiosk for {raw!r}"
        form = {k: str(v) for k, v in raw.items()}
        seen = {}
        if _offered(service, Channel.WEB):
            client = web_client(service, kit, lang)
            page = client.get(f"/case/step/{step.id}").text
            seen["web"] = client.post(f"/case/step/{step.id}", data={"csrf": csrf(page)} | form)
        if _offered(service, Channel.STAFF, Channel.COUNTER):
            client, prefix = desk_client(kit, service, lang)
            page = client.get(f"{prefix}/step/{step.id}").text
            seen["counter"] = client.post(
                f"{prefix}/step/{step.id}", data={"csrf": csrf(page)} | form
            )
        for channel, r in seen.items():
            assert r.status_code == 400, (channel, r.status_code)
            assert _page_errors(r.text) == expected, (channel, raw)

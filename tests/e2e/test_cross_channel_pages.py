"""The web's side of picking a case up elsewhere (issue 12 items 2–3), over HTTP on SQLite and
PostgreSQL: the saved page tells the citizen they can carry on at any kiosk of the office (scan the
code or type it under "I have a code") in English and Welsh, and a code opened at the web's
``/resume`` opens the case in the language the code carries — not the language the browser that
types it happens to show."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from central.db.models import Case
from central.handoff import resume
from central.web.testkit import Kit
from tests.central.shipped_support import ADDRESS_STEPS, form_value, kit_on

SERVICE = "change-of-address"


@pytest.fixture(params=["sqlite", "postgresql"])
def web(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on(request.param, tmp_path / "pickup.db", "web pickup pages") as kit:
        yield kit


def _start(kit: Kit, lang: str) -> TestClient:
    """A browser in ``lang`` with a started ``change-of-address`` at Cardiff, step 1 answered."""
    phone = TestClient(kit.app, follow_redirects=False)
    page = phone.get(f"/start/{SERVICE}/office?lang={lang}").text
    r = phone.post(
        f"/start/{SERVICE}/office?lang={lang}",
        data={"start": form_value(page, "start"), "office": "CARDIFF", "postcode": ""},
    )
    assert r.status_code == 303, r.text
    page = phone.get("/case/step/about-you").text
    data = {"csrf": form_value(page, "csrf")} | ADDRESS_STEPS["about-you"]
    assert phone.post("/case/step/about-you", data=data).status_code == 303
    return phone


def _save(phone: TestClient) -> str:
    page = phone.get("/case/save").text
    r = phone.post(
        "/case/save",
        data={"csrf": form_value(page, "csrf"), "factor_kind": "pin", "factor_pin": "4821"},
    )
    assert r.status_code == 200, r.text
    return r.text


def _sentence(page: str) -> str:
    return re.search(r'data-testid="saved-scan">([^<]*)<', page)[1]  # type: ignore[index]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "Any kiosk at Cardiff city centre office can open this code too: hold this screen up "
            "to the kiosk’s scanner, or choose “I have a code” and type it in.",
        ),
        (
            "cy",
            "Gall unrhyw giosg yn Swyddfa canol dinas Caerdydd agor y cod hwn hefyd: daliwch y "
            "sgrin hon o flaen sganiwr y ciosg, neu dewiswch “Mae gen i god” a’i deipio.",
        ),
    ],
)
def test_the_saved_page_says_the_code_works_at_any_kiosk_of_the_office(
    web: Kit, lang: str, expected: str
) -> None:
    page = _save(_start(web, lang))
    assert _sentence(page) == expected
    assert 'data-testid="resume-qr"><svg class="qr" role="img"' in page


def test_a_code_saved_in_welsh_opens_in_welsh_in_an_english_browser(web: Kit) -> None:
    page = _save(_start(web, "cy"))
    code = re.search(r'data-testid="resume-code">([A-Z-]+)<', page)[1]  # type: ignore[index]
    other = TestClient(web.app, follow_redirects=False)
    assert 'lang="en"' in other.get("/resume?lang=en").text
    r = other.post("/resume?lang=en", data={"code": code, "factor": "4821"})
    assert r.status_code == 303 and r.headers["location"] == "/case/next"
    step = other.get(other.get("/case/next").headers["location"])
    assert 'lang="cy"' in step.text and "Cymraeg" not in step.text  # the toggle offers English


def test_a_code_that_carries_no_language_keeps_the_page_language(web: Kit) -> None:
    _start(web, "en")
    with web.sessions() as s:
        case = s.scalars(select(Case)).one()
        issued = resume.create_resume_code(
            s, case, None, "pin", "4821", web.clock(), web.app.state.handoff_policy
        )
        s.commit()
    other = TestClient(web.app, follow_redirects=False)
    r = other.post("/resume?lang=cy", data={"code": issued.code, "factor": "4821"})
    assert r.status_code == 303
    step = other.get(other.get("/case/next").headers["location"])
    assert 'lang="cy"' in step.text

"""A service that ends in "not eligible" on the web (catalogue ``[[outcomes]]``): after the deciding
answer the web stops asking and shows the catalogue's own outcome text — the same words
:func:`catalogue.outcome_for` gives every channel — in English and Welsh; check answers and send
lead back to it, nothing is submitted, and changing the answer carries on with the service."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from catalogue import outcome_for
from central.catalogue_service import CatalogueService
from central.db.models import Case
from central.settings import REPO_ROOT
from central.web.testkit import Kit, build

SERVICES = REPO_ROOT / "config" / "services"
SERVICE = "council-tax-single-person-discount"


@pytest.fixture
def kit(tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'outcome.db'}")
    kit.app.state.catalogue = CatalogueService.load(SERVICES)
    yield kit
    kit.engine.dispose()


def _field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page)[1]  # type: ignore[index]


def _start(client: TestClient, lang: str) -> None:
    page = client.get(f"/start/{SERVICE}/office?lang={lang}").text
    r = client.post(
        f"/start/{SERVICE}/office?lang={lang}",
        data={"start": _field(page, "start"), "office": "CARDIFF", "postcode": ""},
    )
    assert r.status_code == 303 and r.headers["location"] == "/case/next", r.text
    assert client.get("/case/next").headers["location"] == "/case/step/who-lives-there"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_deciding_answer_ends_in_the_catalogue_outcome(kit: Kit, lang: str) -> None:
    client = TestClient(kit.app, follow_redirects=False)
    _start(client, lang)
    page = client.get("/case/step/who-lives-there").text
    assert ("Nac oes" if lang == "cy" else "No") in html.unescape(page)
    csrf = _field(page, "csrf")
    r = client.post("/case/step/who-lives-there", data={"csrf": csrf, "others_over_18": "yes"})
    assert r.status_code == 303 and r.headers["location"] == "/case/outcome"

    service = kit.app.state.catalogue.service(SERVICE)
    expected = outcome_for(service, {"others_over_18": True})
    assert expected is not None and expected.id == "not_eligible"
    shown = html.unescape(client.get("/case/outcome").text)
    assert expected.title.get(lang) in shown
    for line in expected.body.get(lang).splitlines():
        assert line.strip() in shown
    assert 'href="/case/step/who-lives-there"' in shown  # back to the deciding question
    assert 'href="/case/help"' in shown  # a person is still one tap away

    # Nothing to check or send: both lead back to the outcome, and the case stays unsent.
    assert client.get("/case/check").headers["location"] == "/case/outcome"
    r = client.post("/case/submit", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/case/outcome"
    with kit.sessions() as s:
        (case,) = s.scalars(select(Case)).all()
        assert case.status == "open" and case.answers == {"others_over_18": True}

    # A changed answer carries on with the service; the outcome page then leads back into it.
    r = client.post("/case/step/who-lives-there", data={"csrf": csrf, "others_over_18": "no"})
    assert r.headers["location"] == "/case/step/since-when"
    assert client.get("/case/outcome").headers["location"] == "/case"

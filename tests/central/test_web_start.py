"""The web front door (central.web.start_routes): home at ``/``, services by life event and A–Z, a
start page with the service's help, the office choice (and its "I'm not sure" rule), a case made
through the one case-create path on channel ``web``, save and come back (resume code + second
factor, back on the step where the citizen left), "I need help" (the office's staff queue), drafts
purged after 30 days, and the edges: unknown or removed services, bad offices, expired codes."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from shipped_support import ADDRESS_STEPS, SERVICES, form_value, kit_on, shipped_kit
from sqlalchemy import func, select

from catalogue.model import Catalogue, Channel
from central.api.queue import waiting_cases
from central.catalogue_service import CatalogueService
from central.db.models import Case, CaseEvent
from central.handoff.models import ResumeCode, WebSession
from central.retention import purge
from central.settings import REPO_ROOT
from central.web import drafts, offices
from central.web.testkit import Kit, demo_service

SERVICE = "change-of-address"
ABOUT_YOU = ADDRESS_STEPS["about-you"]


@pytest.fixture
def kit(tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on("sqlite", tmp_path / "start.db", "web start") as kit:
        yield kit


@pytest.fixture(params=["sqlite", "postgresql"])
def any_kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    """A SQLite file and a fresh PostgreSQL database."""
    with kit_on(request.param, tmp_path / "start.db", "web start") as kit:
        yield kit


def browser(kit: Kit) -> TestClient:
    return TestClient(kit.app, follow_redirects=False)


def start(client: TestClient, office: str = "CARDIFF", postcode: str = "", lang: str = "en"):  # type: ignore[no-untyped-def]
    page = client.get(f"/start/{SERVICE}/office?lang={lang}").text
    return client.post(
        f"/start/{SERVICE}/office?lang={lang}",
        data={"start": form_value(page, "start"), "office": office, "postcode": postcode},
    )


def started(kit: Kit, client: TestClient, **kw) -> Case:  # type: ignore[no-untyped-def]
    """The case this client's start made (the manual clock gives every case the same time)."""
    with kit.sessions() as s:
        before = set(s.scalars(select(Case.id)))
    r = start(client, **kw)
    assert r.status_code == 303 and r.headers["location"] == "/case/next", r.text
    with kit.sessions() as s:
        (case,) = [c for c in s.scalars(select(Case)) if c.id not in before]
        return case


def test_home_is_a_page_not_a_json_404(kit: Kit) -> None:
    client = browser(kit)
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in r.text and "Use a public service online" in r.text
    assert 'href="/life-events/moving-home">Moving home</a>' in r.text
    assert 'href="/services">All services A to Z' in r.text and 'href="/resume"' in r.text
    cy = client.get("/?lang=cy").text
    assert '<html lang="cy">' in cy and "Symud tŷ" in cy and "Pob gwasanaeth o A i Y" in cy
    assert client.get("/").text.count('lang="cy"') == 1  # the cookie keeps Welsh; toggle back
    assert "content-security-policy" in r.headers


def test_services_by_life_event_and_a_to_z_come_from_the_catalogue(kit: Kit) -> None:
    client = browser(kit)
    catalogue = kit.app.state.catalogue.catalogue
    az = client.get("/services").text
    titles = re.findall(r'<a href="/start/([^"]+)">', az)
    assert titles == [s.id for s in catalogue.a_to_z("en") if Channel.WEB in s.channels]
    cy = re.findall(r'<a href="/start/([^"]+)">', client.get("/services?lang=cy").text)
    assert cy == [s.id for s in catalogue.a_to_z("cy") if Channel.WEB in s.channels]
    moving = client.get("/life-events/moving-home?lang=en").text
    assert re.findall(r'<a href="/start/([^"]+)">', moving) == [
        s.id for s in catalogue.by_life_event("moving-home")
    ]
    r = client.get("/life-events/no-such-event")
    assert r.status_code == 404 and "Page not found" in r.text


def test_start_page_shows_the_help_before_step_one(kit: Kit) -> None:
    client = browser(kit)
    service = kit.app.state.catalogue.service(SERVICE)
    page = client.get(f"/start/{SERVICE}").text
    assert "Before you start" in page and "National Insurance number" in page
    assert service.summary.en in page and f'href="/start/{SERVICE}/office"' in page
    cy = client.get(f"/start/{SERVICE}?lang=cy").text
    assert "Cyn i chi ddechrau" in cy and "Yswiriant Gwladol" in cy and "Dechrau nawr" in cy


def test_unknown_and_kiosk_only_services_say_so(kit: Kit) -> None:
    client = browser(kit)
    r = client.get("/start/no-such-service?lang=cy")
    assert r.status_code == 404 and "Heb ddod o hyd i’r gwasanaeth" in html.unescape(r.text)
    kiosk_only = dataclasses.replace(demo_service(), channels=frozenset({Channel.KIOSK}))
    kit.app.state.catalogue = CatalogueService(Catalogue(services={kiosk_only.id: kiosk_only}))
    r = client.get(f"/start/{kiosk_only.id}?lang=en")
    assert r.status_code == 404 and "cannot be started online" in r.text
    assert f"/start/{kiosk_only.id}" not in client.get("/services").text


def test_office_choice_errors(kit: Kit) -> None:
    client = browser(kit)
    r = start(client, office="")
    assert r.status_code == 400 and 'href="#f-office"' in r.text and "Select an office" in r.text
    r = start(client, office="nowhere")
    assert r.status_code == 400
    r = start(client, office="not-sure", postcode="not a postcode", lang="cy")
    # the catalogue's own message for a postcode (the kiosk says the same), in Welsh
    assert r.status_code == 400 and "Rhowch god post go iawn" in r.text
    assert 'value="not a postcode"' in r.text
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(
    ("office", "postcode", "expected"),
    [
        ("SWANSEA", "", "SWANSEA"),
        ("not-sure", "cf10 1aa", "CARDIFF"),
        ("not-sure", "SA1 1AA", "SWANSEA"),
        ("not-sure", "LL57 2DG", "demo-office"),
        ("not-sure", "", "demo-office"),
    ],
)
def test_the_case_goes_to_the_chosen_or_routed_office(kit: Kit, office, postcode, expected) -> None:  # type: ignore[no-untyped-def]
    case = started(kit, browser(kit), office=office, postcode=postcode)
    assert case.origin_office == expected


def test_a_web_case_is_made_like_any_other(any_kit: Kit) -> None:
    kit = any_kit
    client = browser(kit)
    case = started(kit, client)
    assert (case.origin_channel, case.origin_device, case.status) == ("web", None, "open")
    assert case.reference.startswith("CARDIFF-") and case.service_id == SERVICE
    with kit.sessions() as s:
        created = s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
        assert (created.type, created.channel, created.actor_type) == ("created", "web", "citizen")
    r = client.get("/case/next")
    assert r.headers["location"] == "/case/step/about-you"
    step = client.get("/case/step/about-you").text
    assert 'href="/case/save"' in step and 'href="/case/help"' in step


def test_a_double_click_makes_one_case(kit: Kit) -> None:
    client = browser(kit)
    page = client.get(f"/start/{SERVICE}/office").text
    data = {"start": form_value(page, "start"), "office": "CARDIFF"}
    first = client.post(f"/start/{SERVICE}/office", data=data)
    second = client.post(f"/start/{SERVICE}/office", data=data)
    assert first.status_code == second.status_code == 303
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1


def test_a_post_from_another_site_is_refused(kit: Kit) -> None:
    client = browser(kit)
    r = client.post(
        f"/start/{SERVICE}/office",
        data={"office": "CARDIFF"},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_a_service_removed_before_or_after_starting(kit: Kit) -> None:
    client = browser(kit)
    page = client.get(f"/start/{SERVICE}/office").text
    real = kit.app.state.catalogue
    kit.app.state.catalogue = CatalogueService(Catalogue(services={}))
    r = client.post(
        f"/start/{SERVICE}/office", data={"start": form_value(page, "start"), "office": "CARDIFF"}
    )
    assert r.status_code == 404 and "Service not found" in r.text
    kit.app.state.catalogue = real
    case = started(kit, client)
    kit.app.state.catalogue = CatalogueService(Catalogue(services={}))
    r = client.get("/case/next?lang=cy")
    assert r.status_code == 410 and "Nid yw’r gwasanaeth hwn ar gael mwyach" in html.unescape(
        r.text
    )
    assert case.reference in r.text
    assert client.get("/case/step/about-you").headers["location"] == "/case/status"
    assert "no longer offered" in client.get("/case/status?lang=en").text


def _answer_step_one(client: TestClient) -> None:
    page = client.get("/case/step/about-you").text
    r = client.post("/case/step/about-you", data={"csrf": form_value(page, "csrf")} | ABOUT_YOU)
    assert r.headers["location"] == "/case/step/new-address"


def test_save_with_a_pin_and_come_back_on_the_step_where_you_left(any_kit: Kit) -> None:
    kit = any_kit
    client = browser(kit)
    case = started(kit, client)
    _answer_step_one(client)
    page = client.get("/case/save").text
    assert "How do you want to prove it is you" in page
    csrf = form_value(page, "csrf")
    r = client.post("/case/save", data={"csrf": csrf})
    assert r.status_code == 400 and "Select how you want to prove it is you" in r.text
    r = client.post("/case/save", data={"csrf": csrf, "factor_kind": "pin", "factor_pin": "12"})
    assert r.status_code == 400 and 'href="#f-factor_pin"' in r.text and "4 to 6 digits" in r.text
    r = client.post("/case/save", data={"csrf": csrf, "factor_kind": "pin", "factor_pin": "4821"})
    assert r.status_code == 200
    code = re.search(r'data-testid="resume-code">([A-Z-]+)<', r.text)[1]
    assert "23 December 2026" in r.text and "/resume" in r.text  # 30 days from the kit's clock
    with kit.sessions() as s:
        saved = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
        ).first()
        assert (saved.type, saved.channel, saved.actor_type, saved.payload["stage"]) == (
            "handed_off",
            "web",
            "citizen",
            "saved",
        )
        assert saved.payload["factor_kind"] == "pin" and "4821" not in repr(saved.payload)
    # Another browser, days later: the code and the PIN open the case at step 2.
    kit.clock.advance(5 * 86400)
    other = browser(kit)
    r = other.post("/resume", data={"code": code, "factor": "1111"})
    assert r.status_code == 400 and "tries left" in r.text
    r = other.post("/resume", data={"code": code, "factor": "4821"})
    assert r.status_code == 303 and r.headers["location"] == "/case/next"
    assert other.get("/case/next").headers["location"] == "/case/step/new-address"


def test_resume_codes_that_are_unknown_or_expired(kit: Kit) -> None:
    client = browser(kit)
    started(kit, client)
    page = client.get("/case/save").text
    r = client.post(
        "/case/save",
        data={"csrf": form_value(page, "csrf"), "factor_kind": "dob", "factor_dob": "27/03/1985"},
    )
    code = re.search(r'data-testid="resume-code">([A-Z-]+)<', r.text)[1]
    r = browser(kit).post(
        "/resume?lang=cy", data={"code": "BCDF-GHJK-LMNP", "factor": "1985-03-27"}
    )
    assert r.status_code == 404 and "Ni allem ddod o hyd i’r cod hwnnw" in html.unescape(r.text)
    kit.clock.advance(31 * 86400)
    r = browser(kit).post("/resume", data={"code": code, "factor": "27/03/1985"})
    assert r.status_code == 410 and "can no longer be used" in r.text


def test_need_help_puts_the_case_in_the_offices_queue(any_kit: Kit) -> None:
    kit = any_kit
    client = browser(kit)
    case = started(kit, client)
    _answer_step_one(client)
    page = client.get("/case/help?lang=cy").text
    assert "Caerdydd" in page and case.reference in page
    r = client.post("/case/help", data={"csrf": "forged"})
    assert r.status_code == 403
    r = client.post("/case/help", data={"csrf": form_value(page, "csrf")})
    assert r.status_code == 303 and r.headers["location"] == "/case/help/sent"
    sent = client.get("/case/help/sent?lang=en").text
    assert case.reference in sent and "What happens next" in sent and "Cardiff" in sent
    with kit.sessions() as s:
        assert [c.id for c in waiting_cases(s, kit.office)] == [case.id]  # the staff queue's query
        row = s.get(Case, case.id)
        assert row.status == "waiting_for_staff" and row.answers["full_name"] == "Ann Example"
        last = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
        ).first()
        assert (last.type, last.channel, last.actor_type) == ("help_requested", "web", "citizen")
    # The citizen may still carry on: the case is editable while with staff.
    assert client.get("/case/next").headers["location"] == "/case/step/new-address"


def test_abandoned_web_drafts_are_purged_after_30_days(any_kit: Kit) -> None:
    kit = any_kit
    old = started(kit, browser(kit))
    c = browser(kit)
    sent = started(kit, c)
    page = c.get("/case/save").text
    c.post(
        "/case/save",
        data={"csrf": form_value(page, "csrf"), "factor_kind": "pin", "factor_pin": "1234"},
    )
    kiosk_case = kit.new_case({"full_name": "Kay"})
    with kit.sessions() as s:  # "sent" was submitted: a record, never purged here
        s.get(Case, sent.id).status = "submitted"
        s.commit()
    kit.clock.advance(29 * 86400)
    recent = started(kit, browser(kit))
    assert drafts.purge(kit.engine, kit.clock()) == 0
    kit.clock.advance(2 * 86400)
    done = purge(kit.engine, kit.clock())
    assert done["web_drafts"] == 1
    with kit.sessions() as s:
        left = set(s.scalars(select(Case.id)))
        assert old.id not in left and {sent.id, recent.id, kiosk_case.id} <= left
        assert s.scalar(select(func.count()).where(CaseEvent.case_id == old.id)) == 0
        assert s.scalar(select(func.count()).where(WebSession.case_id == old.id)) == 0
        assert s.scalar(select(func.count()).where(ResumeCode.case_id == sent.id)) == 1


def test_offices_file_is_checked(tmp_path: Path) -> None:
    good = offices.load(REPO_ROOT / "config" / "offices.toml")
    assert (
        good.for_postcode("CF10 1AA").id == "CARDIFF" and good.for_postcode(None).id == good.default
    )
    data = {
        "default": "A",
        "offices": [
            {"id": "A", "name": {"en": "A"}, "postcodes": ["CF"]},
            {"id": "B", "name": {"en": "B", "cy": "B"}, "postcodes": ["CF", "CF10", "12"]},
            {"id": "A", "name": {"en": "A", "cy": "A"}, "colour": "red"},
        ],
    }
    with pytest.raises(offices.OfficesError) as err:
        offices.parse(data)
    text = " | ".join(err.value.problems)
    for expected in (
        "name.cy is missing",
        "CF is already A's",
        "'12' is not the start",
        "used twice",
        "unknown keys colour",
    ):
        assert expected in text
    longest = offices.parse(
        {
            "default": "A",
            "offices": [
                {"id": "A", "name": {"en": "A", "cy": "A"}, "postcodes": ["CF"]},
                {"id": "B", "name": {"en": "B", "cy": "B"}, "postcodes": ["CF10"]},
            ],
        }
    )
    assert longest.for_postcode("CF10 3NQ").id == "B" and longest.for_postcode("CF24 0AA").id == "A"
    with pytest.raises(offices.OfficesError):
        offices.parse({"default": "Z", "offices": [{"id": "A", "name": {"en": "A", "cy": "A"}}]})
    with pytest.raises(offices.OfficesError):
        offices.load(tmp_path / "missing.toml")


def test_a_broken_offices_file_closes_only_the_start_pages(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "offices.toml"
    broken.write_text('default = "nowhere"\n[[offices]]\nid = "A"\n', encoding="utf-8")
    monkeypatch.setenv(offices.OFFICES_ENV, str(broken))
    kit = shipped_kit(f"sqlite:///{tmp_path / 'b.db'}")
    client = browser(kit)
    assert client.get("/").status_code == 200
    r = client.get(f"/start/{SERVICE}?lang=cy")
    assert r.status_code == 503 and "ar hyn o bryd" in r.text
    assert client.get("/healthz").status_code == 200
    kit.engine.dispose()


def test_a_draft_saved_online_opens_at_a_kiosk_of_its_office(kit: Kit) -> None:
    """The code and PIN from the web open the case at a kiosk of the case's office, with its
    answers; the kiosk's own plan (kiosk.session.resume) then opens the step where they left. A
    kiosk of another office cannot (cases stay within their office, DESIGN "device office scope")."""
    from types import SimpleNamespace

    from catalogue.loader import load_catalogue_strict
    from central.auth.devices import register_device
    from kiosk.session.resume import plan

    client = browser(kit)
    started(kit, client)  # CARDIFF: the kit's kiosk's office
    _answer_step_one(client)
    page = client.get("/case/save").text
    r = client.post(
        "/case/save",
        data={
            "csrf": form_value(page, "csrf"),
            "factor_kind": "phone_last3",
            "factor_phone_last3": "982",
        },
    )
    code = re.search(r'data-testid="resume-code">([A-Z-]+)<', r.text)[1]
    with kit.sessions() as s:
        _, elsewhere = register_device(s, "SWANSEA", "kiosk in Swansea")
        s.commit()
    api = browser(kit)
    other = api.post(
        "/api/v1/resume",
        json={"code": code, "factor": "982"},
        headers={"Authorization": f"Bearer {elsewhere}"},
    )
    assert other.status_code == 404
    r = api.post("/api/v1/resume", json={"code": code, "factor": "982"}, headers=kit.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answers"]["full_name"] == "Ann Example" and body["status"] == "open"
    opened = plan(load_catalogue_strict(SERVICES), SimpleNamespace(**body), kit.clock().date())
    assert opened.step is not None and opened.step.id == "new-address"


def test_starts_are_limited_per_address(kit: Kit) -> None:
    from central.handoff.ratelimit import AttemptLimiter

    kit.app.state.web_start_limiter = AttemptLimiter(2, 3600, clock=kit.clock, scope="t")
    client = browser(kit)
    started(kit, client)
    started(kit, client)
    r = start(client, lang="cy")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 3000
    assert "yn ystod yr awr ddiwethaf" in r.text
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2
    kit.clock.advance(3601)
    started(kit, client)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_hints_show_examples_the_step_accepts(kit: Kit, lang: str) -> None:
    """Issue 17 item 8 on the web: the NI example is one the field takes, and the move-date
    example is a date inside "the last 3 months" of the day the page is shown, in both languages;
    typed back into the step, neither is refused."""
    client = browser(kit)
    started(kit, client, lang=lang)
    page = client.get(f"/case/step/about-you?lang={lang}").text
    ni_hint = html.unescape(re.search(r'id="f-ni_number-hint">([^<]*)<', page)[1])
    ni = re.search(r"‘([^’]+)’", ni_hint)[1]
    r = client.post(
        "/case/step/about-you",
        data={"csrf": form_value(page, "csrf")} | ABOUT_YOU | {"ni_number": ni},
    )
    assert r.headers["location"] == "/case/step/new-address", r.text
    page = client.get("/case/step/new-address").text
    hint = html.unescape(re.search(r'id="f-date_moved-hint">([^<]*)<', page)[1])
    day, month, year = (int(x) for x in re.search(r"(\d{1,2}) (\d{1,2}) (\d{4})", hint).groups())
    shown = date(year, month, day)
    assert date.today() - timedelta(days=93) <= shown <= date.today()
    assert ("{example}" not in hint) and ("3 mis" in hint if lang == "cy" else "3 months" in hint)

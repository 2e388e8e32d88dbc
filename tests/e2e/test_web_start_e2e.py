"""The web front door in a real browser (Chromium via Playwright) against central served by uvicorn
on the real service catalogue and config/offices.toml — no kiosk at any point:

* start at ``/``, find the service by life event and in A–Z, read its help, choose the office,
  answer every step (a wrong answer first: the catalogue's own message, the one the kiosk shows),
  check answers, send, see the reference;
* save with a PIN, come back in another browser through ``/resume`` with the code and the PIN and
  land on the step where the citizen left;
* ask for help: the case, with its answers so far, is in the chosen office's staff queue (read on
  the staff console by a member of staff of that office).

Every page shown is audited with axe-core (WCAG 2.2 A/AA), in English and in Welsh; any violation
fails the test. Screenshots and audits go to test-artifacts/web/ (``30-…``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from tests.e2e import browser_support
from tests.e2e.browser_support import PASSWORD, assert_accessible, live_central, shot, sign_in

browser = browser_support.browser  # the Chromium fixture, shared

pytestmark = pytest.mark.browser

SERVICE = "change-of-address"
OFFICE = "CARDIFF"  # Cardiff city centre office in config/offices.toml


@pytest.fixture(scope="module")
def front_door(tmp_path_factory) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    from central.catalogue_service import CatalogueService
    from central.settings import REPO_ROOT
    from central.staff.auth import create_user
    from central.web.testkit import build

    def make_kit(base: str):  # type: ignore[no-untyped-def]
        db = tmp_path_factory.mktemp("front") / "central.db"
        kit = build(f"sqlite:///{db}", base_url=base, office=OFFICE)
        kit.app.state.catalogue = CatalogueService.load(REPO_ROOT / "config" / "services")
        with kit.sessions() as s:
            create_user(s, "cerys", PASSWORD, "staff", OFFICE)
            s.commit()
        return kit

    with live_central(make_kit) as (base, kit):
        yield base, kit


def _kiosk_message(field_id: str, value: str, lang: str) -> str:
    """What the kiosk says for this wrong answer: catalogue.validation's message."""
    from catalogue.loader import load_catalogue_strict
    from catalogue.validation import AnswerError, normalise
    from central.settings import REPO_ROOT

    service = load_catalogue_strict(REPO_ROOT / "config" / "services").services[SERVICE]
    try:
        normalise(service.field(field_id), value, date(2026, 11, 23))
    except AnswerError as exc:
        return exc.message.get(lang)
    raise AssertionError(f"{value!r} was accepted")


def _to_office(page, base: str, problems: list[str], lang: str, tag: str) -> None:  # type: ignore[no-untyped-def]
    """From the home page to the office question: by life event, and back through A–Z."""
    from central.web.i18n import t

    page.goto(f"{base}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    shot(page, f"30-home-{tag}", problems)
    moving = "Moving home" if lang == "en" else "Symud tŷ"
    page.get_by_role("link", name=moving).click()
    page.wait_for_url(f"{base}/life-events/moving-home")
    title = "Report a change of address" if lang == "en" else "Rhoi gwybod am newid cyfeiriad"
    assert page.get_by_role("link", name=title).is_visible()
    shot(page, f"31-life-event-{tag}", problems)
    page.get_by_role("link", name=t(lang, "a_to_z")).click()
    page.wait_for_url(f"{base}/services")
    shot(page, f"32-a-to-z-{tag}", problems)
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"{base}/start/{SERVICE}")
    helptext = page.get_by_test_id("help").inner_text()
    assert ("National Insurance" if lang == "en" else "Yswiriant Gwladol") in helptext
    shot(page, f"33-start-{tag}", problems)
    page.get_by_role("button", name=t(lang, "start_now")).click()
    page.wait_for_url(f"{base}/start/{SERVICE}/office")


def _about_you(page, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Full name" if lang == "en" else "Enw llawn").fill("Ann Example")
    page.get_by_label(
        "National Insurance number" if lang == "en" else "Rhif Yswiriant Gwladol"
    ).fill("JG 10 37 59 A")
    page.get_by_label("Day" if lang == "en" else "Diwrnod").fill("27")
    page.get_by_label("Month" if lang == "en" else "Mis").fill("3")
    page.get_by_label("Year" if lang == "en" else "Blwyddyn").fill("1985")


def _new_address(page, moved: date, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    en = lang == "en"
    page.get_by_label("Building and street" if en else "Adeilad a stryd").fill("1 High Street")
    page.get_by_label("Town or city" if en else "Tref neu ddinas").fill("Cardiff")
    page.get_by_label("Postcode" if en else "Cod post").fill("cf10 1aa")
    page.get_by_label("Day" if en else "Diwrnod").fill(str(moved.day))
    page.get_by_label("Month" if en else "Mis").fill(str(moved.month))
    page.get_by_label("Year" if en else "Blwyddyn").fill(str(moved.year))


def test_start_at_home_and_send(front_door, browser) -> None:  # type: ignore[no-untyped-def]
    base, kit = front_door
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _to_office(page, base, problems, "en", "en")
    page.get_by_role("button", name="Continue").click()  # nothing chosen
    assert "Select an office" in page.locator(".error-summary").inner_text()
    shot(page, "34-office-error-en", problems)
    page.get_by_label("Cardiff city centre office").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/about-you")
    shot(page, "35-step-1-en", problems)

    # One wrong answer first: the kiosk's own message for it, from catalogue.validation.
    _about_you(page)
    page.get_by_label("National Insurance number").fill("QQ 12 34 56 C")
    page.get_by_role("button", name="Continue").click()
    said = page.locator("#f-ni_number-error").inner_text()
    assert _kiosk_message("ni_number", "QQ 12 34 56 C", "en") in said
    assert page.locator(".error-summary").is_visible()
    shot(page, "36-step-1-wrong-en", problems)
    page.get_by_label("National Insurance number").fill("JG 10 37 59 A")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/new-address")
    _new_address(page, kit.clock().date())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/household")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/contact")
    page.get_by_label("By post").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/check")
    main = page.inner_text("main")
    assert "1 High Street" in main and "CF10 1AA" in main and "Ann Example" in main
    shot(page, "37-check-en", problems)
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url(f"{base}/case/done")
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"CARDIFF-[0-9A-Z]{4}-[0-9A-Z]{4}-.", reference)
    assert "10 working days" in page.inner_text("main")  # the service's next steps
    shot(page, "38-done-en", problems)
    context.close()

    from central.db.models import Case

    with kit.sessions() as s:
        case = s.query(Case).filter_by(reference=reference).one()
        assert (case.status, case.origin_channel, case.origin_office) == (
            "submitted",
            "web",
            OFFICE,
        )
    assert_accessible(problems)


def test_save_with_a_pin_and_come_back_where_you_left(front_door, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = front_door
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _to_office(page, base, problems, "cy", "cy")
    assert page.get_attribute("html", "lang") == "cy"
    page.get_by_label("Dydw i ddim yn siŵr").check()
    page.get_by_label("Eich cod post (dewisol)").fill("CF24 0AB")
    shot(page, "40-office-cy", problems)
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/case/step/about-you")
    _about_you(page, "cy")
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/case/step/new-address")
    page.get_by_role("link", name="Cadw a dod yn ôl wedyn").click()
    page.wait_for_url(f"{base}/case/save")
    shot(page, "41-save-cy", problems)
    page.get_by_label("PIN rwy’n ei ddewis").check()
    page.get_by_label("Dewiswch PIN").fill("12")
    page.get_by_role("button", name="Cadw a chael fy nghod").click()
    assert "Rhowch PIN o 4 i 6 digid" in page.locator(".error-summary").inner_text()
    shot(page, "42-save-error-cy", problems)
    page.get_by_label("PIN rwy’n ei ddewis").check()
    page.get_by_label("Dewiswch PIN").fill("4821")
    page.get_by_role("button", name="Cadw a chael fy nghod").click()
    code = page.get_by_test_id("resume-code").inner_text()
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}-[A-Z]{4}", code)
    shot(page, "43-saved-cy", problems)
    context.close()

    # Later, on another device: the code and the PIN, and the case opens at step 2.
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    page = other.new_page()
    page.goto(f"{base}/?lang=en")
    page.get_by_role("link", name="Continue with your code").click()
    page.wait_for_url(f"{base}/resume")
    shot(page, "44-resume-en", problems)
    page.get_by_label("Your code").fill(code.lower())
    page.get_by_label("Your PIN, date of birth or last 3 digits of your phone number").fill("4821")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/new-address")
    # the code carries the language it was saved in (issue 19 item 6): Welsh again, on an
    # English page; the language link is there to change it
    assert page.get_attribute("html", "lang") == "cy"
    assert page.get_by_role("heading", level=1).inner_text() == "Eich cyfeiriad newydd"
    shot(page, "45-resumed-in-welsh", problems)
    other.close()
    assert_accessible(problems)


def test_need_help_puts_the_case_in_the_office_queue(front_door, browser) -> None:  # type: ignore[no-untyped-def]
    base, kit = front_door
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/start/{SERVICE}/office?lang=en")
    page.get_by_label("Cardiff city centre office").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/about-you")
    _about_you(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/step/new-address")
    page.get_by_role("link", name="I need help with this").click()
    page.wait_for_url(f"{base}/case/help")
    shot(page, "50-help-en", problems)
    page.get_by_role("button", name="Ask for help").click()
    page.wait_for_url(f"{base}/case/help/sent")
    reference = page.get_by_test_id("reference").inner_text()
    assert "Cardiff city centre office" in page.inner_text("main")
    shot(page, "51-helped-en", problems)
    page.goto(f"{base}/case/help/sent?lang=cy")
    assert "Swyddfa canol dinas Caerdydd" in page.inner_text("main")
    shot(page, "52-helped-cy", problems)
    context.close()

    from central.api.queue import waiting_cases

    with kit.sessions() as s:
        queued = [c for c in waiting_cases(s, OFFICE) if c.reference == reference]
        assert len(queued) == 1 and queued[0].answers["full_name"] == "Ann Example"

    # A member of staff of that office sees it in the queue and picks it up.
    staff = browser.new_context()
    page = staff.new_page()
    sign_in(page, base, "cerys")
    assert reference in page.inner_text("main")
    page.get_by_label("Pick up a case").fill(reference)
    page.get_by_role("button", name="Pick up").click()
    page.wait_for_url(re.compile(rf"{base}/staff/cases/.+"))
    assert "Ann Example" in page.inner_text("main")
    staff.close()
    assert_accessible(problems)

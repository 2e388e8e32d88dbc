"""Web → kiosk pickup (issue 12 item 3) in a real browser (Chromium via Playwright) against central
served by uvicorn on the real catalogue: after "save and continue later" the page shows the code
as text and as a QR code (the bare code, which the kiosk's scanner reads), both visible on a phone
sized screen, with the QR named for screen readers, in English and in Welsh; every page audited
with axe-core (WCAG 2.2 A/AA). The kiosk side (the scan, the second factor, the step shown in the
carried settings) is tests/screens/test_carried_pickup_live.py. Screenshots in test-artifacts/web/
(``50-…``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e import browser_support
from tests.e2e.browser_support import assert_accessible, live_central, shot

browser = browser_support.browser  # the Chromium fixture, shared

pytestmark = pytest.mark.browser

SERVICE = "change-of-address"
OFFICE = "CARDIFF"


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from central.catalogue_service import CatalogueService
    from central.settings import REPO_ROOT
    from central.web.testkit import build

    def make_kit(base: str):  # type: ignore[no-untyped-def]
        db = tmp_path_factory.mktemp("pickup") / "central.db"
        kit = build(f"sqlite:///{db}", base_url=base, office=OFFICE)
        kit.app.state.catalogue = CatalogueService.load(REPO_ROOT / "config" / "services")
        return kit

    with live_central(make_kit) as (base, _kit):
        yield base


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_saved_page_shows_the_code_and_its_qr_code(web, browser, lang) -> None:  # type: ignore[no-untyped-def]
    from central.web.i18n import t

    base, en = web, lang == "en"
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/start/{SERVICE}/office?lang={lang}")
    page.get_by_label(
        "Cardiff city centre office" if en else "Swyddfa canol dinas Caerdydd"
    ).check()
    page.get_by_role("button", name=t(lang, "continue")).click()
    page.wait_for_url(f"{base}/case/step/about-you")
    page.goto(f"{base}/case/save")
    page.get_by_label(t(lang, "fo_pin")).check()
    page.get_by_label(t(lang, "fl_pin")).fill("4821")
    page.get_by_role("button", name=t(lang, "save_button")).click()
    code = page.get_by_test_id("resume-code").inner_text()
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}-[A-Z]{4}", code)
    qr = page.get_by_role("img", name=t(lang, "saved_code"))
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 200 and box["width"] == box["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # whole, on a phone's screen
    assert page.get_by_test_id("resume-qr").locator("svg path").count() == 1
    shot(page, f"50-saved-qr-{lang}", problems)
    context.close()
    assert_accessible(problems)

"""Counter and phone line in a real browser (Chromium via Playwright) against central served by
uvicorn on the real catalogue (issue 12 item 5):

* counter → phone: a member of staff starts a case at the counter, answers the first step with the
  citizen (a wrong answer first: the kiosk's own message), shows a QR code; a second browser context
  (the citizen's phone) opens the QR link and shows its code; the staff page asks "is it their
  phone?" with the same code; staff confirm; the phone lands in the case on the step where the
  counter left it; the case's timeline reads counter → web → counter;
* the phone line: a whole case answered by staff on a call, in Welsh, checked and sent;
* a slip from the counter, opened at ``/resume`` in another browser with the PIN the citizen chose.

Every new page is audited with axe-core (WCAG 2.2 A/AA); any violation fails the test. Screenshots
and audits go to test-artifacts/web/ (``60-…``)."""

from __future__ import annotations

import re

import pytest

from tests.e2e import browser_support
from tests.e2e.browser_support import assert_accessible, shot, sign_in
from tests.e2e.test_web_start_e2e import (  # noqa: F401
    _about_you,
    _kiosk_message,
    _new_address,
    front_door,
)

browser = browser_support.browser  # the Chromium fixture, shared

pytestmark = pytest.mark.browser


def _sign_in(browser, base: str):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "cerys")
    return context, page


def _start(page, base: str, where: str, lang: str, problems: list[str], tag: str) -> str:  # type: ignore[no-untyped-def]
    """From the queue to the first step of a new case; the case id."""
    page.get_by_role("link", name="New case").click()
    page.wait_for_url(f"{base}/staff/new")
    page.get_by_role("button", name="Start").click()  # nothing chosen
    assert "Choose where the citizen is" in page.locator(".error-summary").inner_text()
    shot(page, f"60-new-case-errors-{tag}", problems)
    page.get_by_label(where).check()
    page.get_by_label("Cymraeg (Welsh)" if lang == "cy" else "English").check()
    page.get_by_label("Report a change of address").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(rf"{base}/staff/new/[0-9a-f-]+/step/about-you"))
    return page.url.split("/")[5]


def test_counter_to_phone_end_to_end(front_door, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, kit = front_door
    problems: list[str] = []
    staff, page = _sign_in(browser, base)
    case_id = _start(page, base, "At the counter", "en", problems, "en")
    shot(page, "61-counter-step-1", problems)
    _about_you(page)
    page.get_by_label("National Insurance number").fill("QQ 12 34 56 C")
    page.get_by_role("button", name="Continue").click()
    said = page.locator("#f-ni_number-error").inner_text()
    assert _kiosk_message("ni_number", "QQ 12 34 56 C", "en") in said
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    shot(page, "62-counter-step-1-wrong", problems)
    page.get_by_label("National Insurance number").fill("JG 10 37 59 A")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/step/new-address")
    page.get_by_role("link", name="Hand on to the citizen").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/hand-on")
    shot(page, "63-hand-on", problems)
    page.get_by_role("button", name="Show a code for their phone").click()
    qr = page.get_by_test_id("qr")
    assert qr.locator("svg[role=img]").is_visible()
    link = qr.get_attribute("data-qr-link")
    code = page.get_by_test_id("handoff-code").inner_text()
    shot(page, "64-qr-for-the-phone", problems)

    # The citizen's phone opens the QR link and shows the code to read out.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    ppage = phone.new_page()
    ppage.goto(link)
    ppage.wait_for_url(f"{base}/case")
    assert ppage.get_by_test_id("display-code").inner_text() == code
    assert "member of staff" in ppage.inner_text("main")
    shot(ppage, "65-phone-compare-with-staff", problems)

    # The staff page sees the claim (its poller, or the button) and asks the kiosk's question.
    page.wait_for_url(re.compile(rf"{base}/staff/handoffs/[0-9a-f-]+"), timeout=15_000)
    assert page.get_by_test_id("phone-code").inner_text() == code
    shot(page, "66-is-it-their-phone", problems)
    page.get_by_role("button", name="Yes, it is their phone").click()
    assert page.get_by_test_id("handoff-status").inner_text() == "The case is on their phone"
    shot(page, "67-on-their-phone", problems)

    ppage.get_by_role("button", name="The member of staff has confirmed").click()
    ppage.wait_for_url(f"{base}/case?checked=1")
    assert ppage.get_by_test_id("display-code").count() == 0  # past the compare page
    ppage.goto(f"{base}/case/next")
    ppage.wait_for_url(f"{base}/case/step/new-address")  # where the counter left it
    shot(ppage, "68-phone-in-the-case", problems)
    phone.close()

    page.goto(f"{base}/staff/cases/{case_id}")
    rows = page.locator("#timeline tbody tr")
    codes = [rows.nth(i).get_attribute("data-channel") for i in range(rows.count())]
    assert codes[0] == "counter" and "web" in codes and codes[-1] == "counter"
    channels = page.locator("#timeline tbody td.channel").all_inner_texts()
    assert channels[0] == "Counter" and "Online" in channels  # in words, for the member of staff
    staff.close()
    assert_accessible(problems)


def test_phone_line_in_welsh_to_the_reference(front_door, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, kit = front_door
    problems: list[str] = []
    staff, page = _sign_in(browser, base)
    case_id = _start(page, base, "On the phone line", "cy", problems, "cy")
    assert "Amdanoch chi" in page.inner_text("main")
    shot(page, "70-phone-line-step-1-cy", problems)
    _about_you(page, "cy")
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/step/new-address")
    _new_address(page, kit.clock().date(), "cy")
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/step/household")
    page.locator("#f-others_on_benefits-2").check()  # the second answer: no
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/step/contact")
    page.locator("#f-contact_by").check()  # the first: by post
    page.get_by_role("button", name="Parhau").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/check")
    assert "CF10 1AA" in page.inner_text("main")
    shot(page, "71-phone-line-check-cy", problems)
    page.get_by_role("button", name="Derbyn ac anfon").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/done")
    reference = page.get_by_test_id("reference").inner_text()
    assert reference.startswith("CARDIFF-")
    assert "10 diwrnod gwaith" in page.get_by_test_id("next-steps").inner_text()
    shot(page, "72-phone-line-done", problems)
    page.get_by_role("link", name="Ask the citizen the feedback question").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/feedback")
    shot(page, "73-phone-line-feedback-cy", problems)
    page.get_by_label("Bodlon iawn").check()
    page.get_by_role("button", name="Anfon adborth").click()
    page.wait_for_url(f"{base}/staff/cases/{case_id}")
    assert "5 of 5, very satisfied (completed)" in page.inner_text("#timeline")
    page.goto(f"{base}/staff/feedback")
    shot(page, "74-feedback-without-a-case", problems)
    staff.close()

    from central.db.models import Case

    with kit.sessions() as s:
        case = s.query(Case).filter_by(reference=reference).one()
        assert (case.status, case.origin_channel) == ("submitted", "phone")
    assert_accessible(problems)


def test_slip_from_the_counter_opened_at_resume(front_door, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, _ = front_door
    problems: list[str] = []
    staff, page = _sign_in(browser, base)
    case_id = _start(page, base, "At the counter", "en", problems, "slip")
    _about_you(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/staff/new/{case_id}/step/new-address")
    page.goto(f"{base}/staff/new/{case_id}/hand-on")
    page.get_by_label("A PIN of 4 to 6 digits they choose").check()
    page.get_by_label("PIN", exact=True).fill("12")
    page.get_by_role("button", name="Make a slip").click()
    assert page.locator(".error-summary").is_visible()
    shot(page, "75-slip-factor-error", problems)
    page.get_by_label("A PIN of 4 to 6 digits they choose").check()
    page.get_by_label("PIN", exact=True).fill("4821")
    page.get_by_role("button", name="Make a slip").click()
    code = page.get_by_test_id("resume-code").inner_text()
    assert page.get_by_test_id("resume-url").inner_text() == f"{base}/resume"
    shot(page, "76-slip", problems)
    staff.close()

    citizen = browser.new_context(viewport={"width": 390, "height": 844})
    cpage = citizen.new_page()
    cpage.goto(f"{base}/resume")
    cpage.locator("input[name=code]").fill(code)
    cpage.locator("input[name=factor]").fill("4821")
    cpage.locator("main button[type=submit]").click()
    cpage.wait_for_url(re.compile(rf"{base}/case.*"))
    cpage.goto(f"{base}/case/next")
    cpage.wait_for_url(f"{base}/case/step/new-address")
    citizen.close()
    assert_accessible(problems)

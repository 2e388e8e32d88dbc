"""Real browser (Chromium via Playwright) against the app served by uvicorn on a loopback port:
the phone flow (QR link with #secret → claim → steps → check answers → confirmation with the
reference) and the staff flow (login → queue → pick up by reference → timeline with kiosk and web
events). Every page shown is audited with axe-core against WCAG 2.2 A/AA: any violation fails the
test. Screenshots and audits go to test-artifacts/web/. No Chromium → SKIP with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC

import pytest

from tests.e2e import browser_support
from tests.e2e.browser_support import PASSWORD, assert_accessible, live_central, shot, sign_in

browser = browser_support.browser  # the Chromium fixture, shared

pytestmark = pytest.mark.browser


def help_requested(kit) -> dict:  # type: ignore[no-untyped-def]
    """The kiosk's "ask staff" event, as the kiosk sends it."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": "help_requested",
        "occurred_at": kit.clock().astimezone(UTC).isoformat(),
        "payload": {},
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    from central.staff.auth import create_user
    from central.web.testkit import build

    def make_kit(base: str):  # type: ignore[no-untyped-def]
        kit = build(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'central.db'}", base_url=base)
        with kit.sessions() as s:
            create_user(s, "alice", PASSWORD, "staff", kit.office)
            s.commit()
        return kit

    with live_central(make_kit) as (base, kit):
        yield base, kit


def _kiosk_offer(kit, client, case_id) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(f"/api/v1/cases/{case_id}/handoffs", headers=kit.auth)
    assert r.status_code == 201, r.text
    return r.json()


def test_phone_flow(server, browser) -> None:  # type: ignore[no-untyped-def]
    import httpx

    base, kit = server
    case = kit.new_case({"full_name": "Ann Example"})
    api = httpx.Client(base_url=base)
    h = _kiosk_offer(kit, api, case.id)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(h["verification_uri_complete"])
    page.wait_for_url(f"{base}/case")
    assert "#" not in page.url
    assert page.get_by_test_id("display-code").inner_text() == h["display_code"]
    assert page.get_by_test_id("office").inner_text() == kit.office
    cookie = next(c for c in context.cookies() if c["name"] == "case_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shot(page, "01-compare-with-kiosk", problems)
    assert (
        api.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).json()["status"]
        == "confirmed"
    )
    page.get_by_role("button", name="I have confirmed on the kiosk").click()
    page.get_by_role("button", name="Continue your application").click()
    # Empty submit → error summary, focused, linking to the inputs.
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    shot(page, "02-step-errors", problems)
    page.get_by_label("Address line 1").fill("1 High Street")
    page.get_by_label("Postcode").fill("CF10 1AA")
    shot(page, "03-address", problems)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Post", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/case/check")
    assert "1 High Street" in page.inner_text("main")
    shot(page, "04-check-answers", problems)
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url(f"{base}/case/done")
    assert page.get_by_test_id("reference").inner_text() == case.reference
    shot(page, "05-confirmation", problems)
    page.goto(f"{base}/case/status?lang=cy")
    assert page.get_attribute("html", "lang") == "cy"
    assert page.get_by_test_id("status").inner_text() == "Wedi’i anfon"
    shot(page, "06-status-welsh", problems)
    context.close()
    assert_accessible(problems)


def test_staff_flow(server, browser) -> None:  # type: ignore[no-untyped-def]
    import httpx

    base, kit = server
    case = kit.new_case({"full_name": "Bea Example"})
    api = httpx.Client(base_url=base)
    # The citizen carries on from the phone (a web event), then asks for help at the kiosk.
    h = _kiosk_offer(kit, api, case.id)
    phone = browser.new_context()
    ppage = phone.new_page()
    ppage.goto(h["verification_uri_complete"])
    ppage.wait_for_url(f"{base}/case")
    api.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth)
    ppage.goto(f"{base}/case/step/address")
    ppage.get_by_label("Address line 1").fill("2 Low Road")
    ppage.get_by_label("Postcode").fill("CF11 9AA")
    ppage.get_by_role("button", name="Continue").click()
    ppage.wait_for_url(f"{base}/case/step/contact")
    phone.close()
    r = api.post(
        f"/api/v1/cases/{case.id}/events",
        headers=kit.auth,
        json={"events": [help_requested(kit)]},
    )
    assert r.status_code < 300, r.text

    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/staff")
    page.wait_for_url(f"{base}/staff/login")
    shot(page, "09-staff-login", problems)
    sign_in(page, base, "alice")
    assert case.reference in page.inner_text("main")
    shot(page, "10-staff-queue", problems)
    page.get_by_label("Pick up a case").fill(case.reference)
    page.get_by_role("button", name="Pick up").click()
    page.wait_for_url(f"{base}/staff/cases/{case.id}")
    channels = page.locator("#timeline tbody td.channel").all_inner_texts()
    assert "Kiosk" in channels and "Online" in channels and channels[-1] == "Counter or phone"
    events = page.locator("#timeline tbody tr").all_inner_texts()
    assert any("Answers changed" in e and "Online" in e and "Citizen" in e for e in events)
    shot(page, "11-staff-timeline", problems)
    context.close()
    assert_accessible(problems)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_what_the_kiosk_says_for_typing_works_word_for_word(server, browser, lang) -> None:  # type: ignore[no-untyped-def]
    """The typed phone fallback, as a citizen follows it. The kiosk runtime asks central for the
    handoff and says its sentence from its own gettext catalog (English or Welsh); the address
    and the code are read out of that sentence, the address opened in Chromium, the code typed
    key by key as a person would (a wrong one first: a clear error with the tries left), and the
    phone lands in the case once the kiosk, which sees the claim, confirms it. Every page is
    audited with axe-core."""
    import re

    from central.web.i18n import t
    from kiosk.link import CentralClient
    from kiosk.runtime.phone import PhoneHandoff, typed_fallback
    from kiosk.ui.i18n import load_translator

    base, kit = server
    case = kit.new_case({"full_name": "Ann Example"})
    now = [0.0]
    kiosk = PhoneHandoff(
        CentralClient(base, kit.token), str(case.id), language=lang, monotonic=lambda: now[0]
    )
    offer = kiosk.start()
    translator = load_translator()
    said = typed_fallback(offer, translator.bind(lang))
    address = re.search(r"https?://\S+", said)[0]  # type: ignore[index]
    code = re.search(r"\b[A-Z]{5}-[A-Z]{4}-[A-Z]{4}\b", said)[0]  # type: ignore[index]
    assert "#" not in address and offer.url.split("#")[1] not in said

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(address)
    assert page.get_attribute("html", "lang") == lang
    # The page is the kiosk's "Continue on your phone", in the kiosk's own words.
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == translator.gettext(lang, "Continue on your phone")
    assert page.locator("#claim-typed input[type=text]").count() == 1  # one code, nothing else
    shot(page, f"24-kiosk-code-{lang}", problems)
    field = page.get_by_label(t(lang, "code_title"))
    submit = page.locator("#claim-typed").get_by_role("button", name=t(lang, "continue"))

    handle, right_tail = code[:5], code[6:]
    wrong = f"{handle}-{'BBBB-BBBB' if right_tail != 'BBBB-BBBB' else 'CCCC-CCCC'}"
    field.press_sequentially(wrong.lower())
    submit.click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert t(lang, "attempts_left", n=4) in summary.inner_text()
    assert t(lang, "err_wrong_code") in page.locator("#f-code-error").inner_text()
    shot(page, f"25-kiosk-code-wrong-{lang}", problems)

    field = page.get_by_label(t(lang, "code_title"))
    field.fill("")
    field.press_sequentially(code.lower().replace("-", " ") if lang == "en" else code)
    page.locator("#claim-typed").get_by_role("button", name=t(lang, "continue")).click()
    page.wait_for_url(f"{base}/case")
    assert page.get_attribute("html", "lang") == lang
    assert page.get_by_test_id("display-code").inner_text() == offer.display_code == code
    shot(page, f"26-kiosk-code-compare-{lang}", problems)

    now[0] += 60  # the kiosk's next poll is due: it sees the claim, and the citizen confirms
    assert kiosk.poll() == "claimed"
    assert kiosk.answer(True) == "confirmed"
    page.get_by_role("button", name=t(lang, "confirmed_continue")).click()
    assert page.get_by_test_id("reference").inner_text() == case.reference  # in the case
    assert page.get_by_role("button", name=t(lang, "start_next")).is_visible()
    shot(page, f"27-kiosk-code-case-{lang}", problems)
    context.close()
    assert_accessible(problems)


def test_the_other_phone_pages_pass_the_audit_in_both_languages(server, browser) -> None:  # type: ignore[no-untyped-def]
    """The ways in that the flows above do not show: the typed kiosk code, the printed slip, a
    refusal (a link whose code is wrong), in English and in Welsh."""
    base, _ = server
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for lang in ("en", "cy"):
        page.goto(f"{base}/h?lang={lang}")
        assert page.get_attribute("html", "lang") == lang
        shot(page, f"20-typed-code-{lang}", problems)
        page.goto(f"{base}/h/ABCDEF?lang={lang}")
        page.get_by_role("button").first.click()  # nothing typed: the error summary
        shot(page, f"21-typed-code-errors-{lang}", problems)
        page.goto(f"{base}/resume?lang={lang}")
        shot(page, f"22-slip-{lang}", problems)
        page.goto(f"{base}/h?lang={lang}#not-a-real-secret")  # the script posts the fragment
        page.wait_for_load_state("networkidle")
        shot(page, f"23-bad-link-{lang}", problems)
    context.close()
    assert_accessible(problems)


def test_the_fleet_page_passes_the_audit(server, browser) -> None:  # type: ignore[no-untyped-def]
    """A technician signs in and lands on the kiosks of the office, a device fault showing."""
    import httpx

    from central.staff.auth import create_user

    base, kit = server
    with kit.sessions() as s:
        create_user(s, "tom", PASSWORD, "technician", kit.office)
        s.commit()
    states = {"receipt-printer": {"state": "error", "faults": [{"message": "Out of paper."}]}}
    r = httpx.post(
        f"{base}/api/v1/devices/heartbeat",
        json={"software_version": "1.4.0", "outbox_depth": 0, "device_states": states},
        headers=kit.auth,
    )
    assert r.status_code == 200, r.text
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "tom", lands="/staff/fleet")
    assert "receipt-printer: Out of paper." in page.inner_text("#fleet")
    shot(page, "12-staff-fleet", problems)
    context.close()
    assert_accessible(problems)

"""The phone and the staff desk of the demo, in Debian's Chromium driven by Playwright: the citizen
opens the kiosk's QR link, compares the code, finishes the remaining steps and sends; a member of
staff signs in, picks the case up by its reference and reads the timeline; a citizen at the counter
is handed on to their phone (:func:`counter_flow`). Every page is saved as a
PNG. Forms are filled from the catalogue's field ids, so the demo follows the shipped services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def available() -> str | None:
    """None when the browser part can run, else the reason it cannot."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (Debian package chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    return None


def _fill_step(page: Any, answers: Mapping[str, object]) -> None:
    """Fill the fields on the current step page that `answers` has values for."""
    for name, value in answers.items():
        radio = page.locator(f'input[type=radio][name="{name}"]')
        if radio.count():
            v = "yes" if value is True else "no" if value is False else str(value)
            page.locator(f'input[type=radio][name="{name}"][value="{v}"]').check()
            continue
        if page.locator(f'input[name="{name}-day"]').count():
            y, m, d = str(value).split("-")
            page.fill(f'input[name="{name}-day"]', d)
            page.fill(f'input[name="{name}-month"]', m)
            page.fill(f'input[name="{name}-year"]', y)
            continue
        if page.locator(f'input[name="{name}"]').count():
            page.fill(f'input[name="{name}"]', str(value))


def phone_flow(
    browser: Any,
    link: str,
    base: str,
    answers: Mapping[str, object],
    confirm_on_kiosk: Callable[[], None],
    shot: Callable[[Any, str], Path],
) -> str:
    """The citizen's phone from the QR link to the confirmation; returns the reference shown."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.goto(link)
    page.wait_for_url(f"{base}/case*")
    shot(page, "phone-01-compare-code")
    confirm_on_kiosk()
    page.locator("form[action='/case'] button").click()
    shot(page, "phone-02-overview")
    n = 3
    if "/case/status" in page.url:  # finished at the kiosk: the phone follows the case from here
        reference = page.get_by_test_id("reference").inner_text().strip()
        shot(page, f"phone-{n:02d}-case-status")
        page.goto(f"{base}/case/status?lang=cy")
        shot(page, f"phone-{n + 1:02d}-case-status-welsh")
        context.close()
        return reference
    while "/case/check" not in page.url:
        link_el = page.locator("a.button[href^='/case/']")
        if "/case/step/" not in page.url:
            if not link_el.count():
                break
            link_el.first.click()
            continue
        _fill_step(page, answers)
        shot(page, f"phone-{n:02d}-step")
        n += 1
        page.locator("form[action^='/case/step/'] button[type=submit]").click()
        if page.locator(".error-summary").count():
            raise RuntimeError(f"the phone step {page.url} refused the demo answers")
    shot(page, f"phone-{n:02d}-check-answers")
    page.locator("form[action='/case/submit'] button[type=submit]").click()
    page.wait_for_url(f"{base}/case/done")
    reference = page.get_by_test_id("reference").inner_text().strip()
    shot(page, f"phone-{n + 1:02d}-confirmation")
    page.goto(f"{base}/case/status?lang=cy")
    shot(page, f"phone-{n + 2:02d}-status-welsh")
    context.close()
    return reference


def staff_flow(
    browser: Any,
    base: str,
    user: str,
    password: str,
    reference: str,
    shot: Callable[[Any, str], Path],
) -> list[str]:
    """Staff sign in, pick the case up by reference; returns the timeline's channels in order."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff")
    shot(page, "staff-01-queue")
    page.get_by_label("Pick up a case").fill(reference)
    page.get_by_role("button", name="Pick up").click()
    page.wait_for_url(f"{base}/staff/cases/*")
    page.get_by_role("button", name="Assign to me").click()
    page.wait_for_load_state()
    channels = _timeline_channels(page)
    shot(page, "staff-02-case-timeline")
    context.close()
    return channels


def counter_flow(
    browser: Any,
    base: str,
    user: str,
    password: str,
    answers: Mapping[str, object],
    shot: Callable[[Any, str], Path],
) -> list[str]:
    """A citizen at the counter: staff start "Report a change of address" for them, answer the
    first step together and show a QR code; the citizen's phone opens it and shows its code; staff
    confirm it is their phone; the phone carries on where the counter left. Returns the case's
    timeline channels in order."""
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff")
    page.get_by_role("link", name="New case").click()
    page.get_by_label("At the counter").check()
    page.get_by_label("English").check()
    page.locator('input[name="service"][value="change-of-address"]').check()
    shot(page, "counter-01-new-case")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"{base}/staff/new/*/step/*")
    _fill_step(page, answers)
    shot(page, "counter-02-first-step")
    page.locator("form[action*='/step/'] button[type=submit]").click()
    if page.locator(".error-summary").count():
        raise RuntimeError(f"the counter step {page.url} refused the demo answers")
    page.get_by_role("link", name="Hand on to the citizen").click()
    page.get_by_role("button", name="Show a code for their phone").click()
    link = page.get_by_test_id("qr").get_attribute("data-qr-link")
    shot(page, "counter-03-qr-for-the-phone")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    ppage = phone.new_page()
    ppage.goto(link)
    ppage.wait_for_url(f"{base}/case*")
    shot(ppage, "counter-04-phone-compare-code")
    page.wait_for_url(f"{base}/staff/handoffs/*", timeout=15_000)  # the page's poller
    shot(page, "counter-05-is-it-their-phone")
    page.get_by_role("button", name="Yes, it is their phone").click()
    shot(page, "counter-06-on-their-phone")
    ppage.locator("form[action='/case'] button").click()
    ppage.goto(f"{base}/case/next")
    shot(ppage, "counter-07-phone-carries-on")
    phone.close()
    page.get_by_role("link", name="Open the case and its history").click()
    channels = _timeline_channels(page)
    shot(page, "counter-08-timeline")
    staff.close()
    return channels


def run(out: Path, body: Callable[[Any, Callable[[Any, str], Path]], Any]) -> Any:
    """Start Chromium, call ``body(browser, shot)``, close; screenshots go to ``out``."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)

    def shot(page: Any, name: str) -> Path:
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            return body(browser, shot)
        finally:
            browser.close()


def _timeline_channels(page: Any) -> list[str]:
    """The channel of each event of the case page's timeline, as recorded (kiosk, web, staff…)."""
    rows = page.locator("#timeline tbody tr")
    return [str(rows.nth(i).get_attribute("data-channel")) for i in range(rows.count())]

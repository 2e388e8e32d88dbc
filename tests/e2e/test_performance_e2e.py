"""The performance page in a real browser (Chromium via Playwright), audited with axe-core against
WCAG 2.2 A/AA: an analyst signs in, lands on it, filters by office, and every violation fails the
test. Screenshots and audits go to test-artifacts/web/. No Chromium → SKIP with the reason."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "central"))
from funnel_support import session_events  # noqa: E402
from test_web_e2e import PASSWORD, browser, server, shot  # noqa: E402, F401

pytestmark = pytest.mark.browser


def test_the_performance_page_passes_the_audit(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    import httpx

    from central.staff.auth import create_user

    base, kit = server
    with kit.sessions() as s:
        create_user(s, "ana", PASSWORD, "analyst", kit.office)
        s.commit()
    start = kit.clock() - timedelta(hours=2)
    events = []
    for reason, seconds in (("submitted", 200), ("submitted", 320), ("back_to_start", 60)):
        events += session_events(
            "change-of-address", start, steps=("address",), reason=reason, duration_s=seconds
        )
    events += session_events("change-of-address", start, reason="submitted", channel="assisted")
    r = httpx.post(f"{base}/api/v1/funnel", json={"events": events}, headers=kit.auth)
    assert r.status_code == 200 and r.json()["accepted"] == len(events), r.text
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/performance")
    page.get_by_label("Office").select_option(kit.office)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"{base}/staff/performance?**")
    kiosk = page.locator('tr[data-channel="kiosk"]').inner_text()
    assert kiosk.split("\t")[:5] == ["Kiosk", "3", "2", "1", "67%"]
    assert page.get_by_role("img", name="Completion rate by channel").count() == 1
    shot(page, "13-staff-performance", problems)
    page.get_by_label("Period").fill("next month")
    page.get_by_role("button", name="Show").click()
    assert page.locator(".error-summary").is_visible()
    shot(page, "14-staff-performance-error", problems)
    context.close()
    assert not problems, "WCAG 2.2 AA violations (axe-core):\n" + "\n".join(problems)

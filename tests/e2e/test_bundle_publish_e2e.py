"""The console's bundle publish form in Chromium (issue 14 item 3): an admin fills it in by its
labels, publishes, and the page says the new version is with the canaries; a refused value is
shown on the page. Each page (the empty form, the refusal, the rollout under way) is audited with
axe-core (WCAG 2.2 A/AA); any violation fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.bundle_support import write_key
from tests.e2e import browser_support
from tests.e2e.browser_support import PASSWORD, assert_accessible, live_central, shot, sign_in

browser = browser_support.browser  # the Chromium fixture, shared

SERVICE = 'id = "bins"\n[title]\nen = "Missed bin"\ncy = "Bin heb ei gasglu"\n'


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, object]]:
    from central.web.testkit import build

    key = write_key(tmp_path / "bundle.pem")
    services = tmp_path / "services"
    services.mkdir()
    (services / "bins.toml").write_text(SERVICE, encoding="utf-8")

    def make_kit(base: str):  # type: ignore[no-untyped-def]
        return build(f"sqlite:///{tmp_path / 'central.db'}", base_url=base, bundle_key_file=key,
                     catalogue_dir=services)  # fmt: skip

    with live_central(make_kit) as (base, kit):
        yield base, kit


def test_an_admin_publishes_from_the_form(server, browser) -> None:  # type: ignore[no-untyped-def]
    from central.fleet import rollout
    from central.staff.auth import create_user

    base, kit = server
    with kit.sessions() as s:
        create_user(s, "ada", PASSWORD, "admin", kit.office)
        s.commit()
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "ada")
    page.goto(f"{base}/staff/fleet/bundles")
    shot(page, "bundles-publish-form", problems)

    page.get_by_label("Seconds the citizen has to answer (at least 20)").fill("5")
    page.get_by_role("button", name="Sign and publish").click()
    page.wait_for_load_state("networkidle")
    assert "idle.respond_s: a number from 20 to 600" in page.get_by_role("alert").inner_text()
    shot(page, "bundles-publish-refused", problems)

    page.get_by_label("Seconds the citizen has to answer (at least 20)").fill("45")
    page.get_by_label("Welsh").first.fill("Ar gau brynhawn dydd Gwener")
    page.get_by_label("English").first.fill("Closed on Friday afternoon")
    page.get_by_label("Canary kiosks (ids separated by spaces; blank: chosen for you)").fill(
        kit.device_id
    )
    page.get_by_role("button", name="Sign and publish").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("rollout-state").inner_text().startswith("active")
    shot(page, "bundles-published", problems)
    context.close()
    with kit.sessions() as s:
        assert rollout.latest(s).canaries == [kit.device_id]
    assert_accessible(problems)

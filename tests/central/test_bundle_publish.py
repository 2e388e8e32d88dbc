"""Publishing a bundle from the console (issue 14 item 3), over HTTP on both databases: an admin
fills in the remote settings (blank ones left out), ticks the current catalogue, and a new signed
version goes to the canary kiosk — the kiosk's poll receives exactly those settings and catalogue
files, verified with the public key. The act is audited under the admin's name. A value out of
range, another rollout still open or no signing key is shown on the page and stores nothing; a
technician has no form and is refused; a forged POST (no or wrong CSRF token, another origin)
changes nothing."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_support import clear_bundles, write_key
from fastapi.testclient import TestClient
from post_guard_support import EVIL, rows
from sqlalchemy import select
from staff_support import PASSWORD, csrf, staff_client

from central.fleet.bundle_api import FORM_SETTINGS
from central.fleet.bundles import REMOTE_KEYS, Signer
from central.fleet.models import FleetAudit, FleetBundle
from central.staff.auth import create_user
from central.web.testkit import Kit, build

SERVICE = 'id = "bins"\n[title]\nen = "Missed bin"\ncy = "Bin heb ei gasglu"\n'
PAGE = "/staff/fleet/bundles"
PUBLISH = "/staff/fleet/bundles/publish"


class Fleet:
    def __init__(self, kit: Kit, key: Path, admin: str, tech: str) -> None:
        self.kit, self.key, self.admin, self.tech = kit, key, admin, tech

    def signed_in(self, username: str) -> tuple[TestClient, str]:
        client = staff_client(self.kit, username)
        return client, csrf(client.get(PAGE).text)

    def bundles(self) -> list[FleetBundle]:
        with self.kit.sessions() as s:
            return list(s.scalars(select(FleetBundle).order_by(FleetBundle.version)))


@pytest.fixture
def fleet(db_url: str, tmp_path: Path) -> Iterator[Fleet]:
    key = write_key(tmp_path / "bundle.pem")
    services = tmp_path / "services"
    services.mkdir()
    (services / "bins.toml").write_text(SERVICE, encoding="utf-8")
    kit = build(db_url, office="P" + secrets.token_hex(3).upper(), bundle_key_file=key,
                catalogue_dir=services)  # fmt: skip
    clear_bundles(kit.engine)
    admin, tech = "a" + secrets.token_hex(5), "t" + secrets.token_hex(5)
    with kit.sessions() as s:
        create_user(s, admin, PASSWORD, "admin", kit.office)
        create_user(s, tech, PASSWORD, "technician", kit.office)
        s.commit()
    yield Fleet(kit, key, admin, tech)
    clear_bundles(kit.engine)
    kit.engine.dispose()


def form(fleet: Fleet, token: str, **extra: str) -> dict[str, str]:
    return {
        "csrf": token,
        "idle.respond_s": "45",
        "idle.warning_after_s": "",
        "services.enabled": "bins  council-tax",
        "texts.attract_notice.en": "Closed on Friday afternoon",
        "texts.attract_notice.cy": "Ar gau brynhawn dydd Gwener",
        "catalogue": "1",
        "canaries": fleet.kit.device_id,
        "window_min": "15",
        **extra,
    }


def test_every_remote_setting_has_a_field() -> None:
    assert {key for key, _kind, _label in FORM_SETTINGS} == set(REMOTE_KEYS)


def test_an_admin_publishes_and_the_canary_receives_it(fleet: Fleet) -> None:
    kit = fleet.kit
    client, token = fleet.signed_in(fleet.admin)
    page = client.get(PAGE).text
    assert 'data-testid="publish-form"' in page and 'lang="cy"' in page
    r = client.post(PUBLISH, data=form(fleet, token))
    assert r.status_code == 303 and r.headers["location"] == PAGE
    page = client.get(PAGE).text
    assert 'data-testid="rollout-state">active' in page
    assert 'data-testid="publish-form"' not in page  # one rollout at a time

    served = client.get("/api/v1/devices/bundle", headers=kit.auth).json()
    bundle = served["bundle"]
    public = Signer.from_file(fleet.key).public
    public.verify(base64.b64decode(bundle["signature"]), bundle["payload"].encode())
    body = json.loads(bundle["payload"])
    assert body["settings"] == {
        "idle.respond_s": 45,
        "services.enabled": ["bins", "council-tax"],
        "texts.attract_notice": {"en": "Closed on Friday afternoon",
                                 "cy": "Ar gau brynhawn dydd Gwener"},
    }  # fmt: skip
    assert body["catalogue"] == {"bins.toml": SERVICE}
    with kit.sessions() as s:
        trail = s.scalars(select(FleetAudit).where(FleetAudit.action == "bundle_published")).all()
        assert [a.actor for a in trail] == [trail[0].actor]
        assert trail[0].actor.startswith("staff:")

    again = client.post(PUBLISH, data=form(fleet, token), follow_redirects=True)
    assert "still active" in again.text and len(fleet.bundles()) == 1


def test_without_the_catalogue_box_no_catalogue_is_signed(fleet: Fleet) -> None:
    client, token = fleet.signed_in(fleet.admin)
    data = {k: v for k, v in form(fleet, token).items() if k != "catalogue"}
    assert client.post(PUBLISH, data=data).status_code == 303
    (made,) = fleet.bundles()
    assert "catalogue" not in json.loads(made.payload)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("idle.respond_s", "5", "idle.respond_s: a number from 20 to 600"),
        ("idle.goodbye_s", "soon", "idle.goodbye_s: a whole number of seconds"),
        ("texts.attract_notice.cy", "", "cy: 1-300 characters"),
        ("canaries", "no-such-kiosk", "no such live kiosk: no-such-kiosk"),
        ("window_min", "half an hour", "whole number of minutes"),
    ],
)
def test_a_refusal_is_shown_and_nothing_is_stored(
    fleet: Fleet, field: str, value: str, said: str
) -> None:
    client, token = fleet.signed_in(fleet.admin)
    page = client.post(PUBLISH, data=form(fleet, token, **{field: value}), follow_redirects=True)
    assert page.status_code == 200
    shown = page.text.split('data-testid="bundle-error">', 1)[1].split("</p>", 1)[0]
    assert said in shown
    assert fleet.bundles() == []


def test_no_signing_key_stores_nothing(fleet: Fleet) -> None:
    fleet.key.unlink()
    client, token = fleet.signed_in(fleet.admin)
    page = client.post(PUBLISH, data=form(fleet, token), follow_redirects=True)
    assert 'data-testid="bundle-error"' in page.text and fleet.bundles() == []
    assert "BEGIN" not in page.text


def test_a_technician_has_no_form_and_is_refused(fleet: Fleet) -> None:
    client, token = fleet.signed_in(fleet.tech)
    assert 'data-testid="publish-form"' not in client.get(PAGE).text
    assert client.post(PUBLISH, data=form(fleet, token)).status_code == 403
    assert fleet.bundles() == []


def test_a_forged_publish_is_refused_and_changes_nothing(fleet: Fleet) -> None:
    kit = fleet.kit
    client, token = fleet.signed_in(fleet.admin)
    before = rows(kit)
    for data, headers in [(form(fleet, token), EVIL), (form(fleet, token), {"Referer": "https://evil.example/x"}),
                          (form(fleet, ""), {}), (form(fleet, "forged"), {})]:  # fmt: skip
        assert client.post(PUBLISH, data=data, headers=headers).status_code == 403
        assert rows(kit) == before and fleet.bundles() == []
    assert client.post(PUBLISH, data=form(fleet, token)).status_code == 303
    assert len(fleet.bundles()) == 1

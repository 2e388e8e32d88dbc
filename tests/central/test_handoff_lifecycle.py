"""Handoff lifecycle over HTTP: create, poll (pending / slow_down / claimed / expired), claim,
confirm / decline; wrong display codes and lockout; per-client rate limit; secrets hashed at rest."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from central.db.models import CaseEvent
from central.handoff import codes
from central.handoff.models import Handoff, WebSession
from central.handoff.ratelimit import AttemptLimiter
from central.web.testkit import Kit, build, fresh_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    """Every lifecycle test on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        kit = build(f"sqlite:///{tmp_path / 'c.db'}")
        kit.app.state.attempt_limiter = AttemptLimiter(1000, 60)
        yield kit
        kit.engine.dispose()
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip(
                "PostgreSQL at 127.0.0.1:5432 unreachable: handoff lifecycle on PostgreSQL did NOT run"
            )
        kit = build(url)
        kit.app.state.attempt_limiter = AttemptLimiter(1000, 60)
        yield kit
        kit.engine.dispose()


@pytest.fixture
def client(kit: Kit) -> TestClient:
    return TestClient(kit.app, follow_redirects=False)


def offer(kit: Kit, client: TestClient) -> dict:
    case = kit.new_case({"full_name": "Ann Example"})
    r = client.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth)
    assert r.status_code == 201, r.text
    body = r.json()
    body["secret"] = body["verification_uri_complete"].split("#", 1)[1]
    body["case_id"] = str(case.id)
    return body


def poll(kit: Kit, client: TestClient, h: dict) -> dict:
    r = client.get(f"/api/v1/handoffs/{h['id']}", headers=kit.auth)
    assert r.status_code == 200, r.text
    return r.json()


def test_create_returns_rfc8628_fields(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    # One code to type: the handoff's 4-letter handle, then the 8 letters derived from the secret.
    assert re.fullmatch(
        r"[BCDFGHJKLMNPQRSTVWXZ]{5}(-[BCDFGHJKLMNPQRSTVWXZ]{4}){2}", h["display_code"]
    )
    assert h["verification_uri_complete"].startswith("http://testserver/h#")
    assert len(h["secret"]) >= 43  # 32 bytes url-safe base64 = 256 bits
    assert h["verification_uri"] == "http://testserver/h"
    assert h["expires_in"] == 600 and h["interval"] == 5 and h["office"] == kit.office
    assert h["display_code"] == f"{h['short_id']}-{codes.display_code_for(h['secret'])}"


def test_pending_claimed_confirmed(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    assert poll(kit, client, h)["status"] == "pending"
    kit.clock.advance(5)
    r = client.post("/h/claim", data={"secret": h["secret"]})
    assert r.status_code == 303 and r.headers["location"] == "/case"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and h["secret"] not in cookie
    assert poll(kit, client, h)["status"] == "claimed"
    # Until the kiosk confirms, the phone shows the code and office to compare, not the case.
    page = client.get("/case")
    assert (
        h["display_code"] in page.text
        and kit.office in page.text
        and "Your new address" not in page.text
    )
    r = client.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert "Your new address" in client.get("/case").text
    # The second claim of the same secret loses.
    other = TestClient(kit.app, follow_redirects=False)
    assert other.post("/h/claim", data={"secret": h["secret"]}).status_code == 409
    with kit.sessions() as s:
        stages = [
            (e.channel, e.actor_type, e.payload.get("stage"))
            for e in s.scalars(select(CaseEvent).order_by(CaseEvent.seq))
            if e.type == "handed_off"
        ]
    assert stages == [
        ("kiosk", "device", "offered"),
        ("web", "citizen", "claimed"),
        ("kiosk", "device", "confirmed"),
    ]


def test_decline_revokes_phone_session(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    assert client.post("/h/claim", data={"secret": h["secret"]}).status_code == 303
    r = client.post(f"/api/v1/handoffs/{h['id']}/decline", headers=kit.auth)
    assert r.json()["status"] == "declined"
    page = client.get("/case")
    assert page.status_code == 401 and "This session has ended" in page.text
    assert client.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).status_code == 409


def test_confirm_needs_a_claim_and_the_originating_kiosk(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    assert client.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).status_code == 409
    from central.auth.devices import register_device

    with kit.sessions() as s:
        _, other_token = register_device(s, kit.office, "kiosk 2")
        s.commit()
    other = {"Authorization": f"Bearer {other_token}"}
    assert client.get(f"/api/v1/handoffs/{h['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/handoffs/{h['id']}/decline", headers=other).status_code == 404
    assert client.get(f"/api/v1/handoffs/{h['id']}").status_code == 401


def test_slow_down_adds_five_seconds(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    assert poll(kit, client, h) | {"expires_in": 0} == {
        "id": h["id"],
        "status": "pending",
        "interval": 5,
        "expires_in": 0,
    }
    kit.clock.advance(2)
    slow = poll(kit, client, h)
    assert slow["status"] == "slow_down" and slow["interval"] == 10
    kit.clock.advance(6)  # 6 s < the new 10 s interval
    assert poll(kit, client, h)["status"] == "slow_down"
    kit.clock.advance(16)
    assert poll(kit, client, h) == {
        "id": h["id"],
        "status": "pending",
        "interval": 15,
        "expires_in": 600 - 24,
    }


def test_expiry_with_injected_clock(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    kit.clock.advance(600)
    assert poll(kit, client, h)["status"] == "expired"
    r = client.post("/h/claim", data={"secret": h["secret"]})
    assert r.status_code == 410 and "expired" in r.text and "set-cookie" not in r.headers


def test_five_wrong_display_codes_lock_the_handoff(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    tail = "BBBB-BBBB" if not h["display_code"].endswith("BBBB-BBBB") else "CCCC-CCCC"
    wrong = f"{h['short_id']}-{tail}"  # the right handle, the wrong 8 letters
    for left in (4, 3, 2, 1):
        r = client.post("/h/code", data={"code": wrong})
        assert r.status_code == 400 and f"You have {left} tries left" in r.text
    r = client.post("/h/code", data={"code": wrong})
    assert r.status_code == 410
    # Even the right code no longer works, and the kiosk sees the handoff expired.
    r = client.post("/h/code", data={"code": h["display_code"]})
    assert r.status_code == 410 and "set-cookie" not in r.headers
    assert poll(kit, client, h)["status"] == "expired"
    with kit.sessions() as s:
        assert s.scalar(select(Handoff.failed_attempts)) == 5


def test_typed_code_claims_case_insensitively(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    typed = h["display_code"].replace("-", " ").lower()
    r = client.post("/h/code", data={"code": typed})
    assert r.status_code == 303 and r.headers["location"] == "/case"
    assert poll(kit, client, h)["status"] == "claimed"


def test_per_client_rate_limit(kit: Kit, client: TestClient) -> None:
    now = [0.0]
    kit.app.state.attempt_limiter = AttemptLimiter(10, 60, clock=lambda: now[0])
    for _ in range(10):
        assert client.post("/h/code", data={"code": "ZZZZZ-BBBB-BBBB"}).status_code == 404
    r = client.post("/h/code", data={"code": "ZZZZZ-BBBB-BBBB"})
    assert r.status_code == 429 and "Too many attempts" in r.text
    assert client.post("/h/claim", data={"secret": "x"}).status_code == 429
    # Successes are not counted: a busy office behind one address is not locked out by them.
    now[0] += 61
    for _ in range(12):
        h = offer(kit, client)
        fresh = TestClient(kit.app, follow_redirects=False)
        assert fresh.post("/h/claim", data={"secret": h["secret"]}).status_code == 303
    assert client.post("/h/code", data={"code": "ZZZZZ-BBBB-BBBB"}).status_code == 404


def test_secrets_are_stored_hashed(kit: Kit, client: TestClient) -> None:
    h = offer(kit, client)
    r = client.post("/h/claim", data={"secret": h["secret"]})
    token = (
        r.cookies.get("case_session")
        or re.search(r"case_session=([^;]+)", r.headers["set-cookie"])[1]
    )
    with kit.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM handoffs").mappings().one()
        session_row = conn.exec_driver_sql("SELECT * FROM web_sessions").mappings().one()
        dump = repr(list(row.values())) + repr(list(session_row.values()))
    assert h["secret"] not in dump and token not in dump
    assert h["display_code"][6:].replace("-", "") not in repr(list(row.values()))
    assert (
        row["secret_hash"]
        == hashlib.sha256(f"handoff-secret\x00{h['secret']}".encode()).hexdigest()
    )
    assert (
        session_row["token_hash"] == hashlib.sha256(f"web-session\x00{token}".encode()).hexdigest()
    )


def test_constant_time_compare_is_used(kit: Kit, client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[str, str]] = []
    real = codes.same_hash

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(codes, "same_hash", spy)
    h = offer(kit, client)
    client.post("/h/code", data={"code": f"{h['short_id']}-BBBB-BBBC"})
    client.post("/h/claim", data={"secret": h["secret"]})
    expected = hashlib.sha256(f"handoff-secret\x00{h['secret']}".encode()).hexdigest()
    assert any(expected in pair for pair in calls)
    assert len(calls) >= 2
    import hmac

    seen: list[bool] = []
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: seen.append(True) or a == b)
    assert real("ab", "ab") and seen


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({"cookie_secure": True}, True),
        ({"base_url": "https://kiosk.example.gov.uk"}, True),  # HTTPS: Secure without a switch
        ({"base_url": "https://kiosk.example.gov.uk", "cookie_secure": False}, False),
        ({}, False),  # plain-HTTP development server
    ],
)
def test_web_session_cookie_is_secure_on_https_or_when_configured(  # type: ignore[no-untyped-def]
    tmp_path, settings, secure
) -> None:
    kit = build(f"sqlite:///{tmp_path / 's.db'}", **settings)
    client = TestClient(kit.app, follow_redirects=False)
    h = offer(kit, client)
    r = client.post("/h/claim", data={"secret": h["secret"]})
    assert r.status_code == 303
    assert ("; secure" in r.headers["set-cookie"].lower()) is secure
    with kit.sessions() as s:
        assert s.scalar(select(WebSession.display_code)) == h["display_code"][6:]


def test_cookie_security_follows_the_environment_only_when_it_is_set(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from central.settings import Settings

    monkeypatch.delenv("KIOSK_CENTRAL_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("KIOSK_CENTRAL_BASE_URL", "https://kiosk.example.gov.uk/")
    assert Settings.from_env().secure_cookies is True
    monkeypatch.setenv("KIOSK_CENTRAL_COOKIE_SECURE", "0")
    assert Settings.from_env().secure_cookies is False
    monkeypatch.setenv("KIOSK_CENTRAL_BASE_URL", "http://127.0.0.1:8080")
    monkeypatch.setenv("KIOSK_CENTRAL_COOKIE_SECURE", "yes")
    assert Settings.from_env().secure_cookies is True


@pytest.mark.parametrize("how", ["code", "secret"])
def test_a_claim_of_a_closed_case_is_a_calm_page_and_writes_nothing(
    kit: Kit, client: TestClient, how: str
) -> None:
    """Staff closed the case while its QR code was still on the kiosk: the phone gets a 409 page
    (no cookie, no web session, no event), typed code and QR link alike."""
    from sqlalchemy import func, update

    from central.db.models import Case

    h = offer(kit, client)
    with kit.sessions() as s:
        s.execute(update(Case).where(Case.id == uuid.UUID(h["case_id"])).values(status="closed"))
        s.commit()
        events = s.scalar(select(func.count()).select_from(CaseEvent))
    if how == "code":
        r = client.post("/h/code", data={"code": h["display_code"]})
    else:
        r = client.post("/h/claim", data={"secret": h["secret"]})
    assert r.status_code == 409, r.text[:300]
    assert "set-cookie" not in r.headers or "case_session" not in r.headers["set-cookie"]
    with kit.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == events
        assert s.scalar(select(Handoff.claimed_at).where(Handoff.id == uuid.UUID(h["id"]))) is None

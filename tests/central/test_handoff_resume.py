"""Printed-slip resume codes: 30 days, only with the second factor (hashed), attempts limited;
the kiosk resumes a case with code + factor."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from central.db.models import CaseEvent
from central.handoff.models import ResumeCode
from central.handoff.ratelimit import AttemptLimiter
from central.handoff.resume import FactorError, normalise_factor
from central.web.testkit import Kit, build


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'r.db'}")
    kit.app.state.attempt_limiter = AttemptLimiter(1000, 60)
    return kit


@pytest.fixture
def client(kit: Kit) -> TestClient:
    return TestClient(kit.app, follow_redirects=False)


def slip(
    kit: Kit, client: TestClient, kind: str = "dob", value: str = "27/03/1985"
) -> tuple[str, str]:
    case = kit.new_case({"full_name": "Ann Example"})
    r = client.post(
        f"/api/v1/cases/{case.id}/resume-codes",
        headers=kit.auth,
        json={"factor_kind": kind, "factor_value": value},
    )
    assert r.status_code == 201, r.text
    return str(case.id), r.json()["code"]


def test_normalise_factor() -> None:
    assert (
        normalise_factor("dob", "27/3/1985")
        == normalise_factor("dob", "1985-03-27")
        == "1985-03-27"
    )
    assert normalise_factor("phone_last3", " 9 8 2 ") == "982"
    assert normalise_factor("pin", "0042") == "0042"
    for kind, bad in (
        ("dob", "31/02/1985"),
        ("phone_last3", "98"),
        ("pin", "12"),
        ("colour", "red"),
    ):
        with pytest.raises(FactorError):
            normalise_factor(kind, bad)


def test_code_and_factor_are_hashed(kit: Kit, client: TestClient) -> None:
    _, code = slip(kit, client, "pin", "4821")
    assert re.fullmatch(r"([BCDFGHJKLMNPQRSTVWXZ]{4}-){2}[BCDFGHJKLMNPQRSTVWXZ]{4}", code)
    with kit.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM resume_codes").mappings().one()
    dump = repr(list(row.values()))
    assert code.replace("-", "") not in dump and "4821" not in dump
    assert row["factor_hash"].startswith("$argon2id$")


def test_web_resume_needs_the_second_factor(kit: Kit, client: TestClient) -> None:
    _, code = slip(kit, client)
    r = client.post("/resume", data={"code": code, "factor": "28/03/1985"})
    assert r.status_code == 400 and "does not match" in r.text and "4 tries left" in r.text
    assert "set-cookie" not in r.headers
    r = client.post("/resume", data={"code": code.lower().replace("-", ""), "factor": "1985-03-27"})
    assert r.status_code == 303 and r.headers["location"] == "/case/next"  # where they left
    assert client.get("/case/next").headers["location"] == "/case/step/address"
    page = client.get("/case")
    assert (
        page.status_code == 200 and "Your new address" in page.text
    )  # no kiosk confirmation for slips
    with kit.sessions() as s:
        e = s.scalars(select(CaseEvent).order_by(CaseEvent.seq.desc())).first()
        assert (e.type, e.channel, e.actor_type, e.payload["stage"]) == (
            "handed_off",
            "web",
            "citizen",
            "resumed",
        )


def test_five_wrong_factors_lock_the_slip(kit: Kit, client: TestClient) -> None:
    _, code = slip(kit, client, "phone_last3", "982")
    for _ in range(4):
        assert client.post("/resume", data={"code": code, "factor": "111"}).status_code == 400
    assert client.post("/resume", data={"code": code, "factor": "111"}).status_code == 410
    assert client.post("/resume", data={"code": code, "factor": "982"}).status_code == 410


def test_slip_lives_thirty_days(kit: Kit, client: TestClient) -> None:
    _, code = slip(kit, client, "pin", "1234")
    kit.clock.advance(29 * 86400)
    assert client.post("/resume", data={"code": code, "factor": "1234"}).status_code == 303
    kit.clock.advance(86400)
    r = client.post("/resume", data={"code": code, "factor": "1234"})
    assert r.status_code == 410 and "can no longer be used" in r.text


def test_malformed_factor_is_explained_not_counted(kit: Kit, client: TestClient) -> None:
    _, code = slip(kit, client)
    r = client.post("/resume", data={"code": code, "factor": "yesterday"})
    assert r.status_code == 400 and "27/03/1985" in r.text
    with kit.sessions() as s:
        assert s.scalar(select(ResumeCode.failed_attempts)) == 0


def test_kiosk_resume_returns_the_case(kit: Kit, client: TestClient) -> None:
    case_id, code = slip(kit, client, "pin", "1234")
    r = client.post("/api/v1/resume", headers=kit.auth, json={"code": code, "factor": "9999"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["attempts_left"] == 4
    r = client.post("/api/v1/resume", headers=kit.auth, json={"code": code, "factor": "1234"})
    assert r.status_code == 200
    body = r.json()
    assert body["case_id"] == case_id and body["answers"] == {"full_name": "Ann Example"}
    assert client.post("/api/v1/resume", json={"code": code, "factor": "1234"}).status_code == 401
    bad = client.post(
        f"/api/v1/cases/{case_id}/resume-codes",
        headers=kit.auth,
        json={"factor_kind": "pin", "factor_value": "12"},
    )
    assert bad.status_code == 422

"""A kiosk that printed a slip while offline brings its own resume code later: central stores it
hashed like a drawn one, opens the case with it (and only with the factor), answers the relay's
replay without a second row, refuses a malformed code (422) and one another case holds (409) —
on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import func, select

from central.db.base import make_sessionmaker
from central.db.models import CaseEvent
from central.handoff.models import ResumeCode

GOOD = {"postcode": "SW1A 1AA", "household": 2}
ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


def kiosk_code() -> str:
    letters = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def new_case(client, auth) -> str:  # type: ignore[no-untyped-def]
    body = {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD}
    headers = dict(auth) | {"Idempotency-Key": str(uuid.uuid4())}
    r = client.post("/api/v1/cases", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return body["id"]


def register(client, auth, case_id: str, code: str | None, value: str = "4821"):  # type: ignore[no-untyped-def]
    body = {"factor_kind": "pin", "factor_value": value, "code": code}
    return client.post(f"/api/v1/cases/{case_id}/resume-codes", json=body, headers=auth)


def rows(engine, case_id: str) -> list[ResumeCode]:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        return list(s.scalars(select(ResumeCode).where(ResumeCode.case_id == uuid.UUID(case_id))))


def slip_events(engine, case_id: str) -> int:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == uuid.UUID(case_id), CaseEvent.type == "handed_off")
            )
            or 0
        )


def test_kiosk_code_is_kept_hashed_and_opens_the_case_with_its_factor(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(client, auth)
    code = kiosk_code()
    typed = code.lower().replace("-", " ")
    r = register(client, auth, case_id, typed)
    assert r.status_code == 201, r.text
    assert r.json()["code"] == code and r.json()["factor_kind"] == "pin"
    [row] = rows(engine, case_id)
    assert code.replace("-", "") not in repr(vars(row)) and "4821" not in row.factor_hash
    wrong = client.post("/api/v1/resume", json={"code": code, "factor": "1111"}, headers=auth)
    assert wrong.status_code == 400 and wrong.json()["attempts_left"] == 4
    assert rows(engine, case_id)[0].failed_attempts == 1
    right = client.post("/api/v1/resume", json={"code": code, "factor": "4821"}, headers=auth)
    assert right.status_code == 200, right.text
    assert right.json()["case_id"] == case_id and right.json()["answers"]["postcode"] == "SW1A 1AA"


def test_replay_of_the_same_code_writes_nothing_new(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(client, auth)
    code = kiosk_code()
    assert register(client, auth, case_id, code).status_code == 201
    events = slip_events(engine, case_id)
    again = register(client, auth, case_id, code)
    assert again.status_code == 201 and again.json()["code"] == code
    assert len(rows(engine, case_id)) == 1 and slip_events(engine, case_id) == events


def test_code_held_elsewhere_is_409_and_writes_nothing(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    first, second = new_case(client, auth), new_case(client, auth)
    code = kiosk_code()
    assert register(client, auth, first, code).status_code == 201
    other_case = register(client, auth, second, code)
    assert other_case.status_code == 409
    assert other_case.json()["type"].endswith("/resume-code-taken")
    other_factor = register(client, auth, first, code, value="9999")
    assert other_factor.status_code == 409
    assert rows(engine, second) == [] and len(rows(engine, first)) == 1


def test_malformed_code_is_422_and_writes_nothing(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(client, auth)
    for bad in ("BCDF-GHJK-LMNA", "BCDF-GHJK-LMN", "", "0000-0000-0000", "bcdfghjklmnpq"):
        r = register(client, auth, case_id, bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert rows(engine, case_id) == []


def test_central_still_draws_a_code_when_none_is_proposed(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(client, auth)
    r = client.post(
        f"/api/v1/cases/{case_id}/resume-codes",
        json={"factor_kind": "phone_last3", "factor_value": "982"},
        headers=auth,
    )
    assert r.status_code == 201 and len(r.json()["code"]) == 14
    assert len(rows(engine, case_id)) == 1

"""A kiosk may bring the reference it made while offline: central keeps it (canonical form), refuses
one of another office or a malformed one (422), and one already taken (409), writing nothing."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from catalogue.references import make_reference, parse_reference
from central.db.base import make_sessionmaker
from central.db.models import Case

GOOD = {"postcode": "SW1A 1AA", "household": 2}


def post(client, auth, reference):  # type: ignore[no-untyped-def]
    body = {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD}
    body["reference"] = reference
    headers = dict(auth) | {"Idempotency-Key": str(uuid.uuid4())}
    return client.post("/api/v1/cases", json=body, headers=headers)


def cases(engine) -> int:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_kiosk_reference_is_kept_in_canonical_form(client, auth, office) -> None:  # type: ignore[no-untyped-def]
    ref = make_reference(office)
    typed = ref.lower().replace("-", " ")
    r = post(client, auth, typed)
    assert r.status_code == 201, r.text
    assert r.json()["reference"] == ref


def test_taken_reference_is_409_and_writes_nothing(client, auth, office, engine) -> None:  # type: ignore[no-untyped-def]
    ref = make_reference(office)
    assert post(client, auth, ref).status_code == 201
    before = cases(engine)
    r = post(client, auth, ref)
    assert r.status_code == 409 and r.json()["type"].endswith("/reference-taken")
    assert cases(engine) == before


def test_bad_or_foreign_reference_is_422(client, auth, office, engine) -> None:  # type: ignore[no-untyped-def]
    before = cases(engine)
    good = make_reference(office)
    mistyped = good[:-3] + ("X" if good[-3] != "X" else "Y") + good[-2:]
    for bad in (make_reference("SOMEWHERE"), mistyped, "nonsense", ""):
        r = post(client, auth, bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert cases(engine) == before


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True))
def test_every_made_reference_parses_back_to_itself(office: str) -> None:
    ref = make_reference(office)
    assert parse_reference(ref) == ref
    assert parse_reference(ref.lower().replace("-", " ")) == ref

"""The client's ``registration()`` (GET /devices/me) and the office comparison, against a real
`kiosk-central serve` on loopback: what it answers is what `add-device` registered, and a
"mismatch" is exactly when central refuses the kiosk's own references (422) — so the diagnose
sentence "cases would be refused" is true, and a "match" is when it accepts them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_central import LiveCentral

from kiosk.link import CentralClient, Offline, Rejected, Unauthorised
from kiosk.link.registration import compare_office, same_office
from kiosk.references import make_case_reference

ANSWERS = {"full_name": "Ann Example", "ni_number": "AB123456C", "date_of_birth": "1980-04-02"}


@pytest.fixture
def swansea(tmp_path: Path) -> Iterator[LiveCentral]:
    central = LiveCentral(tmp_path, office="SWANSEA").start()
    yield central
    central.stop()


def create_with_reference(client: CentralClient, office: str) -> dict:
    """A case as the kiosk sends it: the reference made here, for the kiosk's configured office."""
    case_id = str(uuid.uuid4())
    body = {
        "id": case_id,
        "service_id": "change-of-address",
        "answers": ANSWERS,
        "reference": make_case_reference(office),
    }
    return client.create_case(body, f"create-{case_id}")


def test_registration_is_what_add_device_registered(swansea: LiveCentral) -> None:
    client = CentralClient(swansea.url, swansea.token, timeout_s=5)
    assert client.registration() == {
        "device_id": swansea.device_id,
        "office": "SWANSEA",
        "name": "test kiosk",
    }
    assert swansea.sql("SELECT id, office FROM devices") == [(swansea.device_id, "SWANSEA")]


def test_a_mismatch_is_exactly_when_central_refuses_the_kiosks_cases(swansea: LiveCentral) -> None:
    client = CentralClient(swansea.url, swansea.token, timeout_s=5)
    found = compare_office(client, "CARDIFF")
    assert (found.configured, found.registered, found.device_id) == (
        "CARDIFF",
        "SWANSEA",
        swansea.device_id,
    )
    assert not found.matches
    assert found.sentence() == (
        "kiosk.toml says office CARDIFF but central registered this kiosk under SWANSEA: cases "
        "would be refused. Fix [office] id in kiosk.toml or re-register the device "
        "(kiosk-central add-device --office CARDIFF)."
    )
    with pytest.raises(Rejected) as refused:
        create_with_reference(client, "CARDIFF")
    assert refused.value.status == 422
    assert swansea.sql("SELECT count(*) FROM cases") == [(0,)]

    # Spelt differently but the same reference code: central accepts it, so it is a match.
    same = compare_office(client, "Swan-sea")
    assert same.matches and "agree" in same.sentence() and "SWANSEA" in same.sentence()
    case = create_with_reference(client, "Swan-sea")
    assert case["reference"].startswith("SWANSEA-")
    assert swansea.sql("SELECT origin_office FROM cases") == [("SWANSEA",)]


def test_same_office_compares_reference_codes() -> None:
    assert same_office("demo-office", "DEMOOFFICE") and same_office("Cardiff 1", "cardiff1")
    assert not same_office("CARDIFF", "SWANSEA")
    assert not same_office("---", "---")  # no code at all: no reference can be made


def test_bad_token_and_central_down_are_typed_errors(swansea: LiveCentral) -> None:
    forged = CentralClient(swansea.url, swansea.device_id + ".forged-secret", timeout_s=5)
    with pytest.raises(Unauthorised) as refused:
        compare_office(forged, "SWANSEA")
    assert refused.value.status == 401
    swansea.stop()
    down = CentralClient(swansea.url, swansea.token, timeout_s=1, retries=1, backoff_base_s=0.01)
    with pytest.raises(Offline):
        down.registration()

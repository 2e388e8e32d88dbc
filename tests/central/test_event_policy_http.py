"""The policy table (event type x channel x actor type) enforced over HTTP, on both databases.

Every event type is sent by a kiosk on each channel it may name (kiosk, web, assisted) as each actor
type, and by a member of staff through the same API; the staff desk's counter and phone channels
go through the case store the desk calls. What is expected is written out here from the rules as
people state them (staff work is staff's on staff channels; a kiosk records staff only when
assisted; the web is the citizen's; nobody records as the system) — not read from the table.
Accepted events are stored with the channel and actor asked for; refused ones answer 403/422 and
leave the case exactly as it was.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from central.cases import store
from central.db.base import make_sessionmaker
from central.db.models import Case, CaseEvent
from central.problems import ProblemError

GOOD = {"postcode": "SW1A 1AA", "household": 2}
JOURNEY = (
    "answers_changed",
    "submitted",
    "handed_off",
    "help_requested",
    "feedback_given",
)
STAFF_WORK = ("assigned", "unassigned", "note_added", "closed")
PAYLOADS: dict[str, dict[str, object]] = {
    "answers_changed": {"answers": {"household": 3}},
    "submitted": {},
    "handed_off": {"to": "web"},
    "help_requested": {},
    "feedback_given": {"score": 4, "ending": "completed"},
    "assigned": {"staff_id": "s-1"},
    "unassigned": {},
    "note_added": {"text": "rang back"},
    "closed": {},
}
KIOSK_MAY = {
    # channel the kiosk names: the actor types that may record the citizen's journey there
    "kiosk": {"citizen", "device"},
    "assisted": {"citizen", "device", "staff"},
    "web": {"citizen"},
}
ACTORS = ("citizen", "device", "staff", "system")


def expected(event_type: str, channel: str, actor: str) -> int:
    if actor not in KIOSK_MAY[channel]:
        return 422
    return 403 if event_type in STAFF_WORK else 201


def _create(client, auth, **extra: str) -> object:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "service_id": "change-of-address", "answers": GOOD} | extra
    return case_id, client.post(
        "/api/v1/cases", json=body, headers=auth | {"Idempotency-Key": case_id}
    )


def _event(event_type: str, **extra: str) -> dict[str, object]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "payload": PAYLOADS[event_type],
    } | extra


def _history(engine, case_id: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        stored = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == uuid.UUID(case_id)).order_by(CaseEvent.seq)
        )
        return [(e.type, e.channel, e.actor_type) for e in stored]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("channel", sorted(KIOSK_MAY))
@pytest.mark.parametrize("event_type", JOURNEY + STAFF_WORK)
def test_a_kiosk_event_is_stored_only_where_the_rules_allow(  # type: ignore[no-untyped-def]
    client, auth, engine, event_type: str, channel: str, actor: str
) -> None:
    case_id, made = _create(client, auth)
    assert made.status_code == 201, made.text
    before = _history(engine, case_id)
    r = client.post(
        f"/api/v1/cases/{case_id}/events",
        json=_event(event_type, channel=channel, actor_type=actor),
        headers=auth | {"If-Match": '"1"'},
    )
    want = expected(event_type, channel, actor)
    if event_type == "unassigned" and want == 201:
        want = 409  # allowed, but a case nobody holds cannot be unassigned (the fold)
    assert r.status_code == want, r.text
    if want == 201:
        assert _history(engine, case_id) == before + [(event_type, channel, actor)]
    else:
        assert _history(engine, case_id) == before
        assert client.get(f"/api/v1/cases/{case_id}", headers=auth).json()["version"] == 1


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("channel", sorted(KIOSK_MAY))
def test_a_kiosk_creates_a_case_only_as_an_actor_the_channel_has(  # type: ignore[no-untyped-def]
    client, auth, engine, channel: str, actor: str
) -> None:
    case_id, r = _create(client, auth, channel=channel, actor_type=actor)
    want = 201 if actor in KIOSK_MAY[channel] else 422
    assert r.status_code == want, r.text
    with make_sessionmaker(engine)() as s:
        found = s.scalar(
            select(func.count()).select_from(Case).where(Case.id == uuid.UUID(case_id))
        )
    assert found == (1 if want == 201 else 0)
    if want == 201:
        assert _history(engine, case_id) == [("created", channel, actor)]


@pytest.mark.parametrize("event_type", JOURNEY + STAFF_WORK)
def test_staff_record_every_event_on_the_staff_channel(  # type: ignore[no-untyped-def]
    client, auth, engine, office, staff_login, event_type: str
) -> None:
    case_id, made = _create(client, auth)
    staff_id, cookies = staff_login(office)
    url = f"/api/v1/cases/{case_id}/events"
    etag = '"1"'
    if event_type == "unassigned":  # only a case someone holds can be given back
        held = client.post(url, json=_event("assigned"), cookies=cookies)
        assert held.status_code == 201, held.text
        etag = '"2"'
    # whatever a member of staff claims, the server records staff on the staff channel
    sent = _event(event_type, channel="kiosk", actor_type="citizen")
    r = client.post(url, json=sent, cookies=cookies, headers={"If-Match": etag})
    assert r.status_code == 201, r.text
    assert _history(engine, case_id)[-1] == (event_type, "staff", "staff")


@pytest.mark.parametrize("channel", ["counter", "phone", "kiosk", "web", "assisted"])
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("event_type", ["note_added", "help_requested"])
def test_the_desk_channels_through_the_store(  # type: ignore[no-untyped-def]
    client, auth, engine, clock, event_type: str, channel: str, actor: str
) -> None:
    """The staff desk's counter and phone channels (its pages call the store with the member of
    staff's actor): staff there may do everything; nobody else acts on them."""
    case_id, made = _create(client, auth)
    if channel in ("counter", "phone"):
        want = 201 if actor == "staff" else 422
    else:
        want = expected(event_type, channel, actor)
    with make_sessionmaker(engine)() as s:
        case = store.lock_case(s, uuid.UUID(case_id))
        try:
            store.append_event(
                s, case, type=event_type, payload=dict(PAYLOADS[event_type]), channel=channel,
                actor_type=actor, actor_id=None, now=clock(),
            )  # fmt: skip
            s.commit()
            got = 201
        except ProblemError as exc:
            s.rollback()
            got = exc.status
    assert got == want
    kept = _history(engine, case_id)
    assert kept[-1] == (
        (event_type, channel, actor) if want == 201 else ("created", "kiosk", "citizen")
    )

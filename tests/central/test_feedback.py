"""One feedback question (issue 12 item 6): the 5-point satisfaction scale and an optional comment,
stored as one event type (``feedback_given``) with its channel, at every ending.

* the API takes it from kiosks in the new shape, and still takes a kiosk not yet updated (score
  1–4, reason), mapped as documented in :mod:`central.feedback` (both databases);
* the web asks it on its done page (ending ``completed``), after "I need help" (``handed_off``)
  and on the "session has ended" page of a session that timed out (``timed_out``), in English and
  Welsh, GOV.UK radios;
* the Alembic migration 0008 rewrites stored kiosk 1–4 events and web feedback notes to the new
  shape (rows inserted at revision 0007, upgraded, read back; both databases), and its downgrade
  gives the old rows back.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from central import feedback
from central.db.base import make_engine, make_sessionmaker
from central.db.models import CaseEvent
from central.migrate import upgrade
from central.web.testkit import Kit, build, fresh_postgres

GOOD = {"postcode": "SW1A 1AA", "household": 2}
COMPLETE = {
    "full_name": "Ann Example",
    "address_line": "1 High St",
    "postcode": "CF10 1AA",
    "contact_method": "post",
}


def create(client, auth) -> str:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    r = client.post(
        "/api/v1/cases",
        json={"id": case_id, "service_id": "change-of-address", "answers": GOOD},
        headers=auth | {"Idempotency-Key": case_id},
    )
    assert r.status_code == 201, r.text
    return case_id


def send(client, auth, case_id: str, payload: dict) -> object:  # type: ignore[no-untyped-def, type-arg]
    body = {
        "event_id": str(uuid.uuid4()),
        "type": "feedback_given",
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "payload": payload,
    }
    return client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=auth)


def last_event(engine, case_id: str) -> CaseEvent:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        return s.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == uuid.UUID(case_id))
            .order_by(CaseEvent.seq.desc())
        ).first()


def test_the_api_takes_the_new_shape_from_a_kiosk(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    for ending in feedback.ENDINGS:
        r = send(client, auth, case_id, {"score": 3, "ending": ending, "comment": " Fine. "})
        assert r.status_code == 201, r.text
        stored = last_event(engine, case_id)
        assert (stored.type, stored.channel) == ("feedback_given", "kiosk")
        assert stored.payload == {"score": 3, "ending": ending, "comment": "Fine."}
    r = send(client, auth, case_id, {"score": 5, "ending": "abandoned"})
    assert r.status_code == 201
    assert last_event(engine, case_id).payload == {"score": 5, "ending": "abandoned"}


@pytest.mark.parametrize(
    "bad",
    [
        {"score": 6, "ending": "completed"},
        {"score": 0, "ending": "completed"},
        {"score": "5", "ending": "completed"},
        {"score": 5, "ending": "bored"},
        {"score": 5, "ending": "completed", "comment": "x" * 501},
        {"score": 5, "ending": "completed", "reason": "old and new mixed"},
        {"score": 5},  # no ending: read as the old kiosk scale, which has no 5
        {"score": 2, "reason": "x" * 501},
        {},
    ],
)
def test_bad_feedback_is_refused(client, auth, bad) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    r = send(client, auth, case_id, bad)
    assert r.status_code == 422 and r.json()["type"].endswith("bad-event-payload"), r.text


@pytest.mark.parametrize(("old", "new"), [(4, 5), (3, 4), (2, 2), (1, 1)])
def test_an_old_kiosks_1_to_4_score_is_mapped(client, auth, engine, old, new) -> None:  # type: ignore[no-untyped-def]
    case_id = create(client, auth)
    r = send(client, auth, case_id, {"score": old, "reason": "Clear enough"})
    assert r.status_code == 201, r.text
    stored = last_event(engine, case_id)
    assert stored.type == "feedback_given"
    assert stored.payload == {
        "score": new,
        "ending": "completed",
        "comment": "Clear enough",
        "mapped_from": {"scale": "kiosk-4", "score": old},
    }
    # and the old shape with no reason
    send(client, auth, case_id, {"score": old, "reason": None})
    assert "comment" not in last_event(engine, case_id).payload


def test_a_kiosk_citizen_who_left_before_sending_gives_feedback_without_a_case(  # type: ignore[no-untyped-def]
    client, auth, engine, office, staff_login
) -> None:
    from central.feedback_api import FeedbackEvent

    body = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-03-02T09:10:00+00:00",
        "service_id": "change-of-address",
        "payload": {"score": 2, "ending": "abandoned", "comment": "Too many questions"},
    }
    r = client.post("/api/v1/feedback", json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["payload"] == {
        "score": 2,
        "ending": "abandoned",
        "comment": "Too many questions",
    }
    assert (r.json()["type"], r.json()["channel"], r.json()["office"]) == (
        "feedback_given",
        "kiosk",
        office,
    )
    again = client.post("/api/v1/feedback", json=body, headers=auth)
    assert again.status_code == 200 and again.json() == r.json()  # the outbox's resend
    other = body | {"payload": {"score": 5, "ending": "abandoned"}}
    assert client.post("/api/v1/feedback", json=other, headers=auth).status_code == 409
    for bad in (
        {"payload": {"score": 6, "ending": "abandoned"}},
        {"payload": {"score": 2, "ending": "left"}},
        {"payload": {"score": 2, "ending": "abandoned", "comment": "x" * 501}},
        {"service_id": "no-such-service"},
        {"channel": "web"},
    ):
        r = client.post(
            "/api/v1/feedback", json=body | {"event_id": str(uuid.uuid4())} | bad, headers=auth
        )
        assert r.status_code == 422, (bad, r.text)
    assert client.post("/api/v1/feedback", json=body).status_code == 401
    no_service = {k: v for k, v in body.items() if k != "service_id"}
    no_service |= {"event_id": str(uuid.uuid4()), "channel": "assisted"}
    assert client.post("/api/v1/feedback", json=no_service, headers=auth).status_code == 201
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(FeedbackEvent).where(FeedbackEvent.office == office)).all()
        assert len(rows) == 2 and all(r.device_id is not None for r in rows)
    # staff of the office read it; staff of another office do not
    _, cookies = staff_login(office)
    client.cookies.update(cookies)
    page = client.get("/staff/feedback").text
    assert "Too many questions" in page and "2 of 5, dissatisfied" in page
    assert "Report a change of address" in page
    _, elsewhere = staff_login("ELSEWHERE")
    client.cookies.update(elsewhere)
    assert "Too many questions" not in client.get("/staff/feedback").text


# ---------------------------------------------------------------- the web


@pytest.fixture
def kit(tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    kit = build(f"sqlite:///{tmp_path / 'feedback.db'}")
    yield kit
    kit.engine.dispose()


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]


def in_case(kit: Kit, answers: dict) -> TestClient:  # type: ignore[type-arg]
    """A phone holding a confirmed session on a fresh case with ``answers``."""
    phone = TestClient(kit.app, follow_redirects=False)
    case = kit.new_case(answers)
    h = phone.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()
    secret = h["verification_uri_complete"].split("#")[1]
    assert phone.post("/h/claim", data={"secret": secret}).status_code == 303
    assert phone.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).status_code == 200
    return phone


def web_feedback(kit: Kit) -> CaseEvent:
    with kit.sessions() as s:
        return s.scalars(
            select(CaseEvent)
            .where(CaseEvent.type == "feedback_given")
            .order_by(CaseEvent.id.desc())
        ).first()


def test_the_done_page_asks_the_one_question_and_stores_one_event(kit: Kit) -> None:
    phone = in_case(kit, COMPLETE)
    check = phone.get("/case/check").text
    assert phone.post("/case/submit", data={"csrf": csrf(check)}).status_code == 303
    done = phone.get("/case/done").text
    assert "Overall, how did you feel about the service you received today?" in html.unescape(done)
    labels = re.findall(r'<label class="radio-label" for="f-score[^"]*">([^<]+)</label>', done)
    assert labels == [
        "Very satisfied",
        "Satisfied",
        "Neither satisfied or dissatisfied",
        "Dissatisfied",
        "Very dissatisfied",
    ]
    cy = phone.get("/case/done?lang=cy").text
    assert "Bodlon iawn" in cy and "Anfodlon iawn" in cy
    r = phone.post("/case/feedback?lang=cy", data={"csrf": csrf(done), "comment": "x"})
    assert r.status_code == 400 and 'href="#f-score"' in r.text
    assert "Dewiswch sut oeddech" in html.unescape(r.text)
    r = phone.post("/case/feedback", data={"csrf": csrf(done), "score": "2", "comment": "x" * 501})
    assert r.status_code == 400 and 'href="#f-comment"' in r.text
    r = phone.post(
        "/case/feedback", data={"csrf": csrf(done), "score": "5", "comment": "Very quick"}
    )
    assert r.headers["location"] == "/case/done?thanks=1"
    assert 'data-testid="feedback-thanks"' in phone.get(r.headers["location"]).text
    stored = web_feedback(kit)
    assert (stored.channel, stored.actor_type) == ("web", "citizen")
    assert stored.payload == {"score": 5, "ending": "completed", "comment": "Very quick"}


def test_after_i_need_help_the_ending_is_handed_off(kit: Kit) -> None:
    phone = in_case(kit, {"full_name": "Ann Example"})
    page = phone.get("/case/help").text
    assert phone.post("/case/help", data={"csrf": csrf(page)}).status_code == 303
    sent = phone.get("/case/help/sent").text
    assert 'action="/case/feedback"' in sent
    r = phone.post("/case/feedback", data={"csrf": csrf(sent), "score": "3"})
    assert r.headers["location"] == "/case/help/sent?thanks=1"
    assert web_feedback(kit).payload == {"score": 3, "ending": "handed_off"}


def test_a_timed_out_web_session_asks_once_on_the_ended_page(kit: Kit) -> None:
    phone = in_case(kit, {"full_name": "Ann Example"})
    kit.clock.advance(3 * 3600)  # the web session lasts 2 hours
    ended = phone.get("/case/step/address")
    assert ended.status_code == 401 and 'action="/feedback/ended"' in ended.text
    assert "keep your information safe" in ended.text
    r = phone.post("/feedback/ended", data={"csrf": csrf(ended.text), "score": "1"})
    assert r.status_code == 200 and "Thank you for your feedback" in r.text
    stored = web_feedback(kit)
    assert stored.payload == {"score": 1, "ending": "timed_out"} and stored.channel == "web"
    # asked once: the cookie is gone, a replay of the form stores nothing
    assert 'action="/feedback/ended"' not in phone.get("/case").text
    with kit.sessions() as s:
        count = len(s.scalars(select(CaseEvent).where(CaseEvent.type == "feedback_given")).all())
    assert count == 1
    # a day later the lapsed cookie asks nothing
    other = in_case(kit, {"full_name": "Bea Example"})
    kit.clock.advance(26 * 3600)
    assert 'action="/feedback/ended"' not in other.get("/case").text


def test_staff_see_the_score_and_the_comment_on_the_case(kit: Kit) -> None:
    from central.staff.auth import create_user

    phone = in_case(kit, COMPLETE)
    check = phone.get("/case/check").text
    phone.post("/case/submit", data={"csrf": csrf(check)})
    done = phone.get("/case/done").text
    phone.post("/case/feedback", data={"csrf": csrf(done), "score": "4", "comment": "Kind staff"})
    with kit.sessions() as s:
        create_user(s, "ffion", "correct horse battery", "staff", kit.office)
        s.commit()
    staff = TestClient(kit.app, follow_redirects=False)
    page = staff.get("/staff/login").text
    staff.post(
        "/staff/login",
        data={"csrf": csrf(page), "username": "ffion", "password": "correct horse battery"},
    )
    case_id = web_feedback(kit).case_id
    page = staff.get(f"/staff/cases/{case_id}").text
    assert "4 of 5, satisfied (completed): Kind staff" in page


# ---------------------------------------------------------------- the migration


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database at revision 0007, the one before the feedback migration."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        upgrade(url, "0007")
        yield url
        return
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 unreachable: the migration on it did NOT run")
        upgrade(url, "0007")
        yield url


OLD_ROWS = [
    ("feedback_given", "kiosk", {"score": 4, "reason": "Quick"}),
    ("feedback_given", "kiosk", {"score": 3, "reason": None}),
    ("feedback_given", "assisted", {"score": 2}),
    ("feedback_given", "kiosk", {"score": 1, "reason": "y" * 900}),
    ("note_added", "web", {"kind": "feedback", "rating": "good", "text": "Easy"}),
    ("note_added", "web", {"kind": "feedback", "rating": "ok", "text": ""}),
    ("note_added", "web", {"kind": "feedback", "rating": "poor", "text": "Slow"}),
    ("note_added", "staff", {"text": "Called back."}),  # a staff note: not feedback
]
EXPECTED = [
    ("feedback_given", {"score": 5, "ending": "completed", "comment": "Quick"}, "kiosk-4", 4),
    ("feedback_given", {"score": 4, "ending": "completed"}, "kiosk-4", 3),
    ("feedback_given", {"score": 2, "ending": "completed"}, "kiosk-4", 2),
    ("feedback_given", {"score": 1, "ending": "completed", "comment": "y" * 500}, "kiosk-4", 1),
    ("feedback_given", {"score": 4, "ending": "completed", "comment": "Easy"}, "web-3", "good"),
    ("feedback_given", {"score": 3, "ending": "completed"}, "web-3", "ok"),
    ("feedback_given", {"score": 2, "ending": "completed", "comment": "Slow"}, "web-3", "poor"),
]


def test_migration_rewrites_stored_feedback_to_the_one_shape(old_db: str) -> None:
    engine = make_engine(old_db)
    case_id = uuid.uuid4()
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO cases (id, reference, service_id, status, origin_channel,"
                    " origin_office, answers, version, created_at, updated_at) VALUES"
                    " (:id, 'CARDIFF-AAAA-BBBB-C', 'change-of-address', 'submitted', 'kiosk',"
                    " 'CARDIFF', '{}', :v, :now, :now)"
                ),
                {"id": case_id.hex if engine.dialect.name == "sqlite" else case_id, "now": now,
                 "v": len(OLD_ROWS) + 1},
            )  # fmt: skip
            rows = [("created", "kiosk", {"service_id": "change-of-address", "answers": {}})]
            for seq, (type_, channel, payload) in enumerate(rows + OLD_ROWS, start=1):
                conn.execute(
                    CaseEvent.__table__.insert().values(
                        case_id=case_id,
                        event_id=uuid.uuid4(),
                        seq=seq,
                        type=type_,
                        channel=channel,
                        actor_type="citizen",
                        actor_id=None,
                        device_id=None,
                        occurred_at=now,
                        received_at=now,
                        payload=payload,
                    )  # fmt: skip
                )
        upgrade(old_db)
        with make_sessionmaker(engine)() as s:
            events = list(
                s.scalars(
                    select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
                )
            )
        got = [(e.type, e.channel, e.payload) for e in events[1:]]
        for (type_, payload, scale, value), (got_type, channel, stored), old in zip(
            EXPECTED, got, OLD_ROWS, strict=False
        ):
            assert got_type == type_ and channel == old[1]
            key = "score" if scale == "kiosk-4" else "rating"
            assert stored == payload | {"mapped_from": {"scale": scale, key: value}}
            # what the app reads now is the shape it writes
            bare = {k: v for k, v in stored.items() if k != "mapped_from"}
            assert bare == feedback.payload(bare["score"], bare["ending"], bare.get("comment"))
        assert got[-1] == ("note_added", "staff", {"text": "Called back."})
        assert [e.seq for e in events] == list(range(1, len(OLD_ROWS) + 2))
        # the downgrade gives the old rows back (the long reason as it was cut)
        upgrade_down(old_db)
        with make_sessionmaker(engine)() as s:
            back = [
                (e.type, e.payload)
                for e in s.scalars(
                    select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
                )
            ][1:]
        assert back[0] == ("feedback_given", {"score": 4, "reason": "Quick"})
        assert back[3] == ("feedback_given", {"score": 1, "reason": "y" * 500})
        assert back[4] == ("note_added", {"kind": "feedback", "rating": "good", "text": "Easy"})
        assert back[7] == ("note_added", {"text": "Called back."})
    finally:
        engine.dispose()


def upgrade_down(url: str) -> None:
    from alembic import command

    from central.migrate import alembic_config

    command.downgrade(alembic_config(url), "0007")


COUNCIL = "council-tax-single-person-discount"


def test_not_eligible_on_the_web_asks_the_question_with_that_ending(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from central.catalogue_service import CatalogueService
    from central.settings import REPO_ROOT
    from central.web.testkit import make_case

    kit = build(f"sqlite:///{tmp_path / 'outcome.db'}")
    kit.app.state.catalogue = CatalogueService.load(REPO_ROOT / "config" / "services")
    with kit.sessions() as s:
        case = make_case(
            s, office=kit.office, device_id=kit.device_id, now=kit.clock(), service_id=COUNCIL
        )
        s.commit()
    phone = TestClient(kit.app, follow_redirects=False)
    h = phone.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()
    phone.post("/h/claim", data={"secret": h["verification_uri_complete"].split("#")[1]})
    phone.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth)
    page = phone.get("/case/step/who-lives-there").text
    r = phone.post("/case/step/who-lives-there", data={"csrf": csrf(page), "others_over_18": "yes"})
    assert r.headers["location"] == "/case/outcome"
    outcome = phone.get("/case/outcome").text
    assert 'action="/case/feedback"' in outcome
    r = phone.post("/case/feedback", data={"csrf": csrf(outcome), "score": "2"})
    assert r.headers["location"] == "/case/outcome?thanks=1"
    assert 'data-testid="feedback-thanks"' in phone.get(r.headers["location"]).text
    assert web_feedback(kit).payload == {"score": 2, "ending": "not_eligible"}
    kit.engine.dispose()


def test_comments_of_feedback_without_a_case_are_forgotten_after_90_days(kit: Kit) -> None:
    """On a database of its own: the purge's other rules must not touch what other tests keep."""
    from datetime import timedelta

    from central import retention
    from central.feedback_api import FeedbackEvent

    client = TestClient(kit.app)
    body = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-11-23T09:00:00+00:00",
        "payload": {"score": 1, "ending": "abandoned", "comment": "Screen froze"},
    }
    assert client.post("/api/v1/feedback", json=body, headers=kit.auth).status_code == 201
    assert retention.purge(kit.engine, kit.clock() + timedelta(days=89))["feedback_comments"] == 0
    assert retention.purge(kit.engine, kit.clock() + timedelta(days=91))["feedback_comments"] == 1
    with kit.sessions() as s:
        row = s.get(FeedbackEvent, uuid.UUID(body["event_id"]))
        assert row is not None and row.payload == {"score": 1, "ending": "abandoned"}

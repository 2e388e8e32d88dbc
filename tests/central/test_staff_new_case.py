"""Counter and phone line (issue 12 item 5), through the real staff console over HTTP: a member of
staff starts a case for a citizen at the desk (channel ``counter``) or on a call (``phone``), fills
every step of the real catalogue's service — a wrong answer first, answered with the kiosk's own
message (catalogue.validation) —, checks, sends and gets the reference; the case's history shows the
channel and the staff actor on every event. Then handing on: a QR code / typed code for the
citizen's phone (the kiosk's handoff and confirm step, taken by staff), and a printed slip opened at
``/resume`` with the factor the citizen chose."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from shipped_support import ADDRESS_STEPS, kit_on
from sqlalchemy import select
from staff_support import PASSWORD, csrf, staff_client

from catalogue.validation import AnswerError, normalise
from central.catalogue_service import CatalogueService
from central.db.models import Case, CaseEvent
from central.handoff.models import Handoff
from central.staff.auth import create_user
from central.web.testkit import Kit

SERVICE = "change-of-address"
STEPS = ADDRESS_STEPS


def _users(kit: Kit) -> None:
    with kit.sessions() as s:
        create_user(s, "dewi", PASSWORD, "staff", kit.office)
        create_user(s, "other", PASSWORD, "staff", "SWANSEA")
        s.commit()


@pytest.fixture
def kit(tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on("sqlite", tmp_path / "desk.db", "the counter", _users) as kit:
        yield kit


@pytest.fixture(params=["sqlite", "postgresql"])
def any_kit(request, tmp_path) -> Iterator[Kit]:  # type: ignore[no-untyped-def]
    with kit_on(request.param, tmp_path / "desk.db", "the counter", _users) as kit:
        yield kit


def signed_in(kit: Kit, username: str = "dewi") -> TestClient:
    return staff_client(kit, username)


def start(client: TestClient, channel: str, lang: str = "en", service: str = SERVICE) -> str:
    """Start a case; its id (from the first step's address)."""
    page = client.get("/staff/new").text
    start_key = re.search(r'name="start" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = {"csrf": csrf(page), "start": start_key, "channel": channel, "lang": lang}
    r = client.post("/staff/new", data=form | {"service": service})
    assert r.status_code == 303, r.text
    case_id = r.headers["location"].split("/")[3]
    r = client.get(r.headers["location"])
    assert r.headers["location"] == f"/staff/new/{case_id}/step/about-you"
    return case_id


def start_answered(client: TestClient, channel: str) -> str:
    """:func:`start`, then the first step answered; the case id."""
    case_id = start(client, channel)
    page = client.get(f"/staff/new/{case_id}/step/about-you").text
    client.post(
        f"/staff/new/{case_id}/step/about-you", data={"csrf": csrf(page)} | STEPS["about-you"]
    )
    return case_id


def phone_typed_the_code(kit: Kit, client: TestClient, case_id: str) -> tuple[TestClient, str]:
    """Staff show the case's code for a phone; a phone types it at ``/h``. The phone's browser
    and the handoff's id."""
    page = client.get(f"/staff/new/{case_id}/hand-on").text
    r = client.post(f"/staff/new/{case_id}/handoff", data={"csrf": csrf(page)})
    code = re.search(r'data-testid="handoff-code">([^<]+)<', r.text)[1]  # type: ignore[index]
    handoff_id = re.search(r'data-handoff="([^"]+)"', r.text)[1]  # type: ignore[index]
    phone = TestClient(kit.app, follow_redirects=False)
    assert phone.post("/h/code", data={"code": code}).status_code == 303
    return phone, handoff_id


def kiosk_message(kit: Kit, field_id: str, value: str, lang: str = "en") -> str:
    """What the kiosk says for this wrong answer: catalogue.validation's message."""
    service = kit.app.state.catalogue.service(SERVICE)
    try:
        normalise(service.field(field_id), value, date(2026, 11, 23))
    except AnswerError as exc:
        return exc.message.get(lang)
    raise AssertionError(f"{value!r} was accepted")


def fill_every_step(client: TestClient, case_id: str) -> None:
    for step, answers in STEPS.items():
        url = f"/staff/new/{case_id}/step/{step}"
        page = client.get(url)
        assert page.status_code == 200, (step, page.text[:300])
        r = client.post(url, data={"csrf": csrf(page.text)} | answers)
        assert r.status_code == 303, (step, r.text[:500])
        nxt = list(STEPS).index(step) + 1
        expected = f"/staff/new/{case_id}/" + (
            f"step/{list(STEPS)[nxt]}" if nxt < len(STEPS) else "check"
        )
        assert r.headers["location"] == expected


def events(kit: Kit, case_id: str) -> list[CaseEvent]:
    with kit.sessions() as s:
        return list(
            s.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == uuid.UUID(case_id))
                .order_by(CaseEvent.seq)
            )
        )


@pytest.mark.parametrize("channel", ["counter", "phone"])
def test_staff_start_fill_every_step_and_send(any_kit: Kit, channel: str) -> None:
    kit = any_kit
    client = signed_in(kit)
    queue = client.get("/staff").text
    assert 'href="/staff/new"' in queue  # the console offers "New case"
    case_id = start(client, channel)
    # a wrong NI number first: the kiosk's message, word for word
    page = client.get(f"/staff/new/{case_id}/step/about-you").text
    bad = STEPS["about-you"] | {"ni_number": "12345"}
    r = client.post(f"/staff/new/{case_id}/step/about-you", data={"csrf": csrf(page)} | bad)
    assert r.status_code == 400
    expected = kiosk_message(kit, "ni_number", "12345")
    assert html.escape(expected) in r.text and 'href="#f-ni_number"' in r.text
    assert 'value="12345"' in r.text  # what was typed stays
    fill_every_step(client, case_id)
    check = client.get(f"/staff/new/{case_id}/check").text
    assert "Ann Example" in check and "CF10 1AA" in check
    r = client.post(f"/staff/new/{case_id}/submit", data={"csrf": csrf(check)})
    assert r.headers["location"] == f"/staff/new/{case_id}/done"
    done = client.get(r.headers["location"]).text
    with kit.sessions() as s:
        case = s.get(Case, uuid.UUID(case_id))
        assert case is not None
        reference = case.reference
        assert (case.status, case.origin_channel, case.origin_office) == (
            "submitted",
            channel,
            kit.office,
        )
        assert case.origin_device is None
        assert case.answers["ni_number"] == "JG103759A"
        staff_id = s.scalar(select(CaseEvent.actor_id).where(CaseEvent.case_id == case.id))
    assert f'data-testid="reference">{reference}</strong>' in done
    service = kit.app.state.catalogue.service(SERVICE)
    assert html.escape(service.next_steps.en) in done
    history = events(kit, case_id)
    assert [e.type for e in history][:6] == ["created"] + ["answers_changed"] * 4 + ["submitted"]
    assert {(e.channel, e.actor_type, e.actor_id, e.device_id) for e in history} == {
        (channel, "staff", staff_id, None)
    }
    assert staff_id and staff_id.startswith("stf_")
    assert reference.startswith(kit.office + "-")
    # the one feedback question, asked by staff at the end
    assert f'href="/staff/new/{case_id}/feedback"' in done
    ask = client.get(f"/staff/new/{case_id}/feedback").text
    assert "Overall, how did you feel about the service you received today?" in html.unescape(ask)
    r = client.post(f"/staff/new/{case_id}/feedback", data={"csrf": csrf(ask)})
    assert r.status_code == 400 and 'href="#f-score"' in r.text
    r = client.post(
        f"/staff/new/{case_id}/feedback",
        data={"csrf": csrf(ask), "score": "5", "comment": "Very helpful"},
    )
    assert r.headers["location"] == f"/staff/cases/{case_id}"
    given = events(kit, case_id)[-1]
    assert (given.type, given.channel, given.actor_type) == ("feedback_given", channel, "staff")
    assert given.payload == {"score": 5, "ending": "completed", "comment": "Very helpful"}
    assert (
        "5 of 5, very satisfied (completed): Very helpful" in client.get(r.headers["location"]).text
    )
    # the funnel (central.measure): one session on this channel, nothing personal in it
    from central.measure.models import FunnelEvent

    with kit.sessions() as s:
        funnel = s.scalars(
            select(FunnelEvent)
            .where(FunnelEvent.office == kit.office)
            .order_by(FunnelEvent.occurred_at)
        ).all()
    assert len({f.session_id for f in funnel}) == 1
    assert {f.channel for f in funnel} == {channel} and {f.device_id for f in funnel} == {None}
    assert [f.type for f in funnel].count("started") == 1
    steps = {f.data.get("step_id") for f in funnel if f.type == "step"}
    assert steps == {*STEPS, "check_answers"}
    ended = [f.data for f in funnel if f.type == "ended"]
    assert len(ended) == 1 and ended[0]["reason"] == "submitted"
    assert uuid.UUID(case_id) not in {f.session_id for f in funnel}
    assert "Ann Example" not in repr([f.data for f in funnel])
    # the office's history: the staff case page shows the channel and the staff actor
    page = client.get(f"/staff/cases/{case_id}").text
    assert page.count(f'data-channel="{channel}"') == len(events(kit, case_id))
    assert "Staff: dewi" in page and staff_id not in page  # the member's name, not an id
    label = {"counter": "Counter", "phone": "Phone"}[channel]
    assert page.count(f'<td class="channel">{label}</td>') == len(events(kit, case_id))
    assert '<dd data-testid="language">English</dd>' in page


def test_welsh_at_the_counter_speaks_the_catalogues_welsh(kit: Kit) -> None:
    client = signed_in(kit)
    case_id = start(client, "counter", lang="cy")
    page = client.get(f"/staff/new/{case_id}/step/about-you").text
    assert "Amdanoch chi" in page and 'lang="cy"' in page
    bad = STEPS["about-you"] | {"ni_number": "12345"}
    r = client.post(f"/staff/new/{case_id}/step/about-you", data={"csrf": csrf(page)} | bad)
    assert html.escape(kiosk_message(kit, "ni_number", "12345", "cy")) in html.unescape(
        r.text
    ) or kiosk_message(kit, "ni_number", "12345", "cy") in html.unescape(r.text)


def test_start_errors_and_a_double_click(kit: Kit) -> None:
    client = signed_in(kit)
    page = client.get("/staff/new").text
    start_key = re.search(r'name="start" value="([^"]+)"', page)[1]  # type: ignore[index]
    r = client.post("/staff/new", data={"csrf": csrf(page), "start": start_key})
    assert r.status_code == 400
    assert 'href="#f-channel"' in r.text and 'href="#f-service"' in r.text
    form = {"csrf": csrf(page), "start": start_key, "channel": "counter", "lang": "en"}
    first = client.post("/staff/new", data=form | {"service": SERVICE})
    second = client.post("/staff/new", data=form | {"service": SERVICE})
    assert first.headers["location"] == second.headers["location"]
    with kit.sessions() as s:
        assert len(s.scalars(select(Case)).all()) == 1
    r = client.post("/staff/new", data=form | {"channel": "kiosk", "service": SERVICE})
    assert r.status_code == 400


def test_other_offices_and_roles_cannot_work_the_case(kit: Kit) -> None:
    case_id = start(signed_in(kit), "phone")
    other = signed_in(kit, "other")
    assert other.get(f"/staff/new/{case_id}/step/about-you").status_code == 404
    assert other.get(f"/staff/new/{case_id}/hand-on").status_code == 404
    with kit.sessions() as s:
        create_user(s, "tech", PASSWORD, "technician", kit.office)
        s.commit()
    tech = signed_in(kit, "tech")
    assert tech.get("/staff/new").status_code == 403
    # a kiosk's case is not worked through the counter's pages
    kiosk_case = kit.new_case()
    assert signed_in(kit).get(f"/staff/new/{kiosk_case.id}/next").status_code == 404


def test_counter_to_phone_by_the_typed_code_and_the_confirm_step(kit: Kit) -> None:
    client = signed_in(kit)
    case_id = start(client, "counter")
    page = client.get(f"/staff/new/{case_id}/hand-on").text
    r = client.post(f"/staff/new/{case_id}/handoff", data={"csrf": csrf(page)})
    assert r.status_code == 200, r.text
    assert '<svg class="qr" role="img"' in r.text
    link = re.search(r'data-qr-link="([^"]+)"', r.text)[1]  # type: ignore[index]
    assert link.startswith("http://testserver/h#")
    code = re.search(r'data-testid="handoff-code">([^<]+)<', r.text)[1]  # type: ignore[index]
    handoff_id = re.search(r'data-handoff="([^"]+)"', r.text)[1]  # type: ignore[index]
    assert client.get(f"/staff/handoffs/{handoff_id}/status").json() == {"status": "pending"}
    # the citizen's phone types the code at /h
    phone = TestClient(kit.app, follow_redirects=False)
    r = phone.post("/h/code", data={"code": code})
    assert r.status_code == 303 and r.headers["location"] == "/case"
    compare = phone.get("/case").text
    assert code in compare and "member of staff" in compare  # not "the kiosk"
    # the staff page asks the kiosk's question, showing the phone's code
    assert client.get(f"/staff/handoffs/{handoff_id}/status").json() == {"status": "claimed"}
    asked = client.get(f"/staff/handoffs/{handoff_id}").text
    assert "Is it their phone?" in asked and code in asked
    r = client.post(f"/staff/handoffs/{handoff_id}/confirm", data={"csrf": csrf(asked)})
    assert r.status_code == 303
    assert "The case is on their phone" in client.get(f"/staff/handoffs/{handoff_id}").text
    r = phone.get("/case")
    assert r.status_code == 200 and "About you" in r.text  # the phone is in the case
    with kit.sessions() as s:
        handoff = s.get(Handoff, uuid.UUID(handoff_id))
        assert handoff is not None and handoff.device_id.startswith("staff:stf_")
    stages = [
        (e.payload.get("stage"), e.channel, e.actor_type, e.device_id)
        for e in events(kit, case_id)
        if e.type == "handed_off"
    ]
    assert stages == [
        ("offered", "counter", "staff", None),
        ("claimed", "web", "citizen", None),
        ("confirmed", "counter", "staff", None),
    ]
    from central.measure.models import FunnelEvent

    with kit.sessions() as s:
        ended = s.scalars(select(FunnelEvent.data).where(FunnelEvent.type == "ended")).all()
    assert [e["reason"] for e in ended] == ["handed_off_phone"]
    ask = client.get(f"/staff/new/{case_id}/feedback").text
    client.post(f"/staff/new/{case_id}/feedback", data={"csrf": csrf(ask), "score": "4"})
    assert events(kit, case_id)[-1].payload == {"score": 4, "ending": "handed_off"}


def test_not_their_phone_revokes_the_phones_session(kit: Kit) -> None:
    client = signed_in(kit)
    case_id = start(client, "phone")
    phone, handoff_id = phone_typed_the_code(kit, client, case_id)
    asked = client.get(f"/staff/handoffs/{handoff_id}").text
    client.post(f"/staff/handoffs/{handoff_id}/decline", data={"csrf": csrf(asked)})
    assert "Cancelled" in client.get(f"/staff/handoffs/{handoff_id}").text
    assert phone.get("/case").status_code == 401
    # a second decision changes nothing
    client.post(f"/staff/handoffs/{handoff_id}/confirm", data={"csrf": csrf(asked)})
    assert "Cancelled" in client.get(f"/staff/handoffs/{handoff_id}").text
    # staff of another office cannot see it
    assert signed_in(kit, "other").get(f"/staff/handoffs/{handoff_id}").status_code == 404


def test_slip_from_the_counter_then_resume_on_the_web(kit: Kit) -> None:
    client = signed_in(kit)
    case_id = start_answered(client, "counter")
    page = client.get(f"/staff/new/{case_id}/hand-on").text
    r = client.post(
        f"/staff/new/{case_id}/slip",
        data={"csrf": csrf(page), "factor_kind": "pin", "factor_pin": "12"},
    )
    assert r.status_code == 400 and 'href="#f-factor_pin"' in r.text
    r = client.post(
        f"/staff/new/{case_id}/slip",
        data={"csrf": csrf(page), "factor_kind": "pin", "factor_pin": "4821"},
    )
    assert r.status_code == 200
    code = re.search(r'data-testid="resume-code">([^<]+)<', r.text)[1]  # type: ignore[index]
    assert "http://testserver/resume" in r.text and 'id="print-slip"' in r.text
    citizen = TestClient(kit.app, follow_redirects=False)
    assert citizen.post("/resume", data={"code": code, "factor": "1111"}).status_code == 400
    r = citizen.post("/resume", data={"code": code, "factor": "4821"})
    assert r.status_code == 303
    assert citizen.get("/case/next").headers["location"] == "/case/step/new-address"
    slip = [e for e in events(kit, case_id) if e.type == "handed_off"]
    assert [(e.payload["stage"], e.channel, e.actor_type) for e in slip][0] == (
        "slip_printed",
        "counter",
        "staff",
    )


def test_a_withdrawn_service_and_a_closed_case_say_so_and_keep_the_answers(kit: Kit) -> None:
    client = signed_in(kit)
    case_id = start_answered(client, "counter")
    # another member of staff closes the case meanwhile: the desk's pages go to its end
    case_page = client.get(f"/staff/cases/{case_id}").text
    client.post(f"/staff/cases/{case_id}/close", data={"csrf": csrf(case_page)})
    r = client.post(
        f"/staff/new/{case_id}/step/new-address",
        data={"csrf": csrf(case_page)} | STEPS["new-address"],
    )
    assert r.headers["location"] == f"/staff/new/{case_id}/done"
    assert "Case closed" in client.get(r.headers["location"]).text
    # the service leaves the catalogue: a clear page, the answers still on the case
    case_id = start_answered(client, "phone")
    kit.app.state.catalogue = CatalogueService(None, "missing")
    r = client.get(f"/staff/new/{case_id}/step/new-address")
    assert r.status_code == 410 and "no longer in the catalogue" in r.text
    assert "Ann Example" in client.get(f"/staff/cases/{case_id}").text


def test_two_channels_at_once_the_later_is_told_and_nothing_is_overwritten(kit: Kit) -> None:
    client = signed_in(kit)
    case_id = start_answered(client, "counter")
    phone, handoff_id = phone_typed_the_code(kit, client, case_id)
    asked = client.get(f"/staff/handoffs/{handoff_id}").text
    client.post(f"/staff/handoffs/{handoff_id}/confirm", data={"csrf": csrf(asked)})
    # the counter still has the address step open; the phone answers it first
    at_desk = client.get(f"/staff/new/{case_id}/step/new-address").text
    mine = phone.get("/case/step/new-address").text
    answers = STEPS["new-address"] | {"town": "Swansea"}
    assert (
        phone.post("/case/step/new-address", data={"csrf": csrf(mine)} | answers).status_code == 303
    )
    stale = re.search(r'name="version" value="(\d+)"', at_desk)[1]  # type: ignore[index]
    r = client.post(
        f"/staff/new/{case_id}/step/new-address",
        data={"csrf": csrf(at_desk), "version": stale} | STEPS["new-address"],
    )
    assert r.status_code == 409 and "changed on another channel" in r.text
    assert 'value="Swansea"' in r.text  # the page as the case is now
    with kit.sessions() as s:
        assert s.get(Case, uuid.UUID(case_id)).answers["town"] == "Swansea"  # type: ignore[union-attr]


def test_not_eligible_at_the_counter_says_the_catalogues_words(kit: Kit) -> None:
    client = signed_in(kit)
    page = client.get("/staff/new").text
    start_key = re.search(r'name="start" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = {"csrf": csrf(page), "start": start_key, "channel": "counter", "lang": "en"}
    r = client.post("/staff/new", data=form | {"service": "council-tax-single-person-discount"})
    case_id = r.headers["location"].split("/")[3]
    step = client.get(f"/staff/new/{case_id}/step/who-lives-there").text
    r = client.post(
        f"/staff/new/{case_id}/step/who-lives-there",
        data={"csrf": csrf(step), "others_over_18": "yes"},
    )
    assert r.headers["location"] == f"/staff/new/{case_id}/outcome"
    for url in (f"/staff/new/{case_id}/next", f"/staff/new/{case_id}/check"):
        assert client.get(url).headers["location"].endswith(("/outcome", "/next"))
    shown = client.get(f"/staff/new/{case_id}/outcome").text
    service = kit.app.state.catalogue.service("council-tax-single-person-discount")
    assert html.escape(service.outcomes[0].title.en) in shown
    assert f'href="/staff/new/{case_id}/step/who-lives-there"' in shown
    ask = client.get(f"/staff/new/{case_id}/feedback").text
    client.post(f"/staff/new/{case_id}/feedback", data={"csrf": csrf(ask), "score": "3"})
    assert events(kit, case_id)[-1].payload == {"score": 3, "ending": "not_eligible"}
    from central.measure.models import FunnelEvent

    with kit.sessions() as s:
        ended = s.scalars(select(FunnelEvent.data).where(FunnelEvent.type == "ended")).all()
    assert [e["reason"] for e in ended] == ["not_eligible"]

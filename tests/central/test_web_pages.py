"""The phone's pages: steps from the catalogue, errors, check answers, confirmation, status and
feedback, in English and Welsh; every change is a ``web`` event; forged posts are refused."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from central.db.models import Case, CaseEvent
from central.web.citizen import csrf_for
from central.web.testkit import Kit, build, demo_service


@pytest.fixture
def kit(tmp_path) -> Kit:  # type: ignore[no-untyped-def]
    return build(f"sqlite:///{tmp_path / 'w.db'}")


def claimed(kit: Kit, answers: dict | None = None) -> tuple[TestClient, str]:
    client = TestClient(kit.app, follow_redirects=False)
    case = kit.new_case(answers if answers is not None else {"full_name": "Ann Example"})
    h = client.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()
    r = client.post("/h/claim", data={"secret": h["verification_uri_complete"].split("#")[1]})
    assert r.status_code == 303
    assert client.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).status_code == 200
    return client, str(case.id)


def required_message(field_id: str):  # type: ignore[no-untyped-def]
    """The catalogue's own bilingual message for a missing answer (the web must show exactly it)."""
    from catalogue.validation import AnswerError, normalise

    try:
        normalise(demo_service().field(field_id), "", date(2026, 11, 23))
    except AnswerError as exc:
        return exc.message
    raise AssertionError("an empty required answer was accepted")


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def test_claim_page_posts_the_fragment_with_a_script(kit: Kit) -> None:
    client = TestClient(kit.app)
    page = client.get("/h").text
    assert '<html lang="en">' in page and 'href="#main"' in page and '<main id="main"' in page
    assert 'action="/h/claim?lang=en"' in page and '<script src="/static/claim.js">' in page
    assert '<label class="label" for="f-code">' in page and 'id="f-code" name="code"' in page
    js = client.get("/static/claim.js").text
    assert "location.hash" in js and "replaceState" in js
    csp = client.get("/h").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_full_flow_and_events(kit: Kit) -> None:
    client, case_id = claimed(kit)
    overview = client.get("/case").text
    assert "Report a change of address" in overview and 'href="/case/step/address"' in overview
    step = client.get("/case/step/address").text
    assert '<label class="label" for="f-postcode">Postcode</label>' in step
    # Missing answers: an error summary linking to the inputs, messages bound to them.
    r = client.post(
        "/case/step/address", data={"csrf": csrf(step), "address_line": "", "postcode": ""}
    )
    assert r.status_code == 400
    assert (
        "There is a problem" in r.text
        and 'href="#f-address_line"' in r.text
        and 'href="#f-postcode"' in r.text
    )
    assert 'aria-describedby=" f-postcode-error"' in r.text or "f-postcode-error" in r.text
    assert "<title>Error:" in r.text
    r = client.post(
        "/case/step/address",
        data={"csrf": csrf(step), "address_line": "1 High St", "postcode": "cf101aa"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/case/step/contact"
    contact = client.get("/case/step/contact").text
    assert 'type="radio" value="phone"' in contact and "<legend" in contact
    r = client.post(
        "/case/step/contact", data={"csrf": csrf(contact), "contact_method": "post", "phone": ""}
    )
    assert r.status_code == 303 and r.headers["location"] == "/case/check"
    check = client.get("/case/check").text
    assert "1 High St" in check and "Post" in check and "Not given" in check
    r = client.post("/case/submit", data={"csrf": csrf(check)})
    assert r.status_code == 303 and r.headers["location"] == "/case/done"
    done = client.get("/case/done").text
    with kit.sessions() as s:
        case = s.get(Case, __import__("uuid").UUID(case_id))
        events = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        ).all()
        assert case.status == "submitted"
        assert (
            case.answers["address_line"] == "1 High St" and case.answers["contact_method"] == "post"
        )
        assert case.answers["full_name"] == "Ann Example" and "phone" not in case.answers
        assert case.answers["postcode"] == "CF10 1AA"  # normalised by the catalogue's rules
    assert case.reference in done and "Application sent" in done
    web = [(e.type, e.channel, e.actor_type) for e in events if e.channel == "web"]
    assert web == [
        ("handed_off", "web", "citizen"),
        ("answers_changed", "web", "citizen"),
        ("answers_changed", "web", "citizen"),
        ("submitted", "web", "citizen"),
    ]
    # After submission the answers are locked; the status page says so.
    assert client.get("/case/step/address").headers["location"] == "/case/status"
    status = client.get("/case/status").text
    assert "Sent" in status and case.reference in status
    r = client.post("/case/feedback", data={"csrf": csrf(done), "score": "4", "comment": "quick"})
    assert r.status_code == 303 and r.headers["location"] == "/case/done?thanks=1"
    with kit.sessions() as s:
        fb = s.scalars(select(CaseEvent).order_by(CaseEvent.seq.desc())).first()
        assert (fb.type, fb.channel) == ("feedback_given", "web")
        assert fb.payload == {"score": 4, "ending": "completed", "comment": "quick"}


def test_welsh_pages(kit: Kit) -> None:
    client, _ = claimed(kit)
    r = client.get("/case/step/address?lang=cy")
    assert (
        '<html lang="cy">' in r.text and "Eich cyfeiriad newydd" in r.text and "Cod post" in r.text
    )
    assert "lang=" in r.headers.get("set-cookie", "")
    # The choice sticks (cookie), and errors are Welsh too.
    r = client.post(
        "/case/step/address", data={"csrf": csrf(r.text), "address_line": "", "postcode": ""}
    )
    expected = required_message("postcode")
    assert "Mae problem wedi codi" in r.text and html.escape(expected.cy) in r.text
    assert html.escape(expected.en) not in r.text
    assert 'hreflang="en"' in r.text and ">English<" in r.text
    english = client.get("/case/step/address?lang=en").text
    assert "Your new address" in english and ">Cymraeg<" in english
    for path in ("/h", "/resume"):
        page = TestClient(kit.app).get(path + "?lang=cy").text
        assert '<html lang="cy">' in page and "Neidio i’r prif gynnwys" in page


def test_a_welsh_kiosk_link_opens_the_case_in_welsh_after_the_claim(kit: Kit) -> None:
    """The kiosk puts the citizen's language in the QR link (``?lang=cy`` before the ``#``); the
    claim page, the claim form and the case after it stay Welsh, with no cookie set beforehand."""
    from kiosk.runtime.phone import with_language

    client = TestClient(kit.app, follow_redirects=False)
    case = kit.new_case({"full_name": "Ann Example"})
    h = client.post(f"/api/v1/cases/{case.id}/handoffs", headers=kit.auth).json()
    link = with_language(h["verification_uri_complete"], "cy")
    path, secret = link.split("#")
    page = client.get(path[path.index("/h") :]).text
    assert '<html lang="cy">' in page and 'action="/h/claim?lang=cy"' in page
    r = TestClient(kit.app, follow_redirects=False).post(
        "/h/claim?lang=cy", data={"secret": secret}
    )
    assert r.status_code == 303 and "lang=cy" in r.headers.get_list("set-cookie")[-1]
    phone = TestClient(kit.app, cookies={c.name: c.value for c in r.cookies.jar})
    assert client.post(f"/api/v1/handoffs/{h['id']}/confirm", headers=kit.auth).status_code == 200
    assert '<html lang="cy">' in phone.get("/case").text


def test_forged_form_posts_are_refused(kit: Kit) -> None:
    client, _ = claimed(kit)
    step = client.get("/case/step/address").text
    data = {"address_line": "1 Evil Rd", "postcode": "CF10 1AA"}
    assert client.post("/case/step/address", data=data | {"csrf": "forged"}).status_code == 403
    assert client.post("/case/step/address", data=data).status_code == 403
    cross = client.post(
        "/case/step/address",
        data=data | {"csrf": csrf(step)},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    with kit.sessions() as s:
        assert s.scalar(select(Case.answers)).get("address_line") is None
    assert client.post("/case/step/address", data=data | {"csrf": csrf(step)}).status_code == 303


def test_no_session_no_case(kit: Kit) -> None:
    client = TestClient(kit.app, follow_redirects=False)
    kit.new_case()
    for path in ("/case", "/case/step/address", "/case/check", "/case/done", "/case/status"):
        r = client.get(path)
        assert r.status_code == 401 and "This session has ended" in r.text
    client.cookies.set("case_session", "guess")
    assert client.get("/case").status_code == 401
    assert csrf_for("a") != csrf_for("b")


def test_bad_code_form_shows_errors(kit: Kit) -> None:
    client = TestClient(kit.app)
    r = client.post("/h/code", data={"code": ""})
    assert r.status_code == 400 and 'href="#f-code"' in r.text and "f-short_id" not in r.text
    assert "Enter the code shown on the kiosk screen" in r.text
    assert 'class="input width-10 input--error"' in r.text

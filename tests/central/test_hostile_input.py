"""Hostile input (issue 16, items 2–5) on both databases: a clear 4xx that touches nothing else.

Deep JSON, lone surrogates, NUL, garbage bytes, extreme times and numbers are refused at the edge
(``central.limits.JsonGuard``) or by the schemas (``central.schemas``) — never stored, so every
later read (the case, its events, the staff pages, the fleet) still answers 200. One kiosk's bad
create never fails another kiosk's create in the same group-committed batch. No answer reaches any
log line, even when the database fails under a request (SQL parameters hidden, tracebacks not
logged, the last resort logging a type name only).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from central_support import VALIDATOR, make_test_catalogue
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import event, func, select

from central.auth.principal import Principal
from central.case_create import CreateItem, create_writer, draft_case
from central.cases_service import NewEvent
from central.catalogue_service import CatalogueService
from central.db.base import make_sessionmaker
from central.db.models import Case, CaseEvent
from central.idempotency import request_hash
from central.limits import MAX_JSON_DEPTH, json_body_problem
from central.schemas import AnswersPatch, CaseCreate, EventIn, HeartbeatIn

CASES = "/api/v1/cases"
HEARTBEAT = "/api/v1/devices/heartbeat"
GOOD = {"postcode": "SW1A 1AA", "household": 2}
JSON = {"content-type": "application/json"}
EXTREME_TIMES = [
    "9999-12-31T23:59:59-12:00",  # year 10000 in UTC: datetime overflows
    "0001-01-01T00:00:00+01:00",  # year 0 in UTC: datetime overflows
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
]
MARKER = "ZE9 7QJ"
"""A recognisable answer (a valid postcode): it must never reach a log line."""


def new_case(**extra: object) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD} | extra


def raw_post(client: TestClient, url: str, text: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """POST ``text`` as it is (``json=`` would refuse to encode what we want to send)."""
    return client.post(url, content=text.encode(), headers=headers | JSON)


def create(client: TestClient, auth: dict[str, str], body: dict[str, object]):  # type: ignore[no-untyped-def]
    headers = auth | {"Idempotency-Key": str(uuid.uuid4())}
    return raw_post(client, CASES, json.dumps(body), headers)  # json.dumps escapes "\ud800"


def is_problem(r: httpx.Response, status: int) -> bool:
    return (
        r.status_code == status
        and r.headers["content-type"] == "application/problem+json"
        and len(r.content) < 1000
    )


# ---------------------------------------------------------------------- deep JSON, garbage bytes


@pytest.mark.parametrize("depth", [300, 990])
def test_deep_json_on_the_heartbeat_is_a_short_4xx_with_or_without_a_token(
    client: TestClient, auth: dict[str, str], depth: int
) -> None:
    for shape in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        with_token = raw_post(client, HEARTBEAT, shape, auth)
        assert is_problem(with_token, 400), with_token.text[:300]
        assert with_token.json()["type"].endswith("json-too-deep")
        # No token: refused before the body is even read.
        without = raw_post(client, HEARTBEAT, shape, {})
        assert is_problem(without, 401)
        bad_token = raw_post(client, HEARTBEAT, shape, {"Authorization": "Bearer nonsense"})
        assert is_problem(bad_token, 401)


@pytest.mark.parametrize("depth", [300, 990])
def test_deep_json_elsewhere_is_a_short_400(
    client: TestClient, auth: dict[str, str], depth: int
) -> None:
    r = create(client, auth, new_case())
    assert r.status_code == 201
    case_id = r.json()["id"]
    deep = "[" * depth + "]" * depth
    nested_answers = json.dumps(new_case()).replace('"household": 2', f'"household": {deep}')
    for url, text in [
        (CASES, deep),
        (CASES, nested_answers),
        (f"{CASES}/{case_id}/events", deep),
        (f"{CASES}/{case_id}/answers", deep),
    ]:
        headers = auth | {"Idempotency-Key": str(uuid.uuid4()), "If-Match": '"1"'}
        method = client.patch if url.endswith("/answers") else client.post
        r = method(url, content=text.encode(), headers=headers | JSON)
        assert is_problem(r, 400), (url, r.status_code, r.text[:300])


def test_json_as_deep_as_the_limit_still_reaches_the_schema(
    client: TestClient, auth: dict[str, str]
) -> None:
    deep = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)  # body and answers: 2
    body = json.dumps(new_case()).replace('"household": 2', f'"household": {deep}')
    r = create(client, auth, json.loads(body))
    assert r.status_code == 422  # the catalogue's answer, not the edge's


@pytest.mark.parametrize(
    "garbage", [b'{"software_version": "\xff\xfe", "outbox_depth": 0}', b"\xed\xa0\x80", b"\x00"]
)
def test_garbage_bytes_are_a_400(client: TestClient, auth: dict[str, str], garbage: bytes) -> None:
    r = client.post(HEARTBEAT, content=garbage, headers=auth | JSON)
    assert is_problem(r, 400), r.text


# ---------------------------------------------------------------------- lone surrogates, NUL


def test_lone_surrogates_are_422_everywhere_and_every_read_still_works(
    client: TestClient, auth: dict[str, str], office: str, staff_login
) -> None:  # type: ignore[no-untyped-def]
    r = create(client, auth, new_case())
    assert r.status_code == 201
    case_id, etag = r.json()["id"], r.headers["etag"]
    event = {"event_id": str(uuid.uuid4()), "type": "help_requested"}
    event["occurred_at"] = "2026-03-02T09:00:00Z"
    for bad in ("\ud800", "x\udfffy", "\udc00\ud800", "\x00"):
        refused = [
            create(client, auth, new_case(answers={"postcode": bad, "household": 2})),
            create(client, auth, new_case(answers={bad: "SW1A 1AA"})),
            create(client, auth, new_case(actor_id=bad)),
            raw_post(
                client,
                f"{CASES}/{case_id}/events",
                json.dumps(event | {"payload": {"note": [bad]}}),
                auth,
            ),
            client.patch(
                f"{CASES}/{case_id}/answers",
                content=json.dumps({"answers": {"postcode": bad}}).encode(),
                headers=auth | JSON | {"If-Match": etag},
            ),
            raw_post(
                client,
                HEARTBEAT,
                json.dumps(
                    {"software_version": "1", "outbox_depth": 0, "device_states": {"p": bad}}
                ),
                auth,
            ),
            raw_post(
                client, HEARTBEAT, json.dumps({"software_version": bad, "outbox_depth": 0}), auth
            ),
        ]
        for r in refused:
            assert is_problem(r, 422), (repr(bad), r.status_code, r.text)
    # A proper pair (an emoji) is text like any other.
    fine = raw_post(
        client,
        HEARTBEAT,
        '{"software_version": "1", "outbox_depth": 0, "device_states": {"p": "\\ud83d\\ude00"}}',
        auth,
    )
    assert fine.status_code == 200, fine.text
    # Nothing was stored, so nothing is broken: the case, its events, the staff pages, the fleet.
    assert client.get(f"{CASES}/{case_id}", headers=auth).status_code == 200
    assert client.get(f"{CASES}/{case_id}/events", headers=auth).status_code == 200
    _, cookies = staff_login(office, "admin")
    staff = TestClient(client.app, cookies=cookies, raise_server_exceptions=False)
    assert staff.get(f"/staff/cases/{case_id}").status_code == 200
    assert staff.get("/staff").status_code == 200
    assert staff.get("/staff/fleet").status_code == 200


def test_form_posts_cannot_carry_surrogates() -> None:
    """Form fields are percent-decoded as UTF-8 with errors replaced: an encoded surrogate (or a
    stray byte) becomes U+FFFD, never a lone surrogate, so the web and staff forms need no edge."""
    from starlette.formparsers import FormParser

    async def parse() -> dict[str, str]:
        async def stream():  # type: ignore[no-untyped-def]
            yield b"a=%ED%A0%80&b=%FF&c=%F0%9F%98%80"
            yield b""

        headers = {"content-type": "application/x-www-form-urlencoded"}
        from starlette.datastructures import Headers

        form = await FormParser(Headers(headers), stream()).parse()
        return {k: str(v) for k, v in form.items()}

    form = asyncio.run(parse())
    assert form == {"a": "\ufffd\ufffd\ufffd", "b": "\ufffd", "c": "\U0001f600"}


def test_form_posts_with_nul_are_422(client: TestClient) -> None:
    """What percent-decoding lets through (NUL) is refused at the edge, for every form."""
    form = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"csrf=x&username=a%00b&password=p", b"username=a\x00b"):
        r = client.post("/staff/login", content=body, headers=form)
        assert is_problem(r, 422), r.text
    fine = client.post("/staff/login", content=b"csrf=x&username=%ED%A0%80", headers=form)
    assert fine.status_code < 500  # replaced, not a lone surrogate: the login page answers


def test_the_edge_finds_every_lone_surrogate_and_nothing_else() -> None:
    assert json_body_problem(b'{"a": "\\ud83d\\ude00"}') is None
    assert json_body_problem(b'{"a": "\\\\ud800"}') is None  # a backslash, then "ud800"
    for text in ['"\\ud800"', '"\\uDBFF x"', '"\\udc00"', '"\\ud800\\ud800"', '"\\u0000"']:
        problem = json_body_problem(text.encode())
        assert problem is not None and problem.status == 422, text


SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), min_codepoint=1), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(TEXT, SURROGATE, TEXT).map("".join), st.sampled_from(["value", "key", "nested"]))
def test_no_body_model_takes_a_lone_surrogate(bad: str, where: str) -> None:
    """Behind the edge too (a caller that skips it): the models refuse one at any depth."""
    answers = {"value": {"postcode": bad}, "key": {bad: 1}, "nested": {"a": [{"b": [bad]}]}}[where]
    with pytest.raises(ValidationError):
        CaseCreate.model_validate(new_case(answers=answers))
    with pytest.raises(ValidationError):
        AnswersPatch.model_validate({"answers": answers})
    with pytest.raises(ValidationError):
        EventIn.model_validate(
            {
                "event_id": str(uuid.uuid4()),
                "type": "note_added",
                "occurred_at": "2026-03-02T09:00:00Z",
                "payload": answers,
            }
        )
    with pytest.raises(ValidationError):
        HeartbeatIn.model_validate(
            {"software_version": "1", "outbox_depth": 0, "device_states": answers}
        )
    # The edge refuses the same text, JSON-escaped.
    problem = json_body_problem(json.dumps({"answers": answers}).encode())
    assert problem is not None and problem.status == 422


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_text_without_surrogates_passes_both(text: str) -> None:
    assert json_body_problem(json.dumps({"a": text}).encode()) is None
    CaseCreate.model_validate(new_case(answers={"postcode": text, text: "x"}))


# ---------------------------------------------------------------------- extreme times, numbers


@pytest.mark.parametrize("when", EXTREME_TIMES)
def test_extreme_times_are_422(client: TestClient, auth: dict[str, str], when: str) -> None:
    r = create(client, auth, new_case())
    case_id, etag = r.json()["id"], r.headers["etag"]
    event = {"event_id": str(uuid.uuid4()), "type": "help_requested", "occurred_at": when}
    for r in [
        create(client, auth, new_case(occurred_at=when)),
        raw_post(client, f"{CASES}/{case_id}/events", json.dumps(event), auth),
        raw_post(client, f"{CASES}/{case_id}/events", json.dumps({"events": [event]}), auth),
        client.patch(
            f"{CASES}/{case_id}/answers",
            json={"answers": {"household": 3}, "occurred_at": when},
            headers=auth | {"If-Match": etag},
        ),
    ]:
        assert is_problem(r, 422), (r.status_code, r.text)
        assert "2000" in r.text  # says what range is allowed
    assert client.get(f"{CASES}/{case_id}/events", headers=auth).status_code == 200


def test_a_time_without_an_offset_is_422(client: TestClient, auth: dict[str, str]) -> None:
    r = create(client, auth, new_case(occurred_at="2026-03-02T09:00:00"))
    assert is_problem(r, 422) and "occurred_at" in r.text


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", "NaN", "Infinity", str(2**53 + 1), str(-(2**64)), "9" * 5000]
)
def test_extreme_numbers_are_4xx(client: TestClient, auth: dict[str, str], number: str) -> None:
    text = json.dumps(new_case()).replace('"household": 2', f'"household": {number}')
    r = raw_post(client, CASES, text, auth | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code in (400, 422) and is_problem(r, r.status_code), r.text
    beat = f'{{"software_version": "1", "outbox_depth": 0, "device_states": {{"n": {number}}}}}'
    r = raw_post(client, HEARTBEAT, beat, auth)
    assert r.status_code in (400, 422) and is_problem(r, r.status_code), r.text


# ---------------------------------------------------------------------- one bad request, one failure


def test_one_bad_create_among_concurrent_good_ones_fails_only_itself(
    app, auth: dict[str, str], make_device, office: str, engine
) -> None:  # type: ignore[no-untyped-def]
    tokens = [make_device(office, f"kiosk {n}")[1] for n in range(6)]

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://central") as client:
            posts = []
            for n, token in enumerate(tokens * 3):
                when = EXTREME_TIMES[n % 2] if n == 7 else "2026-03-02T09:00:00+01:00"
                posts.append(
                    client.post(
                        CASES,
                        json=new_case(occurred_at=when),
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Idempotency-Key": str(uuid.uuid4()),
                        },
                    )
                )
            return await asyncio.gather(*posts)

    answers = asyncio.run(run())
    assert [r.status_code for r in answers] == [201] * 7 + [422] + [201] * 10


def test_a_batch_with_an_unstorable_item_stores_every_other_item(
    engine, office: str, clock
) -> None:  # type: ignore[no-untyped-def]
    """Behind validation: an item whose values cannot be bound (a time that overflows in UTC) in
    the same writer batch as good items from other kiosks — only its caller gets the error."""
    catalogue = CatalogueService(make_test_catalogue(), validator=VALIDATOR)
    overflowing = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12)))

    def item(n: int, occurred_at: datetime) -> CreateItem:
        kiosk = Principal(kind="device", id=f"dev-{uuid.uuid4().hex[:8]}", office=office)
        case_id = uuid.uuid4()
        created = NewEvent(
            uuid.uuid5(case_id, "created"), "created", "kiosk", "citizen", None, occurred_at, {}
        )
        draft = draft_case(
            kiosk,
            case_id=case_id,
            service_id="change-of-address",
            answers=GOOD,
            created=created,
            catalogue=catalogue,
            now=clock(),
        )
        key_hash = request_hash("POST", "/cases", {"n": n})
        return CreateItem(kiosk.scope, f"k{n}", key_hash, clock(), timedelta(days=1), draft)

    items = [item(n, overflowing if n == 4 else clock()) for n in range(8)]
    gate = threading.Event()
    sizes: list[int] = []
    writer = create_writer(engine)
    real_write = writer._write

    def write(batch):  # type: ignore[no-untyped-def]
        sizes.append(len(batch))
        gate.wait(5)  # the first batch waits until every item is queued behind it
        return real_write(batch)

    writer._write = write  # type: ignore[method-assign]

    async def run() -> list[object]:
        futures = [asyncio.ensure_future(writer.submit(i)) for i in items]
        await asyncio.sleep(0.2)
        gate.set()
        return await asyncio.gather(*futures, return_exceptions=True)

    outcomes = asyncio.run(run())
    assert max(sizes) >= 7, sizes  # the bad item shared a batch with good ones
    failed = [n for n, o in enumerate(outcomes) if isinstance(o, BaseException)]
    assert failed == [4], outcomes
    assert all(o.status == 201 for o in outcomes if not isinstance(o, BaseException))  # type: ignore[attr-defined]
    with make_sessionmaker(engine)() as s:
        ids = [i.work.case["id"] for i in items]  # type: ignore[union-attr]
        stored = s.scalar(select(func.count()).select_from(Case).where(Case.id.in_(ids)))
        assert stored == 7


# ---------------------------------------------------------------------- nothing personal in logs


def _everything_logged(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter()
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
    return "\n".join(parts)


def test_a_database_error_logs_no_answer(
    app, engine, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """A statement holding the citizen's answers fails in the database: the request answers a
    short 500, and no log record — message, arguments, traceback — holds the answers. The error
    does not escape the app either (a server would log it again with its traceback)."""
    client = TestClient(app, raise_server_exceptions=True)
    r = create(client, auth, new_case(answers={"postcode": "SW1A 1AA", "household": 2}))
    case_id, etag = r.json()["id"], r.headers["etag"]

    def break_the_event_insert(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO CASE_EVENTS"):
            return "INSERT INTO no_such_table_at_all VALUES (1)", parameters
        return statement, parameters

    event.listen(engine, "before_cursor_execute", break_the_event_insert, retval=True)
    caplog.set_level(logging.DEBUG)
    try:
        patch = {"answers": {"postcode": MARKER}, "occurred_at": "2026-03-02T09:00:00Z"}
        r = client.patch(
            f"{CASES}/{case_id}/answers", json=patch, headers=auth | {"If-Match": etag}
        )
        note = {"event_id": str(uuid.uuid4()), "type": "help_requested"}
        e = client.post(
            f"{CASES}/{case_id}/events",
            json=note | {"occurred_at": "2026-03-02T09:00:00Z", "payload": {"x": MARKER}},
            headers=auth,
        )
    finally:
        event.remove(engine, "before_cursor_execute", break_the_event_insert)
    assert is_problem(r, 500) and MARKER not in r.text
    assert is_problem(e, 500) and MARKER not in e.text
    logged = _everything_logged(caplog.records)
    assert "unhandled" in logged  # the last resort did log — its type name and route
    assert MARKER not in logged
    assert not any(record.exc_info for record in caplog.records)
    with make_sessionmaker(engine)() as s:
        kinds = s.scalars(select(CaseEvent.type).where(CaseEvent.case_id == uuid.UUID(case_id)))
        assert list(kinds) == ["created"]


def test_a_failing_case_batch_logs_no_answer(
    engine, office: str, clock, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """The group-commit writer's log lines name the error's type, never its message."""
    catalogue = CatalogueService(make_test_catalogue(), validator=VALIDATOR)
    kiosk = Principal(kind="device", id="dev-x", office=office)
    case_id = uuid.uuid4()
    now = datetime(2026, 3, 2, tzinfo=UTC)
    created = NewEvent(uuid.uuid5(case_id, "created"), "created", "kiosk", "citizen", None, now, {})
    draft = draft_case(
        kiosk,
        case_id=case_id,
        service_id="change-of-address",
        answers={"postcode": MARKER, "household": 2},
        created=created,
        catalogue=catalogue,
        now=now,
    )
    items = [CreateItem(kiosk.scope, k, "h", now, timedelta(days=1), draft) for k in "ab"]

    def break_it(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO CASES"):
            return "INSERT INTO cases_nowhere VALUES (1)", parameters
        return statement, parameters

    event.listen(engine, "before_cursor_execute", break_it, retval=True)
    caplog.set_level(logging.DEBUG)
    writer = create_writer(engine)
    try:

        async def run() -> list[object]:
            return await asyncio.gather(*(writer.submit(i) for i in items), return_exceptions=True)

        outcomes = asyncio.run(run())
    finally:
        event.remove(engine, "before_cursor_execute", break_it)
    assert all(isinstance(o, Exception) for o in outcomes)
    assert all(MARKER not in str(o) for o in outcomes)  # hide_parameters: not even the message
    assert MARKER not in _everything_logged(caplog.records)


def test_under_uvicorn_a_failing_request_is_logged_once_by_type(
    app, engine, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """The server itself: uvicorn logs no "Exception in ASGI application" traceback (the last
    resort answers and does not re-raise), and nothing it logs holds the answers."""
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # log_config=None: uvicorn's loggers propagate to the root logger, where caplog listens.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="debug")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    caplog.set_level(logging.DEBUG)
    thread.start()

    def break_inserts(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO CASE_EVENTS"):
            return "INSERT INTO no_such_table_at_all VALUES (1)", parameters
        return statement, parameters

    try:
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while not server.started and datetime.now(UTC) < deadline:
            threading.Event().wait(0.02)
        base = f"http://127.0.0.1:{port}"
        r = httpx.post(
            f"{base}{CASES}",
            json=new_case(answers={"postcode": MARKER, "household": 2}),
            headers=auth | {"Idempotency-Key": str(uuid.uuid4())},
        )
        assert r.status_code == 201, r.text
        case_id = r.json()["id"]
        event.listen(engine, "before_cursor_execute", break_inserts, retval=True)
        try:
            r = httpx.patch(
                f"{base}{CASES}/{case_id}/answers",
                json={"answers": {"postcode": MARKER}},
                headers=auth | {"If-Match": '"1"'},
            )
        finally:
            event.remove(engine, "before_cursor_execute", break_inserts)
        assert is_problem(r, 500)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    logged = _everything_logged(caplog.records)
    assert MARKER not in logged
    assert "Exception in ASGI application" not in logged
    assert logged.count("unhandled") == 1
    assert not any(record.exc_info for record in caplog.records)

"""The case and handoff write routes look at the caller before the body (issue 16, item 3), on
both databases.

A request with no token or a wrong one gets 401 whatever its body holds: nested thousands deep
(which, read, is a 400 ``json-too-deep``), not JSON at all, or large. With a good token the same
body is read and refused for what it is — so the 401s show the body was never looked at.
"""

from __future__ import annotations

import uuid

import pytest

DEEP = ("[" * 5000 + "]" * 5000).encode()
LARGE = b'{"answers": {"notes": "' + b"x" * 200_000 + b'"}}'
NOT_JSON = b"{this is not json"
BAD_TOKEN = {
    "Authorization": "Bearer kd_nobody.notavalidsecret",
    "Content-Type": "application/json",
}


def _routes(case_id: str) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/v1/cases"),
        ("POST", f"/api/v1/cases/{case_id}/events"),
        ("PATCH", f"/api/v1/cases/{case_id}/answers"),
        ("POST", f"/api/v1/cases/{case_id}/handoffs"),
        ("POST", f"/api/v1/cases/{case_id}/resume-codes"),
    ]


@pytest.mark.parametrize("body", [DEEP, LARGE, NOT_JSON], ids=["deep", "large", "not-json"])
@pytest.mark.parametrize("token", ["wrong", "none"])
def test_a_bad_token_is_401_whatever_the_body(client, body: bytes, token: str) -> None:  # type: ignore[no-untyped-def]
    headers = dict(BAD_TOKEN)
    if token == "none":
        del headers["Authorization"]
    for method, url in _routes(str(uuid.uuid4())):
        r = client.request(
            method, url, content=body, headers=headers | {"Idempotency-Key": str(uuid.uuid4())}
        )
        assert r.status_code == 401, (method, url, r.status_code, r.text[:200])
        assert len(r.content) < 2000  # a short problem, no traceback


def test_a_good_token_gets_the_body_read_and_refused(client, auth) -> None:  # type: ignore[no-untyped-def]
    for method, url in _routes(str(uuid.uuid4())):
        headers = auth | {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        deep = client.request(method, url, content=DEEP, headers=headers)
        assert deep.status_code == 400 and deep.json()["type"].endswith("json-too-deep"), url
        broken = client.request(method, url, content=NOT_JSON, headers=headers)
        assert broken.status_code in (400, 422), (url, broken.status_code)


def test_a_good_token_and_body_still_create_and_append(client, auth) -> None:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    made = client.post(
        "/api/v1/cases",
        json={"id": case_id, "service_id": "change-of-address", "answers": {"household": 2}},
        headers=auth | {"Idempotency-Key": case_id},
    )
    assert made.status_code == 201, made.text
    ev = {
        "event_id": str(uuid.uuid4()),
        "type": "help_requested",
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "payload": {},
    }
    added = client.post(f"/api/v1/cases/{case_id}/events", json=ev, headers=auth)
    assert added.status_code == 201 and added.json()["seq"] == 2, added.text
    patched = client.patch(
        f"/api/v1/cases/{case_id}/answers",
        json={"answers": {"household": 3}},
        headers=auth | {"If-Match": '"2"'},
    )
    assert patched.status_code == 200 and patched.json()["answers"]["household"] == 3
    handoff = client.post(f"/api/v1/cases/{case_id}/handoffs", headers=auth)  # no body at all
    assert handoff.status_code == 201 and handoff.json()["verification_uri"].endswith("/h")

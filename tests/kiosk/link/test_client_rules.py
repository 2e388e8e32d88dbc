"""The client's rules with a scripted transport (no network): timeouts passed on every call, which
calls are retried and how long it waits, error mapping, no token in anything it shows."""

from __future__ import annotations

import json
import random

import pytest

from kiosk.link import (
    CentralClient,
    Conflict,
    HttpResponse,
    Offline,
    Rejected,
    TransportError,
    Unauthorised,
)


class Script:
    """Answers each request with the next item: an HttpResponse or a TransportError to raise."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, dict, bytes | None, float]] = []

    def __call__(self, method, url, headers, body, timeout):
        self.calls.append((method, url, dict(headers), body, timeout))
        item = self.answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def ok(body: dict | None = None, status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(status, {k.lower().replace("_", "-"): v for k, v in headers.items()},
                        json.dumps(body or {}).encode())  # fmt: skip


def problem(status: int, detail: str = "no", **headers: str) -> HttpResponse:
    body = {"title": "T", "status": status, "detail": detail}
    return ok(body, status, **headers)


def client(script: Script, sleeps: list[float] | None = None, **kw) -> CentralClient:
    return CentralClient(
        "http://central.test/",
        "dev_1.s3cret",
        transport=script,
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        rng=random.Random(7),
        **kw,
    )


def test_every_call_has_the_timeout_and_the_device_token():
    script = Script(ok({"id": "c"}, 201))
    c = client(script, timeout_s=2.5)
    assert c.create_case({"id": "c"}, "key-1") == {"id": "c"}
    method, url, headers, body, timeout = script.calls[0]
    assert (method, url, timeout) == ("POST", "http://central.test/api/v1/cases", 2.5)
    assert headers["Authorization"] == "Bearer dev_1.s3cret"
    assert headers["Idempotency-Key"] == "key-1"
    assert json.loads(body) == {"id": "c"}
    assert "s3cret" not in repr(c)


def test_network_errors_and_5xx_are_retried_with_full_jitter_then_offline():
    sleeps: list[float] = []
    script = Script(
        TransportError("connection", "refused"),
        problem(503),
        TransportError("timeout", "read"),
        problem(502),
    )
    c = client(script, sleeps, retries=3, backoff_base_s=0.5, backoff_cap_s=1.5)
    with pytest.raises(Offline) as err:
        c.append_events("case-1", [{"event_id": "e"}])
    assert len(script.calls) == 4
    assert len(sleeps) == 3
    for n, delay in enumerate(sleeps):
        assert 0 <= delay <= min(1.5, 0.5 * 2**n)
    assert "502" in err.value.detail


def test_recovery_after_a_failure_returns_the_answer():
    script = Script(TransportError("connection", "reset"), ok({"events": []}, 201))
    assert client(script).append_events("c", [{"event_id": "e"}]) == {"events": []}


def test_retry_after_is_honoured_as_a_floor():
    sleeps: list[float] = []
    script = Script(problem(429, **{"Retry-After": "7"}), ok({}))
    client(script, sleeps, backoff_base_s=0.01).catalogue()
    assert sleeps == [7.0]


def test_409_still_running_is_retried_but_a_real_conflict_is_not():
    sleeps: list[float] = []
    script = Script(problem(409, "running", **{"Retry-After": "1"}), ok({"id": "c"}, 201))
    assert client(script, sleeps).create_case({"id": "c"}, "k") == {"id": "c"}
    assert sleeps == [1.0]
    script = Script(problem(412, "changed"))
    with pytest.raises(Conflict) as err:
        client(script).patch_answers("c", {"a": 1}, '"v1"')
    assert err.value.status == 412 and len(script.calls) == 1
    assert script.calls[0][2]["If-Match"] == '"v1"'


@pytest.mark.parametrize(
    ("status", "kind"), [(400, Rejected), (404, Rejected), (422, Rejected), (401, Unauthorised),
                         (403, Unauthorised)],
)  # fmt: skip
def test_4xx_is_final_and_typed(status, kind):
    script = Script(problem(status, "because"))
    with pytest.raises(kind) as err:
        client(script).create_case({}, "k")
    assert len(script.calls) == 1
    assert err.value.status == status and err.value.problem["detail"] == "because"


def test_calls_that_are_not_repeatable_are_not_retried():
    for call in (
        lambda c: c.create_handoff("case"),
        lambda c: c.heartbeat({"software_version": "1"}),
        lambda c: c.resume({"code": "x"}),
    ):
        script = Script(problem(503))
        with pytest.raises(Offline):
            call(client(script))
        assert len(script.calls) == 1


def test_garbage_body_is_not_a_crash():
    script = Script(HttpResponse(500, {}, b"\xff<html>"), HttpResponse(404, {}, b"not json"))
    c = client(script, retries=0)
    with pytest.raises(Offline):
        c.catalogue()
    with pytest.raises(Rejected) as err:
        c.catalogue()
    assert err.value.problem == {}

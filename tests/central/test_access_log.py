"""The access log: one line per request with the route's template — never an id, a code, a query
string, an address or a token."""

from __future__ import annotations

import logging

import pytest

from central.access_log import LOGGER_NAME


def test_lines_carry_templates_statuses_and_nothing_personal(
    client, auth, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    case_id = "6f1c2a5e-0b7d-4c4e-9a57-3d1f0e2b9c11"
    client.get(f"/api/v1/cases/{case_id}", headers=auth)
    client.get("/h/QWERTY?code=SECRET-CODE")
    client.get("/no/such/page?who=alice")
    client.post("/api/v1/cases", content=b"x" * (2 << 20), headers=auth)
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    assert len(lines) == 4, lines
    assert lines[0].startswith("GET /api/v1/cases/{case_id} 404 ")
    assert lines[1].startswith("GET /h/{short_id} ")
    assert lines[2].startswith("GET (unmatched) 404 ")
    assert lines[3].startswith("POST /api/v1/cases 413 ") or lines[3].startswith(
        "POST (unmatched) 413 "
    )
    text = "\n".join(lines)
    for secret in (case_id, "QWERTY", "SECRET-CODE", "alice", "testclient", auth["Authorization"]):
        assert secret not in text

"""What the OpenAPI document says beyond what the routes declare.

``finish_openapi`` makes every error response ``application/problem+json`` (RFC 9457) with the
``Problem`` schema, and documents on every operation the problems any request can get (400 malformed
JSON, 413 oversize body, 422 schema mismatch, 500) — so a client generator and schemathesis see the
whole contract.
"""

from __future__ import annotations

from typing import Any

from central.problems import PROBLEM_MEDIA_TYPE, Problem

API_DESCRIPTION = """\
The central case service of the omni-channel kiosk runtime.

**Errors** are RFC 9457 problem details (`application/problem+json`).

**Idempotency.** `POST /api/v1/cases` requires an `Idempotency-Key` header (any string up to 255
characters; kiosks use a UUID). Keys are scoped to the calling device and **kept for {days} days**
(longer than any kiosk stays offline). Missing key: 400. Same key while the first request is still
running: 409. Same key with a different body: 422. Same key and body again: the first response,
byte for byte, with `Idempotent-Replayed: true`.

**Concurrency.** `GET /api/v1/cases/{{id}}` returns an `ETag`; `If-None-Match` answers 304. Changing
answers requires `If-Match` (missing: 428, stale: 412).

**Events** are append-only and deduplicated by the client's `event_id`: a replayed event answers 200
with the stored event, a new one 201.

**Offices.** A kiosk may read and change only cases of its own office (403 otherwise).
"""

_GENERAL = {
    "400": "Malformed JSON or missing header",
    "413": "Request body too large",
    "422": "The request does not match the schema",
    "500": "Internal server error",
}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def finish_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema()
    for path_item in schema.get("paths", {}).values():
        for method, op in path_item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for status, description in _GENERAL.items():
                if method in ("get", "head", "delete") and status == "413":
                    continue
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = _problem_content()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema

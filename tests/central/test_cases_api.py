"""The case API on both databases: idempotent create, ETags, If-Match, catalogue checks, auth."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from central.db.base import make_sessionmaker
from central.db.models import Case, CaseEvent, IdempotencyKey
from central.references import parse_reference

PROBLEM = "application/problem+json"
GOOD = {"postcode": "SW1A 1AA", "household": 2}


def new_case(**extra: object) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "service_id": "change-of-address", "answers": GOOD} | extra


def post_case(
    client: TestClient, auth: dict[str, str], body: dict[str, object], key: str | None = None
):  # type: ignore[no-untyped-def]
    headers = dict(auth)
    headers["Idempotency-Key"] = key or str(uuid.uuid4())
    return client.post("/api/v1/cases", json=body, headers=headers)


def count(engine, model, **where: object) -> int:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q)


def test_create_stores_case_and_created_event(client, auth, engine, office, device) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    r = post_case(client, auth, body)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["id"] == body["id"]
    assert got["status"] == "open" and got["version"] == 1
    assert got["origin_office"] == office and got["origin_device"] == device[0]
    assert got["answers"] == GOOD
    assert parse_reference(got["reference"].lower()) == got["reference"]
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"/api/v1/cases/{body['id']}"
    case_id = uuid.UUID(str(body["id"]))
    assert count(engine, Case, id=case_id) == 1
    assert count(engine, CaseEvent, case_id=case_id, type="created") == 1


def test_missing_idempotency_key_is_400_problem(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    r = client.post("/api/v1/cases", json=body, headers=auth)
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    assert "Idempotency-Key" in r.json()["detail"]
    assert count(engine, Case, id=uuid.UUID(str(body["id"]))) == 0


def test_replay_returns_first_response_byte_for_byte(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body, key = new_case(), str(uuid.uuid4())
    first = post_case(client, auth, body, key)
    again = post_case(client, auth, body, key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["etag"] == first.headers["etag"]
    assert count(engine, Case, id=uuid.UUID(str(body["id"]))) == 1


def test_same_key_other_payload_is_422(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    key = str(uuid.uuid4())
    assert post_case(client, auth, new_case(), key).status_code == 201
    other = new_case()
    r = post_case(client, auth, other, key)
    assert r.status_code == 422
    assert r.json()["type"].endswith("idempotency-key-reused")
    assert count(engine, Case, id=uuid.UUID(str(other["id"]))) == 0


def test_same_key_while_running_is_409(client, auth, engine, clock, device) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from central.idempotency import request_hash

    body, key = new_case(), str(uuid.uuid4())
    payload = json.loads(
        json.dumps(
            body
            | {
                "channel": "kiosk",
                "event_id": None,
                "occurred_at": None,
                "actor_type": "citizen",
                "actor_id": None,
                "reference": None,
            }
        )
    )
    with make_sessionmaker(engine)() as s:  # another worker holds the key right now
        s.add(
            IdempotencyKey(
                scope=f"device:{device[0]}",
                key=key,
                request_hash=request_hash("POST", "/cases", payload),
                state="running",
                created_at=clock(),
                expires_at=clock() + timedelta(days=30),
            )
        )
        s.commit()
    r = post_case(client, auth, body, key)
    assert r.status_code == 409, r.text
    assert r.headers["retry-after"] == "1"
    assert count(engine, Case, id=uuid.UUID(str(body["id"]))) == 0
    clock.advance(minutes=5)  # the holder crashed long ago: the key is taken over
    r = post_case(client, auth, body, key)
    assert r.status_code == 201, r.text


def test_keys_are_kept_at_least_30_days_and_published(client, auth, engine, clock) -> None:  # type: ignore[no-untyped-def]
    key = str(uuid.uuid4())
    post_case(client, auth, new_case(), key)
    with make_sessionmaker(engine)() as s:
        row = s.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key)).one()
    assert row.expires_at - row.created_at >= __import__("datetime").timedelta(days=30)
    assert row.state == "done"
    assert "kept for 30 days" in client.get("/openapi.json").json()["info"]["description"]


def test_keys_of_different_devices_do_not_collide(client, auth, make_device, office) -> None:  # type: ignore[no-untyped-def]
    _, token2 = make_device(office, "kiosk 2")
    key = str(uuid.uuid4())
    assert post_case(client, auth, new_case(), key).status_code == 201
    r = post_case(client, {"Authorization": f"Bearer {token2}"}, new_case(), key)
    assert r.status_code == 201


def test_unknown_service_is_422_and_nothing_written(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case(service_id="no-such-service")
    r = post_case(client, auth, body)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["errors"][0]["field"] == "service_id"
    assert count(engine, Case, id=uuid.UUID(str(body["id"]))) == 0


def test_answers_the_catalogue_rejects_are_422_and_nothing_written(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case(answers={"postcode": "not a postcode", "household": 99})
    r = post_case(client, auth, body)
    assert r.status_code == 422, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"postcode", "household"} <= fields
    case_id = uuid.UUID(str(body["id"]))
    assert count(engine, Case, id=case_id) == 0
    assert count(engine, CaseEvent, case_id=case_id) == 0


def test_get_with_etag_and_if_none_match(client, auth) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    etag = post_case(client, auth, body).headers["etag"]
    r = client.get(f"/api/v1/cases/{body['id']}", headers=auth)
    assert r.status_code == 200 and r.headers["etag"] == etag
    r = client.get(f"/api/v1/cases/{body['id']}", headers=auth | {"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    weak = client.get(f"/api/v1/cases/{body['id']}", headers=auth | {"If-None-Match": "W/" + etag})
    assert weak.status_code == 304
    stale = client.get(f"/api/v1/cases/{body['id']}", headers=auth | {"If-None-Match": '"0"'})
    assert stale.status_code == 200


def test_patch_answers_needs_if_match(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    etag = post_case(client, auth, body).headers["etag"]
    url = f"/api/v1/cases/{body['id']}/answers"
    patch = {"answers": {"household": 3, "contact": "post"}}
    missing = client.patch(url, json=patch, headers=auth)
    assert missing.status_code == 428
    wrong = client.patch(url, json=patch, headers=auth | {"If-Match": '"7"'})
    assert wrong.status_code == 412 and wrong.headers["etag"] == etag
    weak = client.patch(url, json=patch, headers=auth | {"If-Match": "W/" + etag})
    assert weak.status_code == 412  # If-Match compares strongly
    ok = client.patch(url, json=patch, headers=auth | {"If-Match": etag})
    assert ok.status_code == 200, ok.text
    assert ok.json()["answers"] == {"postcode": "SW1A 1AA", "household": 3, "contact": "post"}
    assert ok.headers["etag"] == '"2"'
    # the old ETag is now stale
    assert client.patch(url, json=patch, headers=auth | {"If-Match": etag}).status_code == 412
    removed = client.patch(
        url, json={"answers": {"contact": None}}, headers=auth | {"If-Match": '"2"'}
    )
    assert removed.json()["answers"] == {"postcode": "SW1A 1AA", "household": 3}
    assert count(engine, CaseEvent, case_id=uuid.UUID(str(body["id"])), type="answers_changed") == 2


def test_patch_with_rejected_answers_is_422_and_changes_nothing(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    etag = post_case(client, auth, body).headers["etag"]
    r = client.patch(
        f"/api/v1/cases/{body['id']}/answers",
        json={"answers": {"household": 0}},
        headers=auth | {"If-Match": etag},
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["household"]
    got = client.get(f"/api/v1/cases/{body['id']}", headers=auth).json()
    assert got["version"] == 1 and got["answers"] == GOOD


def test_malformed_json_is_400_problem(client, auth) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/cases",
        content=b'{"id": "x", ',
        headers=auth | {"Idempotency-Key": "k1", "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["type"].endswith("malformed-json")


def test_oversize_body_is_413_problem(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case(answers={"postcode": "x" * 300_000})
    r = post_case(client, auth, body)
    assert r.status_code == 413
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == 413
    assert count(engine, Case, id=uuid.UUID(str(body["id"]))) == 0


def test_oversize_chunked_body_is_413(client, auth) -> None:  # type: ignore[no-untyped-def]
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 10_000

    r = client.post(
        "/api/v1/cases",
        content=chunks(),
        headers=auth | {"Idempotency-Key": "k", "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_schema_mismatch_is_422_problem_with_fields(client, auth) -> None:  # type: ignore[no-untyped-def]
    r = post_case(client, auth, {"id": "not-a-uuid", "service_id": "change-of-address"})
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert "id" in {e["field"] for e in r.json()["errors"]}


def test_missing_forged_and_revoked_tokens_are_401(client, auth, engine, device) -> None:  # type: ignore[no-untyped-def]
    from central.auth.devices import revoke_device
    from central.db.base import session_scope

    body = new_case()
    assert post_case(client, {}, body).status_code == 401
    device_id, token = device
    forged = f"{device_id}.{'A' * 43}"
    r = post_case(client, {"Authorization": f"Bearer {forged}"}, body)
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert post_case(client, {"Authorization": "Bearer nonsense"}, body).status_code == 401
    assert post_case(client, {"Authorization": f"Basic {token}"}, body).status_code == 401
    assert client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=auth).status_code == 404
    with session_scope(make_sessionmaker(engine)) as s:
        assert revoke_device(s, device_id)
    r = post_case(client, auth, body)
    assert r.status_code == 401
    assert count(engine, Case, id=uuid.UUID(str(body["id"]))) == 0


def test_device_cannot_see_other_offices_cases(client, auth, make_device) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    post_case(client, auth, body)
    _, other = make_device("ELSEWHERE")
    r = client.get(f"/api/v1/cases/{body['id']}", headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 404


def test_same_case_id_with_new_key_is_409(client, auth) -> None:  # type: ignore[no-untyped-def]
    body = new_case()
    assert post_case(client, auth, body).status_code == 201
    r = post_case(client, auth, body)
    assert r.status_code == 409 and r.json()["type"].endswith("case-exists")


def test_unknown_route_and_method_are_problems(client, auth) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    r = client.delete("/api/v1/cases", headers=auth)
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM


def test_nul_characters_are_422_not_a_database_error(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case(answers={"postcode": "SW1A\u00001AA"})
    r = post_case(client, auth, body)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    beat = {"software_version": "1", "outbox_depth": 0, "device_states": {"\u0000": 1}}
    assert client.post("/api/v1/devices/heartbeat", json=beat, headers=auth).status_code == 422


def test_answers_are_stored_normalised(client, auth, engine) -> None:  # type: ignore[no-untyped-def]
    body = new_case(answers={"postcode": "sw1a1aa", "household": "3"})
    r = post_case(client, auth, body)
    assert r.status_code == 201, r.text
    assert r.json()["answers"] == {"postcode": "SW1A 1AA", "household": 3}
    etag = r.headers["etag"]
    r = client.patch(
        f"/api/v1/cases/{body['id']}/answers",
        json={"answers": {"postcode": "e1 6an"}},
        headers=auth | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert r.json()["answers"]["postcode"] == "E1 6AN"
    with make_sessionmaker(engine)() as s:
        ev = s.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == uuid.UUID(str(body["id"])), CaseEvent.seq == 2
            )
        ).one()
    assert ev.payload == {"answers": {"postcode": "E1 6AN"}}


def test_expired_keys_are_forgotten(client, auth, engine, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from central.retention import purge

    key = str(uuid.uuid4())
    first = new_case()
    assert post_case(client, auth, first, key).status_code == 201
    clock.advance(days=29)
    assert post_case(client, auth, new_case(), key).status_code == 422  # still remembered
    clock.advance(days=2)
    second = new_case()
    r = post_case(client, auth, second, key)  # expired: the key is free again
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert count(engine, IdempotencyKey, key=key) == 1
    assert purge(engine, clock() + timedelta(days=31))["idempotency_keys"] >= 1
    assert count(engine, IdempotencyKey, key=key) == 0


def test_openapi_documents_problem_responses_everywhere(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    create = spec["paths"]["/api/v1/cases"]["post"]
    assert {"400", "401", "409", "413", "422"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )
            assert "500" in op["responses"], (path, method)

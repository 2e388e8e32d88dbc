"""``GET /api/v1/devices/me`` on both databases: a kiosk reads the office central registered it
under (what ``kiosk diagnose`` compares with kiosk.toml); bad, forged and revoked tokens get the
401 problem; the heartbeat beside it still stores beats; the OpenAPI document describes it."""

from __future__ import annotations

from sqlalchemy import select

from central.auth.devices import revoke_device
from central.db.base import make_sessionmaker, session_scope
from central.db.models import DeviceStatus

URL = "/api/v1/devices/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_each_kiosk_reads_its_own_registration(client, make_device, office) -> None:  # type: ignore[no-untyped-def]
    first_id, first_token = make_device(office, "front desk")
    other_office = office + "X"
    second_id, second_token = make_device(other_office, "upstairs")
    r = client.get(URL, headers=bearer(first_token))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"device_id": first_id, "office": office, "name": "front desk"}
    r = client.get(URL, headers=bearer(second_token))
    assert r.json() == {"device_id": second_id, "office": other_office, "name": "upstairs"}


def test_bad_forged_and_revoked_tokens_get_the_401_problem(client, engine, device) -> None:  # type: ignore[no-untyped-def]
    device_id, token = device
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        bearer("no-dot-in-this"),
        bearer(device_id + ".forged-secret"),
        bearer("dev_0000000000000000." + token.split(".", 1)[1]),
    ):
        r = client.get(URL, headers=headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == 'Bearer realm="kiosk"'
        problem = r.json()
        assert problem["status"] == 401 and "office" not in problem
    assert client.get(URL, headers=bearer(token)).status_code == 200
    with session_scope(make_sessionmaker(engine)) as session:
        assert revoke_device(session, device_id)
    r = client.get(URL, headers=bearer(token))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_the_heartbeat_still_stores_beats(client, engine, device) -> None:  # type: ignore[no-untyped-def]
    device_id, token = device
    beat = {"software_version": "9.9.9", "outbox_depth": 4, "device_states": {}}
    r = client.post("/api/v1/devices/heartbeat", json=beat, headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["device_id"] == device_id
    assert client.get(URL, headers=bearer(token)).json()["device_id"] == device_id
    with make_sessionmaker(engine)() as s:
        row = s.scalars(select(DeviceStatus).where(DeviceStatus.device_id == device_id)).one()
        assert (row.software_version, row.outbox_depth) == ("9.9.9", 4)


def test_openapi_documents_the_route_and_its_problems(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/openapi.json").json()
    op = doc["paths"][URL]["get"]
    assert op["tags"] == ["devices"] and op["summary"]
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    name = ok["$ref"].rsplit("/", 1)[1]
    schema = doc["components"]["schemas"][name]
    assert set(schema["required"]) == {"device_id", "office", "name"}
    problem = op["responses"]["401"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "post" in doc["paths"]["/api/v1/devices/heartbeat"]

"""The device token cache on the case routes: a revoked device stops working within the TTL (a
revocation made elsewhere, as the CLI does: a plain UPDATE of the row) and at once when revoked in
this process; wrong tokens are never cached. Injected monotonic clock, no sleeping."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from central.auth.devices import revoke_device
from central.auth.token_cache import TTL_S, TokenCache
from central.db.base import make_sessionmaker, session_scope
from central.db.models import Device
from central.db.types import utcnow


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def events_of_unknown_case(client, token: str) -> int:  # type: ignore[no-untyped-def]
    """401 when the token is refused; 404 (no such case) once authenticated."""
    r = client.get(
        f"/api/v1/cases/{uuid.uuid4()}/events", headers={"Authorization": f"Bearer {token}"}
    )
    return r.status_code


def revoke_elsewhere(engine, device_id: str) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(update(Device).where(Device.id == device_id).values(revoked_at=utcnow()))


def test_ttl_is_small() -> None:
    assert 0 < TTL_S <= 5


def test_revocation_elsewhere_is_honoured_within_the_ttl(app, client, engine, device) -> None:  # type: ignore[no-untyped-def]
    ticks = Ticks()
    app.state.token_cache = TokenCache(clock=ticks)
    device_id, token = device
    assert events_of_unknown_case(client, token) == 404
    revoke_elsewhere(engine, device_id)
    ticks.now += TTL_S - 0.1
    assert events_of_unknown_case(client, token) == 404  # still trusted: inside the TTL
    ticks.now += 0.2
    assert events_of_unknown_case(client, token) == 401  # the TTL is the bound
    assert events_of_unknown_case(client, token) == 401  # and the refusal is not cached


def test_revocation_in_this_process_is_honoured_at_once(app, client, engine, device) -> None:  # type: ignore[no-untyped-def]
    app.state.token_cache = TokenCache(clock=Ticks())  # time stands still: only invalidation helps
    device_id, token = device
    assert events_of_unknown_case(client, token) == 404
    with session_scope(make_sessionmaker(engine)) as s:
        assert revoke_device(s, device_id)
    assert events_of_unknown_case(client, token) == 401


def test_a_wrong_secret_is_refused_even_after_the_right_one_was_cached(app, client, device) -> None:  # type: ignore[no-untyped-def]
    app.state.token_cache = TokenCache(clock=Ticks())
    device_id, token = device
    assert events_of_unknown_case(client, token) == 404
    assert events_of_unknown_case(client, f"{device_id}.{'A' * 43}") == 401


def test_cache_is_bounded() -> None:
    from central.auth.principal import Principal

    cache = TokenCache(max_entries=3, clock=Ticks())
    for i in range(5):
        cache.put(f"t{i}", Principal(kind="device", id=f"d{i}", office="X"))
    assert [cache.get(f"t{i}") is not None for i in range(5)] == [False, False, True, True, True]

"""The revocation listener (PostgreSQL): a NOTIFY empties the token caches; while its connection is
down the caches are not trusted at all, and after it reconnects nothing cached before is used."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from central.auth import token_cache
from central.auth.principal import Principal
from central.auth.revocations import RevocationListener, announce
from central.db.base import make_engine, make_sessionmaker

pytestmark = pytest.mark.postgres
WHO = Principal(kind="device", id="dev-1", office="DEMO")


def wait_for(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_notify_empties_and_a_lost_connection_distrusts(pg_database: str) -> None:
    engine = make_engine(pg_database)
    listener = RevocationListener(engine, poll_s=0.1, max_backoff_s=0.2)
    cache = token_cache.TokenCache(ttl_s=60)
    try:
        listener.start()
        assert cache.get("t") is None  # not trusted before the LISTEN is live
        assert listener.listening.wait(10)
        cache.put("t", WHO)
        assert cache.get("t") == WHO
        with make_sessionmaker(engine)() as session:  # a revocation elsewhere, committed
            announce(session, "dev-1")
            assert cache.get("t") == WHO  # not before the commit
            session.commit()
        wait_for(lambda: cache.get("t") is None)

        cache.put("t", WHO)
        with engine.connect() as conn:  # the listener's connection dies
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener.backend_pid})
            conn.commit()
        wait_for(lambda: not listener.listening.is_set())
        assert cache.get("t") is None  # distrusted while down (and emptied on reconnect)
        assert listener.listening.wait(10)
        assert cache.get("t") is None
    finally:
        listener.stop()
        engine.dispose()
    assert token_cache._trusted is True

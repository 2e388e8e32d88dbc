"""``kiosk-central serve`` plumbing for speed: the shared listener of ``--workers N`` keeps
TCP_NODELAY on accepted connections, the default worker count per database, and pooled PostgreSQL
connections that went stale while idle are replaced before use."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from sqlalchemy import text

import central.db.base as db_base
from central.commands import server


def test_connections_accepted_on_the_shared_listener_have_nodelay() -> None:
    listener = server.tcp_listener("127.0.0.1", 0)
    port = listener.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        srv = await asyncio.start_server(accepted, sock=listener)
        async with srv:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(200):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(main())
    assert seen and seen[0] != 0  # Nagle off: keep-alive answers are not held for a delayed ACK


def test_default_workers_one_on_sqlite_one_per_core_on_postgres(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(server.os, "cpu_count", lambda: 8)
    assert server.default_workers("sqlite:///var/central.db") == 1
    assert server.default_workers("postgresql://u@h/db") == 4
    monkeypatch.setattr(server.os, "cpu_count", lambda: 2)
    assert server.default_workers("postgresql://u@h/db") == 2
    monkeypatch.setattr(server.os, "cpu_count", lambda: 1)
    assert server.default_workers("postgresql://u@h/db") == 1
    monkeypatch.setattr(server.os, "cpu_count", lambda: 64)
    assert server.default_workers("postgresql://u@h/db") == server.MAX_DEFAULT_WORKERS


def test_stale_idle_postgres_connection_is_replaced_before_use(pg_database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    monkeypatch.setattr(db_base, "PING_IDLE_S", 0.05)
    engine = db_base.make_engine(pg_database, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        admin = pg_database.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)  # idle longer than PING_IDLE_S: the checkout pings, finds it dead
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


@pytest.mark.parametrize("idle", [False, True])
def test_only_idle_connections_are_pinged(pg_database, monkeypatch, idle) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(db_base, "PING_IDLE_S", 0.05 if idle else 60.0)
    engine = db_base.make_engine(pg_database, pool_size=1, max_overflow=0)
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(conn) or True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        time.sleep(0.2)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert len(pings) == (1 if idle else 0)

"""Attempt limits kept in the database (issue 16 items 6-8): the per-client limiter and the staff
login lockout hold under parallel requests — many threads, and on PostgreSQL two OS processes with
their own apps and pools, as two server workers — with exact counts; the login page says the
account is locked and until when, for unknown usernames alike; an admin unlocks with
``kiosk-central unlock-staff``. On SQLite and PostgreSQL (fixtures of ``conftest.py``).
"""

from __future__ import annotations

import multiprocessing as mp
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from central.db.base import make_sessionmaker
from central.handoff.models import AttemptCounter
from central.handoff.ratelimit import AttemptLimiter, address_key, purge_before
from central.staff import auth

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PASSWORD = "correct horse battery"


def limiter(limit: int = 3, window: float = 60, **kw) -> AttemptLimiter:  # type: ignore[no-untyped-def]
    return AttemptLimiter(limit, window, scope=secrets.token_hex(8), **kw)


# The limiter itself.


def test_take_up_to_the_limit_then_locked_until_the_window_passes(engine) -> None:  # type: ignore[no-untyped-def]
    lim = limiter(3, 60)
    with make_sessionmaker(engine)() as s:
        assert [lim.take(s, "a", T0) for _ in range(3)] == [None, None, None]
        assert lim.take(s, "a", T0) == 60.0  # the third reached the limit: locked a window
        assert lim.check(s, "a", T0 + timedelta(seconds=10)) == 50.0
        assert lim.check(s, "b", T0) is None  # keys are independent
        assert lim.take(s, "a", T0 + timedelta(seconds=59.5)) == 1.0
        assert lim.take(s, "a", T0 + timedelta(seconds=60)) is None  # a fresh window
        assert lim.check(s, "a", T0 + timedelta(seconds=60)) is None


def test_a_window_without_the_limit_starts_again(engine) -> None:  # type: ignore[no-untyped-def]
    lim = limiter(3, 60)
    with make_sessionmaker(engine)() as s:
        assert lim.take(s, "a", T0) is None and lim.take(s, "a", T0) is None
        later = T0 + timedelta(seconds=61)
        assert [lim.take(s, "a", later) for _ in range(3)] == [None, None, None]
        assert lim.take(s, "a", later) is not None


def test_a_success_gives_its_attempt_back_and_lifts_its_own_lock(engine) -> None:  # type: ignore[no-untyped-def]
    lim = limiter(3, 60)
    factory = make_sessionmaker(engine)
    with factory() as s:
        for _ in range(3):
            assert lim.take(s, "a", T0) is None
        lim.give_back(s, "a", T0)  # the third was right
        s.commit()
        assert lim.check(s, "a", T0) is None
        assert lim.take(s, "a", T0) is None
        assert lim.take(s, "a", T0) is not None
        assert (
            s.scalar(
                select(AttemptCounter.failures).where(AttemptCounter.key_hash == lim.key_hash("a"))
            )
            == 3
        )


def test_lockout_longer_than_the_window_and_reset(engine) -> None:  # type: ignore[no-untyped-def]
    lim = limiter(2, 60, lockout=900)
    with make_sessionmaker(engine)() as s:
        assert lim.take(s, "u", T0) is None and lim.take(s, "u", T0) is None
        assert lim.locked_until(s, "u", T0) == T0 + timedelta(seconds=900)
        assert lim.take(s, "u", T0 + timedelta(seconds=899)) == 1.0
        assert lim.reset(s, "u") is True
        s.commit()
        assert lim.take(s, "u", T0 + timedelta(seconds=1)) is None
        assert lim.reset(s, "nobody") is False


def test_scopes_count_apart_and_keys_are_stored_hashed(engine) -> None:  # type: ignore[no-untyped-def]
    one, two = limiter(1, 60), limiter(1, 60)
    with make_sessionmaker(engine)() as s:
        assert one.take(s, "198.51.100.7", T0) is None
        assert two.take(s, "198.51.100.7", T0) is None
        assert one.take(s, "198.51.100.7", T0) is not None
        stored = s.scalars(select(AttemptCounter.key_hash)).all()
        assert one.key_hash("198.51.100.7") in stored
        assert not any("198.51" in k for k in stored)


def test_purge_keeps_running_locks_and_recent_windows(engine) -> None:  # type: ignore[no-untyped-def]
    lim = limiter(1, 60, lockout=3 * 86400)
    old = limiter(5, 60)
    factory = make_sessionmaker(engine)
    with factory() as s:
        lim.take(s, "locked", T0)
        old.take(s, "stale", T0)
        old.take(s, "fresh", T0 + timedelta(days=2))
    cutoff = T0 + timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(purge_before(cutoff))
    with factory() as s:
        left = set(s.scalars(select(AttemptCounter.key_hash)).all())
    assert lim.key_hash("locked") in left
    assert old.key_hash("fresh") in left
    assert old.key_hash("stale") not in left


def test_address_key_groups_ipv6_by_its_64() -> None:
    assert address_key("198.51.100.7") == "198.51.100.7"
    assert address_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:2:ffff:ffff:ffff:fffe") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key("testclient") == "testclient"
    assert address_key(None) == "unknown"


THREADS = 30


def test_parallel_takes_get_exactly_the_limit(engine) -> None:  # type: ignore[no-untyped-def]
    lim = limiter(10, 60)
    factory = make_sessionmaker(engine)
    barrier = threading.Barrier(THREADS)

    def one(_: int) -> float | None:
        with factory() as s:
            barrier.wait(timeout=30)
            return lim.take(s, "k", T0)

    with ThreadPoolExecutor(THREADS) as pool:
        got = list(pool.map(one, range(THREADS)))
    assert got.count(None) == 10
    with factory() as s:
        assert (
            s.scalar(
                select(AttemptCounter.failures).where(AttemptCounter.key_hash == lim.key_hash("k"))
            )
            == 10
        )


def test_parallel_takes_and_give_backs_count_exactly_what_was_kept(engine) -> None:  # type: ignore[no-untyped-def]
    """Successes give back while failures take, all at once, near the limit: the counter ends at
    exactly the attempts kept, and a refusal is never mistaken for a reservation (a give-back
    may lift the lock between the refused upsert and the read of the lock)."""
    lim = limiter(10, 60)
    factory = make_sessionmaker(engine)
    barrier = threading.Barrier(THREADS)

    def one(n: int) -> int:
        kept = 0
        with factory() as s:
            barrier.wait(timeout=30)
            for _ in range(5):
                if lim.take(s, "k", T0) is None:
                    if n % 2:
                        lim.give_back(s, "k", T0)
                        s.commit()
                    else:
                        kept += 1
        return kept

    with ThreadPoolExecutor(THREADS) as pool:
        kept = sum(pool.map(one, range(THREADS)))
    with factory() as s:
        failures = s.scalar(
            select(AttemptCounter.failures).where(AttemptCounter.key_hash == lim.key_hash("k"))
        )
    # The counter is exactly what was kept, never past the limit. (Not always 10: a take refused
    # while give-backs were still in flight is a refusal, correctly, so fewer may be kept.)
    assert failures == kept and 1 <= kept <= 10, (failures, kept)


# The staff login over HTTP.


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/staff/login").text)[1]


def post_login(app, username: str, password: str, address: str = "192.0.2.1") -> object:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False, client=(address, 50000))
    return client.post(
        "/staff/login",
        data={"csrf": csrf_of(client), "username": username, "password": password},
    )


def new_user(engine, office: str) -> str:  # type: ignore[no-untyped-def]
    name = "u" + secrets.token_hex(5)
    with make_sessionmaker(engine)() as s:
        auth.create_user(s, name, PASSWORD, "staff", office)
        s.commit()
    return name


class CountingVerify:
    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        self.real, self.calls, self.lock = real, 0, threading.Lock()

    def __call__(self, user, password: str) -> bool:  # type: ignore[no-untyped-def]
        with self.lock:
            self.calls += 1
        return self.real(user, password)


@pytest.mark.parametrize("exists", [True, False])
def test_ten_wrong_passwords_lock_the_username_and_the_page_says_until_when(
    app, engine, office, clock, monkeypatch, exists
) -> None:  # type: ignore[no-untyped-def]
    name = new_user(engine, office) if exists else "nobody" + secrets.token_hex(3)
    counting = CountingVerify(auth.verify_password)
    monkeypatch.setattr(auth, "verify_password", counting)
    answers = [post_login(app, name, f"wrong {n}", f"192.0.2.{n}") for n in range(10)]
    assert [r.status_code for r in answers] == [401] * 10
    assert "locked" not in answers[8].text
    until = (clock() + timedelta(minutes=15)).strftime("%H:%M")
    assert f"it is locked until {until} UTC" in answers[9].text
    right = post_login(app, name, PASSWORD, "192.0.2.200")
    assert right.status_code == 429
    assert f"it is locked until {until} UTC" in right.text
    assert "administrator" in right.text
    assert counting.calls == 10  # the right password, sent while locked, was never checked
    clock.advance(minutes=15)
    after = post_login(app, name, PASSWORD, "192.0.2.201")
    assert after.status_code == (303 if exists else 401)
    assert counting.calls == 11


def test_parallel_wrong_passwords_check_exactly_ten(app, engine, office, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    name = new_user(engine, office)
    counting = CountingVerify(auth.verify_password)
    monkeypatch.setattr(auth, "verify_password", counting)
    barrier = threading.Barrier(THREADS)

    def one(n: int) -> int:
        client = TestClient(app, follow_redirects=False, client=(f"198.51.100.{n}", 50000))
        token = csrf_of(client)
        barrier.wait(timeout=30)
        data = {"csrf": token, "username": name, "password": f"wrong {n}"}
        return client.post("/staff/login", data=data).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(one, range(THREADS)))
    assert counting.calls == auth.LOGIN_ATTEMPTS
    assert statuses.count(401) == auth.LOGIN_ATTEMPTS
    assert statuses.count(429) == THREADS - auth.LOGIN_ATTEMPTS
    assert post_login(app, name, PASSWORD, "198.51.100.250").status_code == 429
    assert counting.calls == auth.LOGIN_ATTEMPTS


def test_a_success_forgets_earlier_wrong_passwords(app, engine, office) -> None:  # type: ignore[no-untyped-def]
    name = new_user(engine, office)
    for n in range(9):
        assert post_login(app, name, "wrong", f"203.0.113.{n}").status_code == 401
    assert post_login(app, name, PASSWORD, "203.0.113.100").status_code == 303
    for n in range(9):
        assert post_login(app, name, "wrong", f"203.0.113.{n}").status_code == 401
    assert post_login(app, name, PASSWORD, "203.0.113.100").status_code == 303


def test_admin_unlock_command_lifts_the_lockout(app, engine, office, db_url, capsys) -> None:  # type: ignore[no-untyped-def]
    from central.cli import main

    name = new_user(engine, office)
    lockout = app.state.login_lockout
    lockout.scope = ""  # what the command (and production) uses
    for n in range(10):
        post_login(app, name, "wrong", f"192.0.2.{n}")
    assert post_login(app, name, PASSWORD, "192.0.2.100").status_code == 429
    assert main(["unlock-staff", "--db", db_url, name.upper()]) == 0
    assert f"unlocked {name}" in capsys.readouterr().out
    assert post_login(app, name, PASSWORD, "192.0.2.100").status_code == 303
    assert main(["unlock-staff", "--db", db_url, name]) == 0
    assert "had no failed logins" in capsys.readouterr().out
    assert main(["unlock-staff", "--db", db_url, "no-such-" + name]) == 1


def test_admin_sees_the_lockout_on_the_accounts_page_and_lifts_it(  # type: ignore[no-untyped-def]
    app, engine, office, staff_login
) -> None:
    name = new_user(engine, office)
    for n in range(10):
        post_login(app, name, "wrong", f"192.0.2.{n}")
    _, cookies = staff_login(office, "admin")
    admin = TestClient(app, follow_redirects=False, cookies=cookies)
    listing = admin.get("/staff/accounts")
    assert listing.status_code == 200
    row = re.search(rf'<tr data-username="{name}">.*?</tr>', listing.text, re.S)[0]
    assert "Locked until 09:45 UTC" in row and "Unlock" in row
    token = re.search(r'name="csrf" value="([^"]+)"', listing.text)[1]
    r = admin.post("/staff/accounts/unlock", data={"csrf": token, "username": name})
    assert r.status_code == 303
    row = re.search(
        rf'<tr data-username="{name}">.*?</tr>', admin.get("/staff/accounts").text, re.S
    )[0]
    assert "Locked" not in row and "Unlock" not in row
    assert post_login(app, name, PASSWORD, "192.0.2.100").status_code == 303
    _, staff_cookies = staff_login(office, "staff")
    member = TestClient(app, follow_redirects=False, cookies=staff_cookies)
    assert member.get("/staff/accounts").status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', member.get("/staff").text)[1]
    assert (
        member.post("/staff/accounts/unlock", data={"csrf": token, "username": name}).status_code
        == 403
    )


def test_per_address_limit_is_shared_by_every_username(app, engine, office) -> None:  # type: ignore[no-untyped-def]
    app.state.attempt_limiter.limit = 3
    names = [new_user(engine, office) for _ in range(4)]
    statuses = [post_login(app, n, "wrong", "192.0.2.77").status_code for n in names]
    assert statuses == [401, 401, 401, 429]
    r = post_login(app, names[0], PASSWORD, "192.0.2.77")
    assert r.status_code == 429 and "from your network" in r.text
    assert post_login(app, names[0], PASSWORD, "192.0.2.78").status_code == 303


# Two OS processes, each its own app, engine and pool: two server workers on one PostgreSQL.

PROCESS_THREADS = 15


def _login_worker(url: str, scope: str, name: str, start, results) -> None:  # type: ignore[no-untyped-def]
    from central.app import create_app
    from central.settings import Settings
    from central.web.testkit import demo_catalogue

    app = create_app(Settings(db_url=url, secret_key="t"), catalogue=demo_catalogue())
    app.state.attempt_limiter.scope = scope
    app.state.login_lockout.scope = scope
    counting = CountingVerify(auth.verify_password)
    auth.verify_password = counting  # type: ignore[assignment]  # this process only
    clients = [
        TestClient(
            app, follow_redirects=False, client=(f"10.{i}.{mp.current_process().pid % 250}.1", 1)
        )
        for i in range(PROCESS_THREADS)
    ]
    tokens = [csrf_of(c) for c in clients]
    start.wait(timeout=60)

    def one(i: int) -> int:
        data = {"csrf": tokens[i], "username": name, "password": f"wrong {i}"}
        return clients[i].post("/staff/login", data=data).status_code

    with ThreadPoolExecutor(PROCESS_THREADS) as pool:
        statuses = list(pool.map(one, range(PROCESS_THREADS)))
    app.state.engine.dispose()
    results.put((counting.calls, statuses))


def test_two_server_processes_check_exactly_ten_passwords(app, db_url, engine, office) -> None:  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("one SQLite file: the thread test covers it; processes on PostgreSQL")
    name = new_user(engine, office)
    scope = app.state.login_lockout.scope
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_login_worker, args=(db_url, scope, name, start, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    checked = sum(n for n, _ in got)
    statuses = [s for _, st in got for s in st]
    assert checked == auth.LOGIN_ATTEMPTS, got
    assert statuses.count(401) == auth.LOGIN_ATTEMPTS
    assert statuses.count(429) == 2 * PROCESS_THREADS - auth.LOGIN_ATTEMPTS
    assert post_login(app, name, PASSWORD, "192.0.2.9").status_code == 429
    with make_sessionmaker(engine)() as s:
        key = app.state.login_lockout.key_hash(auth.account_key(name))
        row = s.get(AttemptCounter, key)
        assert row is not None and row.failures == auth.LOGIN_ATTEMPTS
        assert s.scalar(select(func.count()).select_from(AttemptCounter)) >= 1

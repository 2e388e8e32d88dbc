"""Central as three stateless nodes behind the shipped HAProxy on one PostgreSQL, tested over HTTP.

Nodes start together on an empty database (one migrates, the others wait on the advisory lock);
a revocation reaches every node at once (NOTIFY, not the token cache's TTL); a slip's five tries
hold across nodes; a node killed with SIGKILL in the middle of three kiosks' traffic loses and
duplicates nothing (every outbox delivers exactly once through the others); a rolling restart of
every node loses no kiosk request. PostgreSQL or HAProxy missing → SKIP with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from central.migrate import head_revisions
from central.web.testkit import fresh_postgres
from tests.e2e.multinode import HAPROXY, Balancer, Node, add_device, http, kiosk_central
from tests.kiosk.outbox.outbox_support import kiosk_parts, submission

pytestmark = pytest.mark.postgres
OFFICE = "DEMO"


class Cluster:
    def __init__(self, db_url: str, folder: Path, count: int = 3) -> None:
        self.db_url = db_url
        self.nodes = [Node(f"node{i + 1}", db_url, folder, "http://lb") for i in range(count)]
        self.lb = Balancer(folder, self.nodes)

    def sql(self, query: str) -> list[tuple]:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(query))]
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not (shutil.which("haproxy") or os.path.exists(HAPROXY)):
        pytest.skip("haproxy is not installed (tools/system-deps.sh installs it as root)")
    with fresh_postgres() as url:
        if url is None:
            pytest.skip("PostgreSQL at 127.0.0.1:5432 is unreachable")
        made = Cluster(url, tmp_path_factory.mktemp("cluster"))
        try:
            for node in made.nodes:  # together, on an unmigrated database
                node.start()
            for node in made.nodes:
                node.wait_ready()
            made.lb.start()
            yield made
        finally:
            made.lb.stop()
            for node in made.nodes:
                node.stop()


def test_nodes_started_together_migrate_once(cluster: Cluster) -> None:
    versions = cluster.sql("SELECT version_num FROM alembic_version")
    assert {v for (v,) in versions} == set(head_revisions()) and len(versions) == 1
    logs = " ".join(n.log.read_text() for n in cluster.nodes)
    assert "Traceback" not in logs


def test_a_revocation_reaches_every_node_at_once(cluster: Cluster) -> None:
    device_id, token = add_device(cluster.db_url, OFFICE, "to revoke")
    for node in cluster.nodes:  # each node verifies the token and caches it
        for _ in range(2):
            assert http("GET", node.url + "/api/v1/devices/me", token=token)[0] == 200
    kiosk_central("revoke-device", "--db", cluster.db_url, device_id)
    time.sleep(0.2)  # NOTIFY is delivered in milliseconds; the cache's TTL is 3 s
    statuses = [http("GET", n.url + "/api/v1/devices/me", token=token)[0] for n in cluster.nodes]
    assert statuses == [401] * len(cluster.nodes)


def test_a_slip_s_five_tries_hold_across_nodes(cluster: Cluster) -> None:
    _, token = add_device(cluster.db_url, OFFICE, "slips")
    case_id = str(uuid.uuid4())
    status, _ = http(
        "POST", cluster.lb.url + "/api/v1/cases",
        {"id": case_id, "service_id": "change-of-address", "answers": {}}, token,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert status in (200, 201)
    status, made = http(
        "POST", cluster.lb.url + f"/api/v1/cases/{case_id}/resume-codes",
        {"factor_kind": "pin", "factor_value": "2468"}, token,
    )  # fmt: skip
    assert status == 201, made
    urls = [n.url for n in cluster.nodes] + [cluster.lb.url]

    def guess(i: int) -> int:
        body = {"code": made["code"], "factor": "2468" if i == 8 else f"{1000 + i}"}
        return http("POST", urls[i % len(urls)] + "/api/v1/resume", body, token)[0]

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, range(16)))
    (failed,) = cluster.sql(
        f"SELECT failed_attempts FROM resume_codes WHERE case_id = '{case_id}'"
    )[0]
    opened = answers.count(200)
    # Never more than five wrong factors compared, whatever the interleaving. The right PIN holds
    # one of the five tries while it is compared and gives it back when it matched, so the slip
    # ends with five wrong ones — or four, when the others found it full in that moment.
    assert failed == 5 or (failed == 4 and opened == 1), answers
    assert opened <= 1 and answers.count(400) <= 4, answers
    assert set(answers) <= {200, 400, 410, 429}, answers  # opened, wrong, locked, address limit
    if failed == 5:
        again = {"code": made["code"], "factor": "2468"}
        assert http("POST", cluster.lb.url + "/api/v1/resume", again, token)[0] == 410


def test_a_node_killed_mid_traffic_loses_and_duplicates_nothing(
    cluster: Cluster, tmp_path: Path
) -> None:
    kiosks = []
    for i in range(3):
        _, token = add_device(cluster.db_url, OFFICE, f"kiosk {i}")
        folder = tmp_path / f"k{i}"
        folder.mkdir()
        kiosks.append(kiosk_parts(folder, cluster.lb.url, token, office=OFFICE))
    for _, relay, _ in kiosks:
        relay.start()
    made: list[str] = []
    victim = cluster.nodes[0]
    for round_ in range(20):
        if round_ == 7:
            victim.stop(signal.SIGKILL)
        for _, _, desk in kiosks:
            made.append(desk.submit(submission()).reference)
        time.sleep(0.05)
    deadline = time.monotonic() + 90
    while any(o.depth() for o, _, _ in kiosks) and time.monotonic() < deadline:
        time.sleep(0.1)
    for outbox, relay, _ in kiosks:
        relay.stop()
        assert outbox.depth() == 0 and outbox.dead_letters() == []
    victim.start()
    victim.wait_ready()
    refs = [r for (r,) in cluster.sql("SELECT reference FROM cases")]
    assert sorted(set(made)) == sorted(r for r in refs if r in set(made))
    assert len([r for r in refs if r in set(made)]) == len(made) == 60
    per_case = cluster.sql(
        "SELECT c.reference, COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id "
        "GROUP BY c.reference"
    )
    assert {n for ref, n in per_case if ref in set(made)} == {2}  # created + submitted, once each


def test_a_rolling_restart_loses_no_kiosk_request(cluster: Cluster) -> None:
    _, token = add_device(cluster.db_url, OFFICE, "rolling")
    time.sleep(2.5)  # the restarted node of the previous test is back in the balancer (rise 2)
    failures: list[tuple[int, str]] = []
    sent = 0
    stop = threading.Event()

    def kiosk_traffic() -> None:
        nonlocal sent
        beat = {"software_version": "test", "outbox_depth": 0, "device_states": {}}
        while not stop.is_set():
            try:
                status, body = http(
                    "POST", cluster.lb.url + "/api/v1/devices/heartbeat", beat, token
                )
            except OSError as exc:  # a request lost on the way
                status, body = 0, {"error": type(exc).__name__}
            sent += 1
            if status != 200:
                failures.append((status, str(body)[:200]))

    workers = [threading.Thread(target=kiosk_traffic) for _ in range(4)]
    for w in workers:
        w.start()
    try:
        for node in cluster.nodes:
            time.sleep(0.5)
            node.stop(signal.SIGTERM)
            node.start()
            node.wait_ready()
            time.sleep(2.5)  # two good health checks before the next node goes
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert sent > 100
    assert failures == []

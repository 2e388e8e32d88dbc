"""Property-based API test: schemathesis generates requests from /openapi.json against the app on
uvicorn (a thread, a free loopback port), on both databases. No request may get a 5xx; every status
and content type must be the ones documented; documented bodies must match their schemas."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from central.app import create_app
from central.catalogue_service import CatalogueService
from central.db.base import make_engine
from central.settings import Settings

MAX_EXAMPLES = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_url(db_url: str, engines: dict[str, object], tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under uvicorn in a thread (module scope: one server per database)."""
    from central_support import VALIDATOR, make_test_catalogue

    if db_url not in engines:
        engines[db_url] = make_engine(db_url)
    app = create_app(
        Settings(db_url=db_url, catalogue_dir=tmp_path_factory.mktemp("cat"), secret_key="t"),
        engine=engines[db_url],  # type: ignore[arg-type]
        catalogue=CatalogueService(make_test_catalogue(), validator=VALIDATOR),
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_api_never_answers_5xx_and_matches_its_schema(
    live_url: str, module_auth: dict[str, str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Runs the schemathesis CLI (its pytest plugin does not work with this pytest version)."""
    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{live_url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--header",
            f"Authorization:{module_auth['Authorization']}",
            "--seed",
            "1",
            "--max-time",
            "30",
            "--workers",
            "2",
            # The coverage phase crashes inside hypothesis on free-form JSON objects (a tool bug:
            # "AST constructor recursion depth mismatch"); stateful is too slow for the suite.
            "--phases",
            "examples,fuzzing",
            # The commands long poll waits up to 25 s by design (the client times out at 10 s);
            # it is tested in test_fleet_commands.py.
            "--exclude-path",
            "/api/v1/devices/commands",
            "--suppress-health-check",
            "all",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,  # schemathesis writes a .schemathesis/ cache into its working directory
    )
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]

"""What the browser tests share: Chromium (via Playwright) as a module fixture, central served by
uvicorn on a free loopback port, signing in to the staff console, and full-page screenshots with an
axe-core audit (WCAG 2.2 A/AA) written to test-artifacts/web/. No Chromium → SKIP with the reason.

A test module takes the fixture by importing it: ``from tests.e2e.browser_support import browser``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
"""axe-core's WCAG 2.2 A and AA rules (as GOV.UK services are audited)."""


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: the browser tests did NOT run")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app: Any, port: int) -> Iterator[None]:
    """``app`` served by uvicorn on 127.0.0.1:``port`` in a thread, until the block ends."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def live_central(make_kit: Callable[[str], Any]) -> Iterator[tuple[str, Any]]:
    """``(base URL, kit)``: the kit ``make_kit(base URL)`` builds, served by uvicorn on a free
    loopback port until the block ends. No Chromium: the test is skipped first."""
    need_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    kit = make_kit(base)
    with served(kit.app, port):
        yield base, kit


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def sign_in(page, base: str, username: str, lands: str = "/staff") -> None:  # type: ignore[no-untyped-def]
    """Sign ``username`` in on the staff login page (already open, or opened here) and wait for the
    page the console lands on (``lands``: the queue, or the one page the role may see)."""
    if not page.url.endswith("/staff/login"):
        page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{lands}")


def shot(page, name: str, problems: list[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot; with ``problems``, also an axe-core audit of the page whose
    violations (rule, impact, where) are added to it and written beside the screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if problems is None:
        return
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(found, indent=1))
    for v in found:
        where = ", ".join(t for n in v["nodes"][:3] for t in n["target"])
        problems.append(f"{name}: {v['id']} ({v['impact']}) at {where}: {v['help']}")


def assert_accessible(problems: list[str]) -> None:
    assert not problems, "WCAG 2.2 AA violations (axe-core):\n" + "\n".join(problems)

"""A central of its own for ``kiosk run --simulate``, so a fresh checkout runs with no other step.

Why: a newcomer's first command is ``kiosk run --simulate``. The kiosk needs a central to talk to and a
device token that central issued (the outbox's key is derived from it); making both by hand was the
first hour's dead end. With ``--simulate`` and a ``central_url`` on this machine where nothing
listens, :func:`simulated_central` starts ``kiosk-central serve`` on a SQLite file in the kiosk's data
directory, registers this kiosk there once (``kiosk-central add-device``) and stores the token in
``device_token_file`` with mode 0600. The next run finds the token and starts the same central again.

The kiosk never imports ``central`` (DESIGN.md: they talk HTTP only): it runs the ``kiosk-central``
console script as an operator would, from the same environment as ``kiosk``.

Failure model: every case this cannot mend is one :class:`LocalCentralError` whose message names the
one command that mends it — no token and a central that is not ours (another machine, or something
already listening here), ``kiosk-central`` not installed, a central that never became ready (the
message names its log file). The central is stopped when the kiosk stops (terminate, then kill).
Without ``--simulate`` nothing here runs: a real kiosk's central is configured, never started.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

__all__ = ["LocalCentral", "LocalCentralError", "simulated_central"]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
READY_TIMEOUT_S = 60.0
DB_NAME = "simulated-central.db"
LOG_NAME = "simulated-central.log"


class LocalCentralError(RuntimeError):
    """What stops ``kiosk run --simulate`` from having a central, with the command that mends it."""


@dataclass(frozen=True)
class LocalCentral:
    """The central this run uses: its URL, and the database and log when it was started here."""

    url: str
    database: Path | None = None
    log: Path | None = None
    registered: bool = False
    """True when this run registered the kiosk (and wrote its token file)."""


def _has_token(config: KioskConfig) -> bool:
    from kiosk.config import ConfigError

    try:
        config.device_token()
    except ConfigError:
        return False
    return True


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def central_command() -> str | None:
    """``kiosk-central`` beside this interpreter (the same venv), else on ``$PATH``."""
    beside = Path(sys.executable).parent / "kiosk-central"
    if beside.exists():
        return str(beside)
    return shutil.which("kiosk-central")


def _register_command(config: KioskConfig) -> str:
    return (
        f"kiosk-central add-device --office {config.office.id} --name {config.kiosk_id}"
        f" (on the central at {config.central_url}), then put the token it prints in"
        f" {config.device_token_file} (mode 0600) or in $KIOSK_DEVICE_TOKEN"
    )


def write_token(path: Path, token: str) -> None:
    """The token file, readable by its owner only from the moment it exists (never 0644 first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    os.chmod(path, 0o600)  # an older file keeps its mode through O_CREAT


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/readyz", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the kiosk dies, even by SIGKILL (Linux prctl), so
    no orphan central keeps the port."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def simulated_central(
    config: KioskConfig,
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
    ready_timeout: float = READY_TIMEOUT_S,
) -> Iterator[LocalCentral]:
    """The central for a ``--simulate`` run: the configured one when it answers and a token is
    there, else one started here for the length of the ``with`` block (see the module doc)."""
    parts = urlsplit(config.central_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    has_token = _has_token(config)
    local = host in LOOPBACK and parts.scheme == "http"
    if not local or _listening(host, port):
        if not has_token:
            raise LocalCentralError(
                f"this kiosk has no device token and the central at {config.central_url} was not"
                f" started by `kiosk run --simulate`; register it: {_register_command(config)}"
            )
        yield LocalCentral(config.central_url)
        return
    command = central_command()
    if command is None:
        raise LocalCentralError(
            "nothing answers at central_url and kiosk-central is not installed; install the"
            " central (`pip install -e '.[central]'`) or start a central and register this kiosk: "
            + _register_command(config)
        )
    config.data_dir.mkdir(parents=True, exist_ok=True)
    database = config.data_dir / DB_NAME
    log_path = config.data_dir / LOG_NAME
    db_url = f"sqlite:///{database}"
    registered = False
    if not has_token:
        migrate = subprocess.run(
            [command, "migrate", "--db", db_url], capture_output=True, text=True, check=False
        )
        added = subprocess.run(
            [command, "add-device", "--db", db_url, "--json"]
            + ["--office", config.office.id, "--name", config.kiosk_id],
            capture_output=True,
            text=True,
            check=False,
        )
        if migrate.returncode or added.returncode:
            why = (migrate.stderr or added.stderr).strip().splitlines()
            raise LocalCentralError(
                "could not register this kiosk with a local central: "
                + (why[-1] if why else f"exit {migrate.returncode or added.returncode}")
            )
        write_token(config.device_token_file, json.loads(added.stdout)["token"])
        registered = True
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            [command, "serve", "--db", db_url, "--host", host, "--port", str(port)]
            + ["--catalogue", str(config.catalogue_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    try:
        if not _wait_ready(config.central_url, process, ready_timeout):
            raise LocalCentralError(
                f"the local central did not become ready at {config.central_url}; see {log_path}"
            )
        say(
            f"kiosk run --simulate: a local central at {config.central_url}"
            f" (database {database}, log {log_path})"
            + ("; this kiosk is registered there" if registered else "")
        )
        yield LocalCentral(config.central_url, database, log_path, registered)
    finally:
        _stop(process)

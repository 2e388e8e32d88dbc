"""Enrolment: trade a single-use code from central for this kiosk's device token (issue 14 item 1).

``kiosk enrol CODE [--config F]`` — or the first start of ``kiosk run`` with no token and a code in
``$KIOSK_ENROLMENT_CODE`` or the file ``<data_dir>/enrolment-code`` (which is deleted once used) —
posts the code to ``POST /api/v1/enrol`` and stores the token it gets in ``device_token_file``:

* written atomically: a temporary file created with mode 0600 beside the target (so the token is
  never readable by others, not even for a moment), flushed to disk, then renamed over the old one
  — a crash leaves the old token or the new one, never half of one;
* enrolling again replaces the old token: the kiosk sends it along and central revokes the device
  it belonged to (and, when the code names a kiosk, every other device of that name in that
  office);
* the token is never printed or logged; only the device id, office and name are.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.link.transport import RequestsTransport, Transport, TransportError

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

__all__ = [
    "CODE_ENV",
    "EnrolError",
    "Enrolled",
    "enrol",
    "enrol_command",
    "first_start",
    "write_token",
]

CODE_ENV = "KIOSK_ENROLMENT_CODE"
CODE_FILE = "enrolment-code"


class EnrolError(Exception):
    """Enrolment did not happen; the message says why in one sentence (never the code or token)."""


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    office: str
    name: str


def write_token(path: Path, token: str) -> None:
    """Replace ``path`` with ``token`` atomically, readable by its owner only from the start."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)  # mkstemp makes 0600 already; say so whatever the platform
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(token + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a power cut only once the directory is synced
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _previous_token(path: Path) -> str | None:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token if token and len(token) <= 200 else None


def enrol(
    central_url: str,
    code: str,
    token_file: Path,
    *,
    name: str | None = None,
    transport: Transport | None = None,
    timeout_s: float = 15.0,
) -> Enrolled:
    """Trade ``code`` for a token and store it in ``token_file``; :class:`EnrolError` otherwise."""
    body: dict[str, str] = {"code": code.strip()}
    if name:
        body["name"] = name
    previous = _previous_token(token_file)
    if previous:
        body["previous_token"] = previous  # central revokes the device it belonged to
    send = transport or RequestsTransport()
    url = central_url.rstrip("/") + "/api/v1/enrol"
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "User-Agent": "omnikiosk-kiosk"}  # fmt: skip
    try:
        r = send("POST", url, headers, json.dumps(body).encode(), timeout_s)
    except TransportError as exc:
        raise EnrolError(f"central at {central_url} cannot be reached ({exc.kind})") from None
    if r.status == 403:
        raise EnrolError(
            "central refused the code: it is wrong, used or expired (ask for a new one)"
        )
    if r.status == 429:
        retry = r.headers.get("retry-after", "a few minutes")
        raise EnrolError(f"too many enrolment attempts from here; try again in {retry} s")
    if r.status != 201:
        raise EnrolError(f"central answered {r.status} to the enrolment")
    try:
        answer = json.loads(r.body)
        token, device_id = str(answer["token"]), str(answer["device_id"])
    except (ValueError, KeyError, TypeError):
        raise EnrolError("central's answer to the enrolment could not be read") from None
    try:
        write_token(token_file, token)
    except OSError as exc:
        # The code is used up now: say so, so the admin makes another.
        raise EnrolError(
            f"enrolled as {device_id}, but the token could not be stored in {token_file}"
            f" ({exc.strerror or type(exc).__name__}); make a new code and enrol again"
        ) from None
    return Enrolled(device_id, str(answer.get("office", "")), str(answer.get("name", "")))


def enrol_command(config_path: str, code: str, name: str | None = None) -> int:
    """``kiosk enrol CODE``: exit 0 enrolled, 1 refused or unreachable, 2 bad configuration."""
    from kiosk.config import ConfigError, load_kiosk_config

    try:
        config = load_kiosk_config(Path(config_path))
    except ConfigError as exc:
        print(f"kiosk enrol: the configuration has problems:\n{exc}", file=sys.stderr)
        return 2
    try:
        done = enrol(
            config.central_url, code, config.device_token_file, name=name or config.kiosk_id
        )
    except EnrolError as exc:
        print(f"kiosk enrol: {exc}", file=sys.stderr)
        return 1
    print(f"enrolled: device {done.device_id}, office {done.office}, name {done.name!r}")
    print(f"token stored in {config.device_token_file} (mode 0600)")
    if done.office and done.office != config.office.id:
        print(
            f"warning: central enrolled this kiosk in office {done.office}, but"
            f" {config.source.name} says {config.office.id}; set office.id to {done.office}",
            file=sys.stderr,
        )
    return 0


def _has_token(config: KioskConfig) -> bool:
    from kiosk.config import ConfigError

    try:
        config.device_token()
    except ConfigError:
        return False
    return True


def first_start(config: KioskConfig, env: dict[str, str] | None = None) -> Enrolled | None:
    """Enrol before the first start when there is no token and a code was left for this kiosk
    (``$KIOSK_ENROLMENT_CODE`` or ``<data_dir>/enrolment-code``). None when nothing was to do;
    :class:`EnrolError` when a code was there and did not work."""
    if _has_token(config):
        return None
    environ = os.environ if env is None else env
    code_file = config.data_dir / CODE_FILE
    code = environ.get(CODE_ENV, "").strip()
    from_file = False
    if not code and code_file.is_file():
        code, from_file = code_file.read_text(encoding="utf-8").strip(), True
    if not code:
        return None
    done = enrol(config.central_url, code, config.device_token_file, name=config.kiosk_id)
    if from_file:
        code_file.unlink(missing_ok=True)  # used up: never try it again
    return done

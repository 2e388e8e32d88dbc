"""PINs for staff and technician badges, checked on the kiosk itself (it must work offline).

A badge swipe alone proves only that someone holds the card; the PIN makes it two factors before
an assisted session or the diagnostics mode opens. The card reader already tells a badge from a
citizen's card by its configured prefix (``peripherals.magstripe.badges``) and publishes a
``StaffBadge(role, staff_id)``; :func:`badge_key` turns that into the key used here
(``"technician:000042"``), so a staff and a technician badge with the same digits stay apart.

The PIN file (default ``<data_dir>/badge-pins.toml``, mode 0600) holds salted scrypt hashes only::

    [pins."technician:000042"]
    salt = "…base64…"
    hash = "…base64…"
    n = 16384
    r = 8
    p = 1
    set_at = "2026-11-30T16:00:00Z"

Five wrong PINs lock that badge for five minutes. The count and the lockout are kept beside the
PIN file (``badge-pins.toml.attempts.json``, mode 0600, badges only as SHA-256 digests), written at
every failure: pulling the plug or crashing the app does not give anyone five fresh tries. The
clock is the wall clock (a lockout must survive a restart); one read back is never longer than
five minutes, whatever the clock did meanwhile. Unknown badges cost the same scrypt work as known
ones and count towards the lockout too, so timing and lockout say nothing about which badges exist.
Neither a PIN nor a badge number ever reaches a log line.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import logging
import os
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import tomli_w

from peripherals.magstripe.badges import BadgeRules

__all__ = [
    "LOCKOUT_AFTER",
    "LOCKOUT_S",
    "PIN_FILE_NAME",
    "PinBook",
    "PinCheck",
    "PinFileError",
    "badge_key",
    "badge_pin_command",
    "check_pin_format",
]

log = logging.getLogger(__name__)

PIN_FILE_NAME = "badge-pins.toml"
LOCKOUT_AFTER = 5
LOCKOUT_S = 300.0
MIN_DIGITS, MAX_DIGITS = 4, 8
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""16 MiB and ~50 ms per check: cheap for one person, costly for a stolen file's brute force."""
_DKLEN = 32
_ROLES = ("staff", "technician")


class PinFileError(ValueError):
    """The PIN file cannot be read; the message names the file (never a badge or a PIN)."""


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one attempt; ``locked_for_s`` > 0 means no attempt is allowed for now."""

    ok: bool
    locked_for_s: float = 0.0
    attempts_left: int = LOCKOUT_AFTER


def badge_key(role: str, staff_id: str) -> str:
    """The PIN book's key for a ``StaffBadge`` event's role and id."""
    if role not in _ROLES:
        raise ValueError(f"role must be one of {_ROLES}, got {role!r}")
    if not staff_id or not staff_id.isalnum() or not staff_id.isascii():
        raise ValueError("badge id must be letters or digits")
    return f"{role}:{staff_id.upper()}"


def check_pin_format(pin: str) -> None:
    """ValueError unless ``pin`` is 4–8 ASCII digits and not trivially guessable."""
    if not (pin.isascii() and pin.isdigit() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise ValueError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    if len(set(pin)) == 1:
        raise ValueError("a PIN must not be one digit repeated")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {9}):
        raise ValueError("a PIN must not be a run of consecutive digits")


def _hash(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii", "replace"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=64 * 2**20
    )


_DUMMY_SALT = os.urandom(16)


def _digest(badge: str) -> str:
    return hashlib.sha256(badge.encode()).hexdigest()


class PinBook:
    """The PIN hashes of one kiosk plus the failed attempts and lockouts (kept on disk beside the
    PIN file, see the module docstring); thread-safe."""

    def __init__(
        self,
        path: Path,
        records: dict[str, dict[str, Any]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.attempts_path = self.path.with_name(self.path.name + ".attempts.json")
        self._records = dict(records or {})
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        """Wrong PINs per badge digest since its last success or lockout."""
        self._locked_until: dict[str, float] = {}
        """Lockouts per badge digest, on ``clock``."""
        self._read_attempts()

    @classmethod
    def load(cls, path: Path | str, clock: Callable[[], float] = time.time) -> PinBook:
        """Read ``path``; a missing file is an empty book (no badge can log in yet)."""
        path = Path(path)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path, {}, clock)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PinFileError(f"cannot read the badge PIN file {path}: {exc}") from None
        pins = doc.get("pins", {})
        if not isinstance(pins, dict):
            raise PinFileError(f"{path}: [pins] must be a table")
        for key, rec in pins.items():
            if not (isinstance(rec, dict) and _valid_record(rec)):
                # the key is a badge number: say which entry by position, not by number
                where = list(pins).index(key) + 1
                raise PinFileError(f"{path}: entry {where} of [pins] is not a valid PIN hash")
        return cls(path, pins, clock)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __contains__(self, badge: str) -> bool:
        with self._lock:
            return badge in self._records

    def set_pin(self, badge: str, pin: str) -> None:
        """Store a new PIN for ``badge`` (a :func:`badge_key`) and save the file atomically."""
        check_pin_format(pin)
        salt = os.urandom(16)
        record = {
            "salt": base64.b64encode(salt).decode(),
            "hash": base64.b64encode(_hash(pin, salt, **SCRYPT)).decode(),
            **SCRYPT,
            "set_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        with self._lock:
            self._records[badge] = record
            self._failures.pop(_digest(badge), None)
            self._locked_until.pop(_digest(badge), None)
            self._save_locked()
            self._save_attempts()
        log.info("badge PIN set (%d badge(s) have a PIN)", len(self._records))

    def remove(self, badge: str) -> bool:
        """Forget ``badge``'s PIN (a lost badge); True when there was one."""
        with self._lock:
            found = self._records.pop(badge, None) is not None
            if found:
                self._save_locked()
        return found

    def _save_locked(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        header = "# Badge PINs of this kiosk: salted scrypt hashes (kiosk badge-pin). Never PINs.\n"
        data = header + tomli_w.dumps({"pins": self._records})
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def locked_for(self, badge: str) -> float:
        """Seconds until ``badge`` may try again (0.0 when it may now)."""
        with self._lock:
            return self._left(_digest(badge), self._clock())

    def _left(self, key: str, now: float) -> float:
        """Lockout seconds left; never more than :data:`LOCKOUT_S` (the wall clock may go back)."""
        return min(LOCKOUT_S, max(0.0, self._locked_until.get(key, 0.0) - now))

    def attempt(self, badge: str, pin: str) -> PinCheck:
        """Check one PIN entry, counting failures and applying the lockout."""
        key = _digest(badge)
        with self._lock:
            now = self._clock()
            left = self._left(key, now)
            if left > 0:
                return PinCheck(False, left, 0)
            if key in self._locked_until:  # the lockout has run out: a fresh start
                self._locked_until.pop(key, None)
                self._failures.pop(key, None)
            record = self._records.get(badge)
        ok = _matches(record, pin)  # the slow part, outside the lock
        with self._lock:
            if ok:
                if self._failures.pop(key, None) is not None:
                    self._save_attempts()
                return PinCheck(True, 0.0, LOCKOUT_AFTER)
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
            if failures >= LOCKOUT_AFTER:
                self._locked_until[key] = self._clock() + LOCKOUT_S
                self._failures.pop(key, None)
                self._save_attempts()
                log.warning("badge locked for %d s after %d wrong PINs", LOCKOUT_S, failures)
                return PinCheck(False, LOCKOUT_S, 0)
            self._save_attempts()
            return PinCheck(False, 0.0, LOCKOUT_AFTER - failures)

    def _save_attempts(self) -> None:
        """Write the counts and lockouts (caller holds the lock). A failed write is logged, not
        raised: the technician at the PIN pad must still get an answer."""
        state = {
            key: {"failures": self._failures.get(key, 0), "locked_until": until}
            for key in self._failures.keys() | self._locked_until.keys()
            for until in [self._locked_until.get(key, 0.0)]
        }
        try:
            self.attempts_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.attempts_path.with_name(self.attempts_path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"badges": state}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.attempts_path)
        except OSError as exc:
            log.error("cannot save the badge PIN attempts (%s): kept in memory only", exc)

    def _read_attempts(self) -> None:
        failures: dict[str, int] = {}
        locked: dict[str, float] = {}
        try:
            doc = json.loads(self.attempts_path.read_text(encoding="utf-8"))
            for key, entry in doc["badges"].items():
                count, until = int(entry["failures"]), float(entry["locked_until"])
                if count > 0:
                    failures[str(key)] = min(count, LOCKOUT_AFTER - 1)
                if until > 0:
                    locked[str(key)] = until
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # Not silently: a broken file forgets counts, which an attacker could want.
            log.warning("badge PIN attempts file %s unreadable (%s): starting from none",
                        self.attempts_path, type(exc).__name__)  # fmt: skip
            return
        self._failures, self._locked_until = failures, locked

    def verify(self, badge: str, pin: str) -> bool:
        """True only for the right PIN of an unlocked badge; compared in constant time."""
        return self.attempt(badge, pin).ok


def _valid_record(rec: dict[str, Any]) -> bool:
    try:
        salt = base64.b64decode(rec["salt"], validate=True)
        digest = base64.b64decode(rec["hash"], validate=True)
        n, r, p = int(rec["n"]), int(rec["r"]), int(rec["p"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        len(salt) >= 8
        and len(digest) == _DKLEN
        and n >= 2**10
        and n & (n - 1) == 0
        and r > 0
        and p > 0
    )


def _matches(record: dict[str, Any] | None, pin: str) -> bool:
    if record is None:  # same work as a real check: timing must not reveal unknown badges
        hmac.compare_digest(_hash(pin, _DUMMY_SALT, **SCRYPT), bytes(_DKLEN))
        return False
    salt = base64.b64decode(record["salt"])
    want = base64.b64decode(record["hash"])
    got = _hash(pin, salt, int(record["n"]), int(record["r"]), int(record["p"]))
    return hmac.compare_digest(got, want)


def badge_pin_command(
    config_path: str | Path,
    badge_id: str,
    pin_from_stdin: bool = False,
    *,
    remove: bool = False,
    stdin: TextIO | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> int:
    """``kiosk badge-pin BADGE [--stdin] [--remove]``: set (or remove) a badge's PIN.

    ``badge_id`` is the number printed on the badge, prefix included (``TEC000042``); it must match
    a ``[badges]`` prefix of the config. The PIN is asked twice without echo, or read from one line
    of stdin with ``pin_from_stdin`` (for provisioning scripts). Exit 0 done, 1 PIN refused or
    not confirmed, 2 config problem or not a badge. Nothing printed or logged names the badge.
    """
    from kiosk.config import load_kiosk_config
    from kiosk.config_checks import ConfigError

    try:
        config = load_kiosk_config(config_path)
    except ConfigError as exc:
        print(f"kiosk: configuration problem(s):\n{exc}", file=sys.stderr)
        return 2
    rules = BadgeRules.from_options(config.badges.staff_prefixes, config.badges.technician_prefixes)
    match = rules.match(badge_id.replace(" ", "").replace("-", "").upper())
    if match is None:
        print("kiosk badge-pin: that is not a staff or technician badge number "
              "(it must start with a prefix from [badges] in the config)", file=sys.stderr)  # fmt: skip
        return 2
    key = badge_key(match.role, match.staff_id)
    try:
        book = PinBook.load(config.data_dir / PIN_FILE_NAME)
    except PinFileError as exc:
        print(f"kiosk badge-pin: {exc}", file=sys.stderr)
        return 2
    if remove:
        found = book.remove(key)
        print(f"PIN removed for this {match.role} badge." if found else "That badge had no PIN.")
        return 0
    if pin_from_stdin:
        pin = (stdin or sys.stdin).readline().strip()
    else:
        pin = prompt("New PIN (4-8 digits): ")
        if prompt("Same PIN again: ") != pin:
            print("kiosk badge-pin: the two PINs differ; nothing changed", file=sys.stderr)
            return 1
    try:
        book.set_pin(key, pin)
    except ValueError as exc:
        print(f"kiosk badge-pin: {exc}; nothing changed", file=sys.stderr)
        return 1
    print(f"PIN set for this {match.role} badge in {book.path}.")
    return 0

"""Secrets and codes: generation, normalisation, hashing and constant-time comparison.

* The handoff secret is 32 random bytes (256 bits, url-safe base64) and travels only in the URL
  fragment. Its SHA-256 is stored: a high-entropy secret cannot be brute-forced from its hash, so a
  slow hash would only cost CPU on every poll.
* The display code is 8 letters of ``BCDFGHJKLMNPQRSTVWXZ`` (≈ 34.5 bits), ``XXXX-XXXX``. It is
  stored as a SHA-256 too; its low entropy is covered by its short life, the 5-try limit per handoff
  and the per-client rate limit — not by the hash.
* The kiosk code — the one code the kiosk shows and the citizen types at ``<base>/h`` — is the
  handoff's 5-letter handle followed by its display code: 13 letters, ``HHHHH-XXXX-XXXX``
  (:func:`kiosk_code`, :func:`split_kiosk_code`). See :func:`new_short_id` for why it is built so.
* Slip resume codes are 12 such letters (≈ 52 bits, ``XXXX-XXXX-XXXX``), stored as SHA-256.
* Second factors (date of birth, last 3 phone digits, PIN) have very little entropy, so they are
  hashed with argon2id (salted, slow) — a leaked table does not give them away cheaply.

Every comparison of a presented secret with a stored hash goes through :func:`same_hash`
(``hmac.compare_digest``); tests patch it to prove it is used.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
DISPLAY_CODE_LETTERS = 8
RESUME_CODE_LETTERS = 12
SECRET_BYTES = 32
HANDLE_LETTERS = 5
KIOSK_CODE_LETTERS = HANDLE_LETTERS + DISPLAY_CODE_LETTERS
SHORT_ID_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
SHORT_ID_LENGTH = 6
"""The 6-character short ids of handoffs made before the handle was part of the kiosk code; still
read (a handoff lives minutes, its row a day) but no longer drawn."""

_FACTOR_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
"""OWASP's minimum argon2id profile: enough for 3-6 digit factors behind a 5-try limit."""


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def _letters(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def display_code_for(secret: str) -> str:
    """``XXXX-XXXX`` derived from the secret (SHA-256, read base 20), so a phone holding the secret
    can show the very code the kiosk shows without the server storing the code in clear. To anyone
    without the secret the code is as random as a drawn one (≈ 34.5 bits)."""
    n = int.from_bytes(hashlib.sha256(b"display-code\x00" + secret.encode()).digest(), "big")
    letters = []
    for _ in range(DISPLAY_CODE_LETTERS):
        n, r = divmod(n, len(ALPHABET))
        letters.append(ALPHABET[r])
    return format_code("".join(letters))


def new_resume_code() -> str:
    """``XXXX-XXXX-XXXX`` from the 20-letter alphabet."""
    return format_code(_letters(RESUME_CODE_LETTERS))


def new_short_id() -> str:
    """The handoff's public handle: 5 random letters of :data:`ALPHABET`, the first group of the
    kiosk code (``HHHHH-XXXX-XXXX``). Non-secret: it only says which handoff a typed code is for.

    Why a handle inside the one code, rather than looking the 8-letter display code up on its own:
    a wrong code is then charged to the handoff it names (5 tries, then it locks — exact across
    processes, in the database) as well as to the client. A code looked up alone would be charged
    to nothing but the per-client limiter (in memory, per process), so guesses spread over many
    addresses would test every pending handoff at once: each guess would win with chance
    N × 2⁻³⁴·⁵ for N pending handoffs, and no handoff would ever lock. With the handle each guess
    still tests one handoff (chance ≤ 2⁻³⁴·⁵), at most 5 times — the same bound as when the page
    asked for a 6-character kiosk code and the display code separately (which the kiosk never
    showed). What the handle gives up is only the cost of finding a live handoff to spend those 5
    tries on (20⁵ = 3.2 million handles instead of 27⁶): the handle was never a secret.

    Unique across the table (a repeat is refused by the unique constraint and the writer draws
    again), and rows stay a day after they expire (:mod:`central.retention`): the table holds about
    a day of handoffs. Four letters (160 000) ran out at two handoffs a second sustained for a day
    and collided often long before; five give a redraw on under 3 % of creates at one handoff a
    second all day (86 400 rows), and run out only past ~35 a second all day.
    """
    return _letters(HANDLE_LETTERS)


def kiosk_code(short_id: str, display_code: str) -> str:
    """The code the kiosk shows and the citizen types: ``HHHHH-XXXX-XXXX``. A handoff of the old
    6-character short ids (no handle) shows its display code alone."""
    handle = normalise_code(short_id, HANDLE_LETTERS)
    letters = normalise_code(display_code, DISPLAY_CODE_LETTERS)
    if handle is None or letters is None:
        return display_code
    return handle + "-" + format_code(letters)


def split_kiosk_code(text: str) -> tuple[str, str] | None:
    """``(handle, display code)`` from a typed kiosk code (any case, spaces or dashes anywhere or
    none), or None when it cannot be one."""
    normal = normalise_code(text, KIOSK_CODE_LETTERS)
    if normal is None:
        return None
    return normal[:HANDLE_LETTERS], format_code(normal[HANDLE_LETTERS:])


def format_code(letters: str) -> str:
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def normalise_code(text: str, letters: int) -> str | None:
    """Upper-case letters with dashes/spaces dropped, or None when it cannot be such a code."""
    cleaned = re.sub(r"[\s\-–—]+", "", text or "").upper()
    if len(cleaned) != letters or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def normalise_short_id(text: str) -> str | None:
    """A handle (5 letters of :data:`ALPHABET`) or an old 6-character short id, else None."""
    cleaned = re.sub(r"[\s\-]+", "", text or "").upper()
    if len(cleaned) == HANDLE_LETTERS and all(c in ALPHABET for c in cleaned):
        return cleaned
    if len(cleaned) != SHORT_ID_LENGTH or any(c not in SHORT_ID_ALPHABET for c in cleaned):
        return None
    return cleaned


def hash_secret(secret: str, purpose: str) -> str:
    """SHA-256 (hex) of a secret, domain-separated by ``purpose`` so a hash of one kind of secret
    can never match another kind."""
    return hashlib.sha256(f"{purpose}\x00{secret}".encode()).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time equality of two hashes."""
    return hmac.compare_digest(a.encode(), b.encode())


def hash_factor(value: str) -> str:
    return _FACTOR_HASHER.hash(value)


def verify_factor(stored: str, value: str) -> bool:
    """argon2's own verify (constant time inside); never raises."""
    try:
        return _FACTOR_HASHER.verify(stored, value)
    except (VerificationError, InvalidHashError):
        return False

"""Secrets and codes: generation, normalisation, hashing and constant-time comparison.

* The handoff secret is 32 random bytes (256 bits, url-safe base64) and travels only in the URL
  fragment. Its SHA-256 is stored: a high-entropy secret cannot be brute-forced from its hash, so a
  slow hash would only cost CPU on every poll.
* The display code is 8 letters of ``BCDFGHJKLMNPQRSTVWXZ`` (≈ 34.5 bits), shown ``XXXX-XXXX``. It is
  stored as a SHA-256 too; its low entropy is covered by its short life, the 5-try limit per handoff
  and the per-client rate limit — not by the hash.
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
SHORT_ID_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
SHORT_ID_LENGTH = 6

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
    """The public, non-secret handle of a handoff typed in the fallback URL (``/h/K7Q2X9``)."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(SHORT_ID_LENGTH))


def format_code(letters: str) -> str:
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def normalise_code(text: str, letters: int) -> str | None:
    """Upper-case letters with dashes/spaces dropped, or None when it cannot be such a code."""
    cleaned = re.sub(r"[\s\-–—]+", "", text or "").upper()
    if len(cleaned) != letters or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def normalise_short_id(text: str) -> str | None:
    cleaned = re.sub(r"[\s\-]+", "", text or "").upper()
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

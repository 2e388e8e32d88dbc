"""Encryption at rest for the outbox: a citizen's answers never sit on the kiosk's disk in clear.

AES-256-GCM with a key derived by HKDF-SHA256 from the device secret (the token central issued,
which only this kiosk holds) and the kiosk id. Each row is sealed with a fresh 96-bit nonce and the
row's own operation id as associated data, so a ciphertext moved to another row fails to open.
A stolen disk without the token gives nothing; a re-registered kiosk (new token) cannot read rows
sealed under the old one — the relay reports them as undecryptable instead of sending garbage.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["RowCipher", "Undecryptable"]

NONCE_BYTES = 12
VERSION = b"\x01"


class Undecryptable(ValueError):
    """A sealed row that does not open (tampered, truncated, or sealed under another key)."""


class RowCipher:
    def __init__(self, device_secret: str, kiosk_id: str) -> None:
        if not device_secret:
            raise ValueError("the outbox needs the device secret to derive its key")
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=kiosk_id.encode(),
            info=b"omnikiosk outbox v1",
        ).derive(device_secret.encode())
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "RowCipher(<key hidden>)"

    def seal(self, row_id: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, row_id.encode())

    def open(self, row_id: str, sealed: bytes) -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != VERSION:
            raise Undecryptable("not a sealed outbox row")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, row_id.encode())
        except InvalidTag:
            raise Undecryptable("the row does not open with this kiosk's key") from None

"""Signed configuration bundles (issue 14 item 3): what may change remotely, and how it is signed.

Why signed: a kiosk applies what a bundle says (idle timeouts, enabled services, texts, the
catalogue) with no one watching; the device token proves the kiosk to central, not central to the
kiosk. A bundle is the canonical JSON of its payload (sorted keys, no spaces, UTF-8) plus a
detached Ed25519 signature over exactly those bytes, by the private key in the file named by
``Settings.bundle_key_file`` (``$KIOSK_CENTRAL_BUNDLE_KEY``). The key is read when a bundle is
signed and never logged; the kiosk holds the public key (pinned in its data directory).

The one home of what may change remotely is :data:`REMOTE_KEYS`: a bundle naming any other key is
refused before it is signed (:class:`BundleRefused`, a 4xx for the console and the CLI).

Validity and clock skew: a payload carries ``issued_at`` and ``expires_at`` in central's clock. The
kiosk accepts a bundle while central's time — as stated in the same authenticated answer that
carried the bundle, else its own clock — is within ``[issued_at - SKEW_S, expires_at + SKEW_S]``;
a kiosk whose own clock is hours wrong therefore neither refuses a fresh bundle nor keeps taking
an old one. Versions only go up: an older or equal version is refused whatever its dates. A bundle
served within a week of its expiry is signed again with fresh dates (same version and content), so
a kiosk back after a month off catches up.

Failure model: a missing or unreadable key raises :class:`KeyUnavailable` (the publish is refused,
nothing is stored); a malformed key file likewise, never echoing its content.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SKEW_S = 300
VALID_FOR = timedelta(days=30)
MAX_TEXT = 300
MAX_CATALOGUE_BYTES = 1024 * 1024
LANGS = ("en", "cy")


class BundleRefused(ValueError):
    """The bundle cannot be published as asked (the message says why, for the admin)."""


class KeyUnavailable(RuntimeError):
    """The signing key is not configured or cannot be read (never says more than the path)."""


def _number(low: float, high: float) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not low <= value <= high:
            raise BundleRefused(f"a number from {low:g} to {high:g}")
        return value

    return check


def _service_ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and 0 < len(v) <= 100 for v in value
    ):
        raise BundleRefused("a list of service ids")
    return sorted(set(value))


def _bilingual(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise BundleRefused('a text in English and in Welsh: {"en": ..., "cy": ...}')
    out = {}
    for lang in LANGS:
        text = value[lang].strip() if isinstance(value[lang], str) else ""
        if not text or len(text) > MAX_TEXT:
            raise BundleRefused(f"{lang}: 1-{MAX_TEXT} characters")
        out[lang] = text
    return out


REMOTE_KEYS: dict[str, Callable[[Any], Any]] = {
    "idle.warning_after_s": _number(10, 3600),
    "idle.respond_s": _number(20, 600),  # at least 20 s to respond (WCAG 2.2.1)
    "idle.goodbye_s": _number(1, 120),
    "services.enabled": _service_ids,
    "texts.attract_notice": _bilingual,
    "texts.out_of_hours": _bilingual,
}
"""The kiosk settings that may change remotely, each with its check. Nothing else may."""


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(settings) - set(REMOTE_KEYS))
    if unknown:
        allowed = ", ".join(REMOTE_KEYS)
        raise BundleRefused(f"not remote-changeable: {', '.join(unknown)[:200]} (only {allowed})")
    out = {}
    for key, value in settings.items():
        try:
            out[key] = REMOTE_KEYS[key](value)
        except BundleRefused as exc:
            raise BundleRefused(f"{key}: {exc}") from None
    return out


def check_catalogue(files: Mapping[str, str]) -> dict[str, str]:
    """Service definitions by file name (``name.toml``), each valid TOML; at most 1 MiB in all."""
    total = 0
    for name, text in files.items():
        if not name.endswith(".toml") or "/" in name or "\\" in name or name.startswith("."):
            raise BundleRefused(f"catalogue: {name[:80]!r} is not a service file name")
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BundleRefused(f"catalogue: {name}: not valid TOML ({exc})") from None
        total += len(text.encode())
    if total > MAX_CATALOGUE_BYTES:
        raise BundleRefused("catalogue: more than 1 MiB")
    return dict(files)


def read_catalogue(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.toml"))}


def canonical(payload: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the one byte string that is signed and verified."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Signer:
    """Signs payloads with the private key loaded from a file (PEM, PKCS#8, unencrypted)."""

    _key: Ed25519PrivateKey

    def __repr__(self) -> str:  # never show the key
        return f"Signer(key_id={self.key_id!r})"

    @property
    def public(self) -> Ed25519PublicKey:
        return self._key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, payload_text: str) -> str:
        return base64.b64encode(self._key.sign(payload_text.encode("utf-8"))).decode()

    @classmethod
    def from_file(cls, path: Path | None) -> Signer:
        if path is None:
            raise KeyUnavailable("no bundle signing key configured ($KIOSK_CENTRAL_BUNDLE_KEY)")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise KeyUnavailable(
                f"cannot read the bundle signing key {path} ({exc.strerror})"
            ) from None
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise KeyUnavailable(f"{path} is not an unencrypted PEM private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyUnavailable(f"{path} is not an Ed25519 key")
        return cls(key)


def new_key_pem() -> bytes:
    """A fresh Ed25519 private key as PEM (``kiosk-central bundles keygen``)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def payload(
    version: int,
    settings: Mapping[str, Any],
    catalogue: Mapping[str, str] | None,
    now: datetime,
    valid_for: timedelta = VALID_FOR,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": version,
        "issued_at": now.isoformat(),
        "expires_at": (now + valid_for).isoformat(),
        "settings": check_settings(settings),
    }
    if catalogue:
        body["catalogue"] = check_catalogue(catalogue)
    return body


def wire(version: int, payload_text: str, signature: str, kid: str) -> dict[str, Any]:
    """What a kiosk receives: the signed text as is (the kiosk verifies those exact bytes)."""
    return {"version": version, "payload": payload_text, "signature": signature, "key_id": kid}

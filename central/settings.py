"""Settings of the central service, from arguments or the environment (``KIOSK_CENTRAL_*``).

Every field has a working embedded default, so ``kiosk-central serve`` runs on a fresh machine.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = Path("var") / "central.db"
IDEMPOTENCY_MIN_DAYS = 30


def default_db_url() -> str:
    """``$KIOSK_CENTRAL_DB`` (a URL or a file path), else ``./var/central.db`` (SQLite)."""
    value = os.environ.get("KIOSK_CENTRAL_DB", "").strip()
    if not value:
        value = str(DEFAULT_DB_PATH)
    if "://" in value:
        return value
    path = Path(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    db_url: str = field(default_factory=default_db_url)
    catalogue_dir: Path = REPO_ROOT / "config" / "services"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Signs cookies and the like (C2's web/staff channels). Set it in production, or sessions
    end at every restart."""
    base_url: str = "http://127.0.0.1:8080"
    """Public URL of this service, used to build links (e.g. handoff QR codes)."""
    cookie_secure: bool | None = None
    """Mark cookies ``Secure`` (sent over HTTPS only). ``None``: exactly when ``base_url`` is
    ``https://`` — a public deployment gets secure cookies without a second switch, and a
    development server on plain HTTP still works. Read :attr:`secure_cookies`."""
    max_body_bytes: int = 256 * 1024
    idempotency_days: int = IDEMPOTENCY_MIN_DAYS
    """How long Idempotency-Keys are kept; must outlive the longest offline period of a kiosk."""
    device_office_scope: bool = True
    """A device may only touch cases of its own office (see README of the API)."""
    bundle_key_file: Path | None = None
    """The Ed25519 private key (PEM) that signs configuration bundles (issue 14 item 3); read only
    when a bundle is signed, never logged. ``$KIOSK_CENTRAL_BUNDLE_KEY``."""

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.lower().startswith("https://")

    def __post_init__(self) -> None:
        if self.idempotency_days < IDEMPOTENCY_MIN_DAYS:
            raise ValueError(f"idempotency_days must be at least {IDEMPOTENCY_MIN_DAYS}")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read ``KIOSK_CENTRAL_*`` variables; keyword arguments that are not None win."""
        env = os.environ
        values: dict[str, object] = {}
        if env.get("KIOSK_CENTRAL_CATALOGUE"):
            values["catalogue_dir"] = Path(env["KIOSK_CENTRAL_CATALOGUE"])
        if env.get("KIOSK_CENTRAL_SECRET_KEY"):
            values["secret_key"] = env["KIOSK_CENTRAL_SECRET_KEY"]
        if env.get("KIOSK_CENTRAL_BASE_URL"):
            values["base_url"] = env["KIOSK_CENTRAL_BASE_URL"].rstrip("/")
        if env.get("KIOSK_CENTRAL_MAX_BODY"):
            values["max_body_bytes"] = int(env["KIOSK_CENTRAL_MAX_BODY"])
        if env.get("KIOSK_CENTRAL_BUNDLE_KEY", "").strip():
            values["bundle_key_file"] = Path(env["KIOSK_CENTRAL_BUNDLE_KEY"].strip())
        if env.get("KIOSK_CENTRAL_COOKIE_SECURE", "").strip():
            values["cookie_secure"] = _env_bool("KIOSK_CENTRAL_COOKIE_SECURE", False)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

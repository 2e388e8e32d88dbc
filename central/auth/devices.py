"""Kiosk device authentication: ``Authorization: Bearer <device_id>.<secret>``.

The secret is 32 random bytes (url-safe base64). We store only its SHA-256: a high-entropy secret
cannot be brute-forced from its hash, so a slow password hash (argon2) would only cost CPU on every
request. The device id in the token lets us find the row without a lookup by secret; the hashes are
compared in constant time. A revoked device, an unknown id or a wrong secret all answer the same 401.

Verified tokens are cached in-process for a few seconds (:mod:`central.auth.token_cache`): a revoked
token stops working within that TTL. Heartbeats do not use the cache — they are verified in the
same transaction that stores them (:mod:`central.heartbeat_store`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from central.auth.principal import Principal
from central.auth.revocations import announce
from central.auth.token_cache import TokenCache, forget_all
from central.db.models import Device
from central.db.types import utcnow
from central.deps import SessionDep
from central.problems import ProblemError

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 200


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_DUMMY_HASH = hash_secret("x" * 43)


def new_device_id() -> str:
    return "dev_" + secrets.token_hex(8)


def issue_token(device_id: str) -> tuple[str, str]:
    """(token to hand to the device once, hash to store)."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    return f"{device_id}.{secret}", hash_secret(secret)


def register_device(session: Session, office: str, name: str) -> tuple[Device, str]:
    """Create a device row; returns it and its token (shown once, never stored)."""
    device_id = new_device_id()
    token, token_hash = issue_token(device_id)
    device = Device(id=device_id, office=office, name=name, token_hash=token_hash)
    session.add(device)
    return device, token


def unauthorised(detail: str) -> ProblemError:
    return ProblemError(
        401, detail, slug="unauthorised", headers={"WWW-Authenticate": 'Bearer realm="kiosk"'}
    )


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def split_token(token: str) -> tuple[str, str] | None:
    """(device id, secret) of a well-formed token, else None."""
    device_id, dot, secret = token.partition(".")
    if not dot or not device_id or not secret or len(token) > MAX_TOKEN_CHARS:
        return None
    return device_id, secret


def secret_matches(secret: str, token_hash: str | None) -> bool:
    """Constant-time check of ``secret`` against the stored hash; an unknown device (None) costs
    the same hashing and comparison, so timing does not tell which device ids exist."""
    expected = token_hash if token_hash is not None else _DUMMY_HASH
    return hmac.compare_digest(hash_secret(secret), expected) and token_hash is not None


def authenticate_device(session: Session, token: str) -> Device | None:
    """The live device the token belongs to, or None."""
    parts = split_token(token)
    if parts is None:
        return None
    device = session.get(Device, parts[0])
    ok = secret_matches(parts[1], device.token_hash if device is not None else None)
    if device is None or not ok or device.revoked_at is not None:
        return None
    return device


def token_cache(app: Any) -> TokenCache:
    """The app's cache of verified tokens (created on first use; tests may set their own)."""
    cache = getattr(app.state, "token_cache", None)
    if cache is None:
        cache = app.state.token_cache = TokenCache()
    return cache


def cached_device(request: Request) -> Principal | None:
    """The caller's device principal if its token was verified within the cache TTL (no I/O)."""
    token = bearer_token(request)
    principal = token_cache(request.app).get(token) if token is not None else None
    if principal is not None:
        request.state.principal = principal
    return principal


def require_device(request: Request, session: SessionDep) -> Principal:
    """Dependency: the calling kiosk, or a 401 problem. A token verified less than
    :data:`central.auth.token_cache.TTL_S` ago is trusted without reading the database."""
    token = bearer_token(request)
    if token is None:
        raise unauthorised("A device bearer token is required.")
    cache = token_cache(request.app)
    principal = cache.get(token)
    if principal is None:
        device = authenticate_device(session, token)
        # End the read transaction now: the route runs on another thread-pool thread, and on
        # SQLite an open transaction holds the write lock (BEGIN IMMEDIATE) across that hop —
        # with the pool full of requests waiting for the lock, that would deadlock.
        session.commit()
        if device is None:
            raise unauthorised("The device token is not valid or has been revoked.")
        principal = Principal(kind="device", id=device.id, office=device.office)
        cache.put(token, principal)
    request.state.principal = principal
    return principal


def revoke_device(session: Session, device_id: str) -> bool:
    device = session.get(Device, device_id)
    if device is None:
        return False
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    forget_all()  # this process stops trusting cached tokens now
    announce(session, device_id)  # every other process and node when this commits (PostgreSQL)
    return True


DeviceDep = Annotated[Principal, Depends(require_device)]

"""Shared by the bundle tests: a signing key made in the test, and a database with no bundle.

Rollouts are fleet-wide and a session's tests share one database, so each bundle test starts from
no bundle at all (the three bundle tables and the bundle audit rows emptied)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete

from central.db.base import make_sessionmaker, session_scope
from central.fleet.models import DeviceBundle, FleetAudit, FleetBundle, FleetRollout


def write_key(path: Path) -> Path:
    """A fresh Ed25519 private key as PEM at ``path``."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    path.write_bytes(pem)
    return path


def clear_bundles(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(make_sessionmaker(engine)) as s:
        for table in (DeviceBundle, FleetRollout, FleetBundle):
            s.execute(delete(table))
        s.execute(delete(FleetAudit).where(FleetAudit.action.like("bundle_%")))

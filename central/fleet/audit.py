"""The fleet's audit trail: one ``fleet_audit`` row per act on a kiosk (who, when, which kiosk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from central.fleet.models import FleetAudit

AUDIT = FleetAudit.__table__


def row(
    at: datetime,
    actor: str,
    action: str,
    *,
    device_id: str | None = None,
    office: str | None = None,
    command_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "at": at,
        "actor": actor[:80],
        "action": action,
        "device_id": device_id,
        "office": office,
        "command_id": command_id,
        "detail": detail or {},
    }


def audit(db: Session | Connection, at: datetime, actor: str, action: str, **fields: Any) -> None:
    """Append one audit row in ``db``'s transaction."""
    db.execute(insert(AUDIT), [row(at, actor, action, **fields)])


def audit_many(db: Session | Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(insert(AUDIT), rows)


def for_device(session: Session, device_id: str, limit: int = 100) -> list[FleetAudit]:
    query = select(FleetAudit).where(FleetAudit.device_id == device_id)
    return list(session.scalars(query.order_by(FleetAudit.id.desc()).limit(limit)))

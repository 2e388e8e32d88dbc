"""Enrolment codes: how a new kiosk gets its device token without anyone copying one by hand.

An admin makes a code (console or ``kiosk-central enrol-code``) for an office and optionally a kiosk
name; it is valid :data:`VALID_FOR` and good for one kiosk. The kiosk trades it at
``POST /api/v1/enrol`` for a fresh device id and token (``kiosk enrol CODE`` or its first start).

* The typed code is 20 characters of Crockford's base32 (100 random bits), shown in groups of five;
  case, spaces and dashes do not matter, and O/I/L read as 0/1/1. Only its SHA-256 is stored.
* Single use, taken atomically: one ``UPDATE … SET used_at = now WHERE code_hash = ? AND used_at IS
  NULL AND expires_at > now RETURNING …``. Of two kiosks racing for one code exactly one gets a row
  back; the other is refused like a wrong code.
* Re-enrolment replaces: when the code names a kiosk, every live device of that name in that office
  is revoked in the same transaction as the new one is registered; so is the device whose token
  the kiosk presents as ``previous_token`` (it proves it is the same kiosk, whatever the name).
* Redemption is rate-limited per client address in the database (:mod:`central.handoff.ratelimit`):
  an attempt is reserved before the code is looked at, and given back on success.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from central.auth.devices import authenticate_device, register_device, revoke_device
from central.db.models import Device
from central.fleet.audit import audit
from central.fleet.models import EnrolmentCode

VALID_FOR = timedelta(hours=24)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_CHARS = 20
ATTEMPTS = 10
"""Wrong codes per client address in :data:`WINDOW_S` before redemption is locked for it."""
WINDOW_S = 15 * 60
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise(code: str) -> str:
    """The code as stored: upper case, no separators, look-alike letters read as digits."""
    return "".join(ch for ch in code.upper() if ch.isalnum()).translate(_READ_AS)[:64]


def code_hash(code: str) -> str:
    return hashlib.sha256(f"enrolment-code\x00{normalise(code)}".encode()).hexdigest()


def display(code: str) -> str:
    plain = normalise(code)
    return "-".join(plain[i : i + 5] for i in range(0, len(plain), 5))


@dataclass(frozen=True)
class MadeCode:
    id: str
    code: str
    """The typed code, grouped (shown once)."""
    office: str
    name: str | None
    expires_at: datetime


def make_code(
    session: Session, office: str, name: str | None, created_by: str, now: datetime
) -> MadeCode:
    """A new single-use code (added to ``session``; the caller commits)."""
    office = office.strip()
    name = (name or "").strip() or None
    if not office or len(office) > 64:
        raise ValueError("office: 1-64 characters")
    if name is not None and len(name) > 200:
        raise ValueError("name: at most 200 characters")
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))
    row = EnrolmentCode(
        id="enc_" + secrets.token_hex(8),
        code_hash=code_hash(code),
        office=office,
        name=name,
        created_by=created_by[:64],
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    session.add(row)
    audit(session, now, created_by, "enrol_code_made", office=office,
          detail={"code_id": row.id, "name": name})  # fmt: skip
    return MadeCode(row.id, display(code), office, name, row.expires_at)


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str
    office: str
    name: str
    replaced: tuple[str, ...]


def redeem(
    session: Session,
    code: str,
    now: datetime,
    kiosk_name: str | None = None,
    previous_token: str | None = None,
) -> Enrolled | None:
    """Take the code (atomically, once) and register the kiosk; None for a wrong, used or expired
    code. Everything happens in the session's transaction: the caller commits."""
    plain = normalise(code)
    if len(plain) != CODE_CHARS:
        return None
    table = EnrolmentCode.__table__
    taken = session.execute(
        update(table)
        .where(table.c.code_hash == code_hash(plain))
        .where(table.c.used_at.is_(None))
        .where(table.c.expires_at > now)
        .values(used_at=now)
        .returning(table.c.id, table.c.office, table.c.name)
    ).first()
    if taken is None:
        return None
    name = taken.name or (kiosk_name or "").strip()[:200] or f"kiosk enrolled {now:%Y-%m-%d %H:%M}"
    replaced: list[str] = []
    previous = authenticate_device(session, previous_token) if previous_token else None
    if previous is not None:  # the kiosk proved it held this token: it is the same kiosk
        revoke_device(session, previous.id)
        replaced.append(previous.id)
    if taken.name:
        old = session.scalars(
            select(Device.id).where(
                Device.office == taken.office,
                Device.name == taken.name,
                Device.revoked_at.is_(None),
            )
        ).all()
        for device_id in old:
            if device_id not in replaced:
                revoke_device(session, device_id)
                replaced.append(device_id)
    device, token = register_device(session, taken.office, name)
    session.flush()
    session.execute(update(table).where(table.c.id == taken.id).values(device_id=device.id))
    audit(session, now, f"device:{device.id}", "enrolled", device_id=device.id,
          office=taken.office, detail={"code_id": taken.id, "replaced": replaced})  # fmt: skip
    return Enrolled(device.id, token, taken.office, name, tuple(replaced))


def recent_codes(
    session: Session, office: str | None, now: datetime, limit: int = 50
) -> list[EnrolmentCode]:
    query = select(EnrolmentCode).order_by(EnrolmentCode.created_at.desc()).limit(limit)
    if office:
        query = query.where(EnrolmentCode.office == office)
    return list(session.scalars(query))


def qr_text(code: str) -> str | None:
    """The code as a QR in terminal characters (two rows per line), or None without ``qrcode``."""
    try:
        import qrcode
    except ImportError:  # pragma: no cover - qrcode is a dependency; the typed code still works
        return None
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(normalise(code))
    qr.make(fit=True)
    matrix = qr.get_matrix()
    lines = []
    for y in range(0, len(matrix), 2):
        top, bottom = matrix[y], matrix[y + 1] if y + 1 < len(matrix) else [False] * len(matrix[y])
        lines.append("".join(
            "█" if t and b else "▀" if t else "▄" if b else " " for t, b in zip(top, bottom, strict=True)
        ))  # fmt: skip
    return "\n".join(lines)


def qr_svg(code: str) -> str | None:
    """The code as an inline SVG QR for the console, or None without ``qrcode``."""
    try:
        import qrcode
    except ImportError:  # pragma: no cover
        return None
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(normalise(code))
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    cells = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, on in enumerate(row) if on
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" '
        f'height="240" role="img" aria-label="QR code of the enrolment code" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{cells}" fill="#000"/></svg>'
    )

"""Staff authentication: argon2id passwords, session cookies, CSRF tokens and role checks.

* Passwords: argon2-cffi's default profile (argon2id). An unknown username still costs one verify,
  so response time does not tell which usernames exist.
* Sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure unless configured off for
  plain-http tests); only its SHA-256 is stored. Eight hours, then log in again.
* CSRF: a random synchroniser token per session, in every form, compared in constant time; the
  login form (no session yet) uses a double-submit cookie.
* Login limits, kept in the database (:mod:`central.handoff.ratelimit`), so they hold on every
  process and node: per client address (10 failed a minute, the app's ``attempt_limiter``) and per
  account (:func:`login_lockout`: the 10th wrong password within 15 minutes locks the username for
  15 minutes). Both attempts are reserved before the password is checked; a success gives the
  address's back and clears the account's count. A username that does not exist is counted and
  locked exactly like one that does, so the lockout tells nobody which usernames exist. An admin
  lifts a lock with ``kiosk-central unlock-staff USERNAME`` or the console's accounts page
  (:func:`unlock`).
* Roles: ``staff`` works cases of their office; ``technician`` sees no case (diagnostics and the
  fleet view only); ``admin`` does everything, in every office.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.auth.principal import Principal
from central.db.types import utcnow
from central.handoff import codes
from central.handoff.ratelimit import AttemptLimiter
from central.problems import ProblemError
from central.staff.models import ROLES, StaffSession, StaffUser

COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"
SESSION_PURPOSE = "staff-session"
SESSION_HOURS = 8
MIN_PASSWORD = 10
LOGIN_ATTEMPTS = 10
"""Wrong passwords for one username within :data:`LOCKOUT_MINUTES` that lock it."""
LOCKOUT_MINUTES = 15

PERMISSIONS: dict[str, frozenset[str]] = {
    "staff": frozenset({"queue", "view", "note", "assign", "close"}),
    "technician": frozenset({"fleet"}),
    "admin": frozenset(
        {"queue", "view", "note", "assign", "close", "fleet", "all_offices", "performance"}
        | {"accounts"}  # the staff accounts page: see who is locked out, unlock
    ),
    "analyst": frozenset({"performance"}),  # counts and rates of every office; never a case
}

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone " + secrets.token_hex(8))


class StaffError(ValueError):
    pass


def may(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def create_user(
    session: Session, username: str, password: str, role: str, office: str
) -> StaffUser:
    username = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9._-]{2,100}", username):
        raise StaffError("username: 2-100 of a-z, 0-9, '.', '_', '-'")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    office = office.strip()
    if not office or len(office) > 64:
        raise StaffError("office: 1-64 characters")
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"password: at least {MIN_PASSWORD} characters")
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise StaffError(f"username {username!r} is taken")
    user = StaffUser(
        id="stf_" + secrets.token_hex(6),
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        office=office,
    )
    session.add(user)
    return user


def login_lockout(clock: Callable[[], datetime] = utcnow, scope: str = "") -> AttemptLimiter:
    """The per-account limiter: :data:`LOGIN_ATTEMPTS` wrong passwords in :data:`LOCKOUT_MINUTES`
    lock the username for :data:`LOCKOUT_MINUTES`."""
    minutes = LOCKOUT_MINUTES * 60.0
    return AttemptLimiter(LOGIN_ATTEMPTS, minutes, clock, lockout=minutes, scope=scope)


def account_key(username: str) -> str:
    """The lockout's key of a typed username, whether or not such an account exists."""
    return "staff-account:" + username.strip().lower()[:100]


def unlock(session: Session, username: str, lockout: AttemptLimiter | None = None) -> bool:
    """Lift the lockout of ``username`` (the caller commits); True when it had failed attempts."""
    return (lockout or login_lockout()).reset(session, account_key(username))


def verify_password(user: StaffUser | None, password: str) -> bool:
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.disabled_at is None


def login(
    session: Session, username: str, password: str, now: datetime
) -> tuple[StaffSession, str] | None:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if not verify_password(user, password[:1000]):
        return None
    assert user is not None
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        id=uuid.uuid4(),
        token_hash=codes.hash_secret(token, SESSION_PURPOSE),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(hours=SESSION_HOURS),
    )
    session.add(row)
    return row, token


@dataclass(frozen=True)
class StaffContext:
    user: StaffUser
    session_row: StaffSession

    @property
    def principal(self) -> Principal:
        return Principal(
            kind="staff",
            id=self.user.id,
            office=self.user.office,
            roles=frozenset({self.user.role}),
        )

    def may(self, permission: str) -> bool:
        return may(self.user.role, permission)

    def may_see_office(self, office: str) -> bool:
        return self.may("all_offices") or self.user.office == office


def staff_for(session: Session, token: str | None, now: datetime) -> StaffContext | None:
    if not token or len(token) > 200:
        return None
    presented = codes.hash_secret(token, SESSION_PURPOSE)
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == presented))
    if row is None or not codes.same_hash(row.token_hash, presented):
        return None
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return StaffContext(user, row)


def csrf_ok(expected: str | None, presented: str | None) -> bool:
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def authenticate_staff(request: Request, session: Session) -> Principal:
    """The hook :func:`central.auth.require_staff` calls: the staff cookie → a Principal."""
    ctx = staff_for(session, request.cookies.get(COOKIE), request.app.state.clock())
    if ctx is None:
        raise ProblemError(401, "A staff session is required.", slug="unauthorised")
    if not ctx.may("queue"):
        raise ProblemError(403, "Your role does not allow this.", slug="forbidden")
    return ctx.principal

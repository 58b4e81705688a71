"""Support staff accounts: Argon2id passwords, mandatory TOTP (replay-proof), lockout after
repeated failures, and server-side login sessions with idle and absolute timeouts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from kcheck import crypto
from kcheck.models import StaffSession, StaffUser, new_id

ROLES = ("reviewer", "admin")
LOCALES = ("en", "fr")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOTP_PERIOD = 30
ISSUER = "kcheck"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id (RFC 9106 low-memory profile)
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("no such account")


class StaffError(Exception):
    """A staff command cannot be done (unknown e-mail, duplicate, bad role)."""


@dataclass(frozen=True)
class Enrolment:
    """What the new staff member receives once: a password and a TOTP secret."""

    staff_id: str
    email: str
    role: str
    password: str
    totp_secret: str

    @property
    def totp_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(name=self.email, issuer_name=ISSUER)


@dataclass(frozen=True)
class LoginResult:
    staff: StaffUser | None
    outcome: str  # ok | setup (first sign-in, before the TOTP enrolment) | invalid | locked

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "setup")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise StaffError("not an e-mail address")
    return email


def find(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def _credentials(staff: StaffUser, master_key: bytes) -> Enrolment:
    password = crypto.random_token(15)
    secret = pyotp.random_base32()
    staff.password_hash = _hasher.hash(password)
    staff.totp_secret = crypto.seal(master_key, secret.encode(), f"totp:{staff.id}")
    staff.totp_enrolled_at = None
    staff.totp_last_step = None
    staff.failed_logins = 0
    staff.locked_until = None
    staff.must_change_password = True
    return Enrolment(staff.id, staff.email, staff.role, password, secret)


def create(session: Session, email: str, role: str, now: datetime, master_key: bytes,
           locale: str | None = None) -> Enrolment:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    if find(session, email) is not None:
        raise StaffError("a staff account with this e-mail exists already")
    staff = StaffUser(id=new_id(), email=email, role=role, password_hash="",
                      locale=locale if locale in LOCALES else None, failed_logins=0,
                      created_at=now)
    session.add(staff)
    enrolment = _credentials(staff, master_key)
    session.flush()
    return enrolment


def reset(session: Session, staff: StaffUser, now: datetime, master_key: bytes) -> Enrolment:
    """New password and new TOTP secret; every open session ends."""
    enrolment = _credentials(staff, master_key)
    revoke_all(session, staff.id, now)
    return enrolment


def disable(session: Session, staff: StaffUser, now: datetime) -> None:
    staff.disabled_at = staff.disabled_at or now
    revoke_all(session, staff.id, now)


def _totp_step(staff: StaffUser, code: str, now: datetime, master_key: bytes) -> int | None:
    """The time step the code belongs to (now, or one step either side for clock drift)."""
    code = code.strip().replace(" ", "")
    if not re.fullmatch(r"\d{6}", code) or staff.totp_secret is None:
        return None
    secret = crypto.open_sealed(master_key, staff.totp_secret, f"totp:{staff.id}").decode()
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    current = int(now.timestamp()) // TOTP_PERIOD
    for step in (current - 1, current, current + 1):
        if crypto.same(totp.at(step * TOTP_PERIOD), code):
            return step
    return None


def _password_ok(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str, code: str, now: datetime,
                 master_key: bytes) -> LoginResult:
    """Check password and TOTP code; count failures and lock the account after five.

    The caller commits even on failure, so the failure count survives the refusal. Every
    failure looks the same from outside; only someone who knows both factors learns that the
    account is locked.
    """
    staff = find(session, email)
    if staff is None or staff.disabled_at is not None:
        _password_ok(_DUMMY_HASH, password)
        return LoginResult(staff, "invalid")
    locked = staff.locked_until is not None and staff.locked_until > now
    password_ok = _password_ok(staff.password_hash, password)
    if password_ok and not locked and staff.totp_enrolled_at is None and not code.strip():
        # First sign-in: the one-time password alone opens a session that can do nothing but
        # enrol the authenticator and choose a password (see needs_setup).
        staff.failed_logins = 0
        return LoginResult(staff, "setup")
    step = _totp_step(staff, code, now, master_key) if password_ok else None
    if step is not None and staff.totp_last_step is not None and step <= staff.totp_last_step:
        step = None  # a code may be used once: replay refused
    if locked:
        return LoginResult(staff, "locked" if step is not None else "invalid")
    if step is not None:
        # Two logins with the same code at once: only the first conditional update wins.
        won = session.execute(update(StaffUser).where(
            StaffUser.id == staff.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
            .values(totp_last_step=step)).rowcount
        if won:
            session.refresh(staff)
            staff.failed_logins = 0
            staff.locked_until = None
            staff.totp_enrolled_at = staff.totp_enrolled_at or now
            if _hasher.check_needs_rehash(staff.password_hash):
                staff.password_hash = _hasher.hash(password)
            return LoginResult(staff, "ok")
    staff.failed_logins += 1
    if staff.failed_logins >= MAX_FAILURES:
        staff.failed_logins = 0
        staff.locked_until = now + LOCK_FOR
    return LoginResult(staff, "invalid")


# First sign-in -----------------------------------------------------------------------------

MIN_PASSWORD = 12
MAX_PASSWORD = 200


def needs_setup(staff: StaffUser) -> bool:
    """Until the authenticator is enrolled and the one-time password replaced, nothing else."""
    return staff.totp_enrolled_at is None or staff.must_change_password


def totp_uri(staff: StaffUser, master_key: bytes) -> str:
    secret = crypto.open_sealed(master_key, staff.totp_secret, f"totp:{staff.id}").decode()
    return pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=ISSUER)


def complete_setup(staff: StaffUser, code: str, password: str, repeated: str, now: datetime,
                   master_key: bytes) -> str | None:
    """Enrol the TOTP app (when not yet done) and set the staff member's own password.

    Returns None when done, else what is wrong: code | too_short | too_long | same | differ.
    Nothing is changed unless everything is right.
    """
    step = None
    if staff.totp_enrolled_at is None:
        step = _totp_step(staff, code, now, master_key)
        if step is None or (staff.totp_last_step is not None and step <= staff.totp_last_step):
            return "code"
    if staff.must_change_password:
        if len(password) < MIN_PASSWORD:
            return "too_short"
        if len(password) > MAX_PASSWORD:
            return "too_long"
        if password != repeated:
            return "differ"
        if _password_ok(staff.password_hash, password):
            return "same"
        staff.password_hash = _hasher.hash(password)
        staff.must_change_password = False
    if step is not None:
        staff.totp_last_step = step
        staff.totp_enrolled_at = now
    return None


# Sessions ---------------------------------------------------------------------------------


def open_session(session: Session, staff: StaffUser, now: datetime) -> str:
    """A new session id at every login; returns the cookie token (only its hash is stored)."""
    token = crypto.random_token(32)
    session.add(StaffSession(id=crypto.token_digest(token), staff_id=staff.id, created_at=now,
                             last_seen_at=now))
    return token


def session_alive(record: StaffSession, now: datetime) -> bool:
    return (record.revoked_at is None and now - record.last_seen_at <= IDLE_TIMEOUT
            and now - record.created_at <= ABSOLUTE_TIMEOUT)


def resume_session(session: Session, token: str, now: datetime
                   ) -> tuple[StaffSession, StaffUser] | None:
    """The live session and its staff member, touched; None when expired, revoked or disabled."""
    if not token:
        return None
    found = session.execute(select(StaffSession, StaffUser)
                            .join(StaffUser, StaffUser.id == StaffSession.staff_id)
                            .where(StaffSession.id == crypto.token_digest(token))).first()
    if found is None:
        return None
    record, staff = found  # one query: every review request resumes its session
    if not session_alive(record, now) or staff.disabled_at is not None:
        if record.revoked_at is None:
            record.revoked_at = now
        return None
    record.last_seen_at = now
    return record, staff


def revoke(session: Session, token: str, now: datetime) -> None:
    record = session.get(StaffSession, crypto.token_digest(token)) if token else None
    if record is not None and record.revoked_at is None:
        record.revoked_at = now


def revoke_all(session: Session, staff_id: str, now: datetime) -> int:
    return session.execute(update(StaffSession).where(
        StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount


def forget_ended_sessions(session: Session, now: datetime) -> int:
    """Delete sessions that can no longer be resumed (past the absolute limit, or idle and
    revoked ones older than the idle limit); returns how many."""
    return session.execute(delete(StaffSession).where(or_(
        StaffSession.created_at < now - ABSOLUTE_TIMEOUT,
        StaffSession.last_seen_at < now - IDLE_TIMEOUT))).rowcount


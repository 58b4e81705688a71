"""Database tables (SQLAlchemy 2). Columns declared with `info=PERSONAL` hold personal data:
the retention job nulls them and the audit checks them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

# Column info marking personal data (read by kcheck.retention.pii_columns).
PERSONAL = {"personal": True}

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use the clock")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class ApiClient(Base):
    __tablename__ = "api_clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # Webhook signing secrets, encrypted under the master key; two during a rotation.
    webhook_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    webhook_secret_previous: Mapped[bytes | None] = mapped_column(LargeBinary)
    webhook_previous_until: Mapped[datetime | None]
    webhook_disabled_at: Mapped[datetime | None]

    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("api_client_id", "idempotency_key", name="uq_cases_idempotency"),
        Index("ix_cases_status_expires", "status", "expires_at"),
        Index("ix_cases_purge_due", "purge_due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    api_client_id: Mapped[str] = mapped_column(ForeignKey("api_clients.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))
    subject_ref: Mapped[str] = mapped_column(String(200))
    order_ref: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))  # None: the person's browser decides
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(30), default="created")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    reason_code: Mapped[str | None] = mapped_column(String(60))
    reviewer_id: Mapped[str | None] = mapped_column(String(36))
    # The verification link: only a hash of its token is kept.
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    token_used_at: Mapped[datetime | None]
    # Review work.
    claimed_by: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None]
    resubmission_slots: Mapped[list[Any] | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Retention: the person's first personal data starts the 72-hour clock of everything
    # from the person; what the requester sent at creation has its own deadline.
    data_received_at: Mapped[datetime | None]
    purge_due_at: Mapped[datetime | None]
    requester_data_due_at: Mapped[datetime | None]
    data_purged_at: Mapped[datetime | None]
    purge_receipt: Mapped[dict[str, Any] | None]
    # Personal data below: encrypted under the case's data key, nulled by the purge.
    wrapped_data_key: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)  # the case's data key
    expected_name: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)  # from the requester
    phone: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)
    location: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)
    location_country: Mapped[str | None] = mapped_column(String(2), info=PERSONAL)
    phone_verified_at: Mapped[datetime | None]
    location_at: Mapped[datetime | None]
    document_type: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    biometric_consent_at: Mapped[datetime | None]
    sms_locks: Mapped[int] = mapped_column(Integer, default=0)
    sms_sends: Mapped[int] = mapped_column(Integer, default=0)
    # The reviewer's message with a resubmission request, sealed under the data key.
    resubmission_message: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)
    # Document intelligence (kcheck.docintel): the face-match result (distance, verdict, which
    # photos), sealed; never a face template.
    face_match: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)

    __mapper_args__ = {"version_id_col": version}

    photos: Mapped[list[Photo]] = relationship(back_populates="case", lazy="raise")


class MobileSession(Base):
    __tablename__ = "mobile_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SmsChallenge(Base):
    __tablename__ = "sms_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    phone: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)  # encrypted
    phone_digest: Mapped[str | None] = mapped_column(String(64), index=True, info=PERSONAL)  # keyed hash
    # A code hash is as good as the code while it is valid.
    code_hash: Mapped[str | None] = mapped_column(String(64), info=PERSONAL)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    sends: Mapped[int] = mapped_column(Integer, default=1)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (Index("ix_photos_status_enqueued", "status", "enqueued_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[Case] = relationship(back_populates="photos", lazy="raise")
    slot: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    blob_key: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)  # points at the image
    preview_key: Mapped[str | None] = mapped_column(String(200), info=PERSONAL)
    byte_size: Mapped[int] = mapped_column(BigInteger, default=0)
    width: Mapped[int | None]
    height: Mapped[int | None]
    # EXIF orientation read at intake (metadata is stripped before storing); the worker's
    # stored copy applies it. None: upright already.
    orientation: Mapped[int | None] = mapped_column(SmallInteger)
    reasons: Mapped[list[Any] | None]
    metrics: Mapped[dict[str, Any] | None] = mapped_column(info=PERSONAL)  # measured on the image
    created_at: Mapped[datetime]
    enqueued_at: Mapped[datetime | None]
    # The check failed, or died on every run it was given (kcheck.workers.quality_job): the
    # photo passed unchecked, and the sweeper does not come back to it.
    check_given_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    checked_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    # Document intelligence (kcheck.docintel), filled after the quality check.
    analysis: Mapped[str | None] = mapped_column(String(10))  # done | error
    analysed_at: Mapped[datetime | None]
    mrz: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)  # sealed MRZ reading
    phash: Mapped[bytes | None] = mapped_column(LargeBinary, info=PERSONAL)  # sealed perceptual hash
    phash_bands: Mapped[str | None] = mapped_column(String(60), info=PERSONAL)  # keyed band digests
    document_digest: Mapped[str | None] = mapped_column(String(24), index=True, info=PERSONAL)  # keyed


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("staff_users.id"))
    outcome: Mapped[str] = mapped_column(String(30))
    reason_code: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text, info=PERSONAL)  # the reviewer's free text
    slots: Mapped[list[Any] | None]
    created_at: Mapped[datetime]
    # When the case had been submitted: response times survive a later resubmission.
    case_submitted_at: Mapped[datetime | None]


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted under master key
    totp_enrolled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    locale: Mapped[str | None] = mapped_column(String(5))  # None: the browser's language
    # A generated (one-time) password: the first sign-in asks for the staff member's own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WebhookEvent(Base):
    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # msg_<ulid-like>
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    api_client_id: Mapped[str] = mapped_column(ForeignKey("api_clients.id"))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(200))
    duration_ms: Mapped[int | None]


class AuditEvent(Base):
    """Append-only, hash-chained trail. Never holds personal data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor_type: Mapped[str] = mapped_column(String(20))  # staff | api_client | person | system
    actor_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class StaffSession(Base):
    """A review UI login: the cookie holds a random token, the table only its hash, so a
    session can be expired (idle 30 min, absolute 12 h) and revoked on the server."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


# The purge's work list: only cases still holding data are indexed, so finding the due ones
# costs what is due, not the table's history of purged cases.
Index("ix_cases_purge_pending", Case.purge_due_at,
      sqlite_where=Case.data_purged_at.is_(None), postgresql_where=Case.data_purged_at.is_(None))
# Only cases still holding requester data carry this deadline (the purge clears it).
Index("ix_cases_requester_data_due", Case.requester_data_due_at,
      sqlite_where=Case.requester_data_due_at.is_not(None),
      postgresql_where=Case.requester_data_due_at.is_not(None))

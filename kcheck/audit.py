"""Append-only, hash-chained audit trail. Details hold ids and codes only, never personal data."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kcheck.models import AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, at: datetime, actor_type: str, actor_id: str | None, action: str,
            case_id: str | None, details: dict) -> str:
    canonical = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor_type, actor_id, action, case_id,
         details], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(session: Session, at: datetime, actor_type: str, actor_id: str | None, action: str,
           case_id: str | None = None, **details) -> AuditEvent:
    """Append one event, chained to the previous one, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appends so two transactions never chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(742001)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    prev = prev or GENESIS
    at = at.replace(microsecond=at.microsecond)
    event = AuditEvent(at=at, actor_type=actor_type, actor_id=actor_id, action=action,
                       case_id=case_id, details=details, prev_hash=prev,
                       hash=_digest(prev, at, actor_type, actor_id, action, case_id, details))
    session.add(event)
    session.flush()
    return event


def verify(session: Session, anchor: str | None = None) -> list[str]:
    """Walk the chain; return one line per broken link (edited, inserted or deleted rows).

    Deleting the newest rows leaves a valid, shorter chain: only a head hash kept outside the
    database (an `anchor` printed by an earlier run) reveals it, so pass the last one you kept."""
    problems = []
    seen_anchor = anchor is None
    prev = GENESIS
    expected_id = None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if expected_id is not None and event.id != expected_id:
            problems.append(f"event {expected_id}..{event.id - 1} missing (deleted rows)")
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: chain broken (previous event changed or removed)")
        digest = _digest(event.prev_hash, event.at, event.actor_type, event.actor_id, event.action,
                         event.case_id, event.details)
        if digest != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (edited)")
        prev = event.hash
        expected_id = event.id + 1
        seen_anchor = seen_anchor or event.hash == anchor
    if not seen_anchor:
        problems.append("the anchor is not in the chain: rows at or before it were removed")
    return problems


def head(session: Session) -> tuple[int, str]:
    """How many events the trail holds and the newest hash (to keep outside, as an anchor)."""
    from sqlalchemy import func

    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return count, last or GENESIS

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


def verify(session: Session) -> list[str]:
    """Walk the chain; return one line per broken link (edited, inserted or deleted rows)."""
    problems = []
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
    return problems

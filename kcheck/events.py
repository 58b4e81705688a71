"""Case events for the requester: written in the same transaction as the change (outbox),
delivered by the webhook worker, and readable by polling."""

from __future__ import annotations

import secrets
import time
from datetime import datetime

from sqlalchemy.orm import Session

from kcheck.models import Case, WebhookEvent

EVENT_TYPES = ("case.opened", "case.submitted", "case.approved", "case.rejected",
               "case.resubmission_requested", "case.expired", "case.cancelled", "case.data_purged")

# A delivery attempt whose own code raised is recorded as `job_error:<exception type>` (never
# the message, which may quote data); /metrics counts them.
JOB_ERROR = "job_error:"


def new_event_id() -> str:
    """Sortable by creation (wall-clock nanoseconds first), unique by its random tail."""
    return f"msg_{time.time_ns():020d}{secrets.token_hex(6)}"


def emit(session: Session, case: Case, event_type: str, now: datetime, **data) -> WebhookEvent:
    """Record a thin event (ids, codes, timestamps; never personal data)."""
    assert event_type in EVENT_TYPES, event_type
    payload = {
        "type": event_type,
        "timestamp": now.isoformat(),
        "data": {
            "case_id": case.id,
            "status": case.status,
            "reason": case.reason,
            "subject_ref": case.subject_ref,
            "order_ref": case.order_ref,
            "outcome": case.outcome,
            "reason_code": case.reason_code,
            **data,
        },
    }
    event = WebhookEvent(id=new_event_id(), case_id=case.id, api_client_id=case.api_client_id,
                         event_type=event_type, payload=payload,
                         status="pending" if case.callback_url else "no_endpoint",
                         created_at=now, next_attempt_at=now if case.callback_url else None)
    session.add(event)
    return event

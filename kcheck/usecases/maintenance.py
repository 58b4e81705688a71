"""What the system does to cases on its own: expire those not submitted in time."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from kcheck import audit
from kcheck.domain import cases as domain
from kcheck.events import emit
from kcheck.models import Case

log = logging.getLogger(__name__)
BATCH = 200


def expire_due(svc, now: datetime) -> int:
    """Expire every open case past its expires_at; returns how many were."""
    count = 0
    while True:
        with svc.sessions() as session:
            ids = session.scalars(select(Case.id).where(
                Case.status.in_(domain.OPEN_FOR_PERSON), Case.expires_at <= now)
                .order_by(Case.expires_at).limit(BATCH)).all()
        expired = sum(_expire(svc, case_id, now) for case_id in ids)
        count += expired
        if len(ids) < BATCH or not expired:
            break
    if count:
        log.info("cases expired", extra={"count": count})
    return count


def _expire(svc, case_id: str, now: datetime) -> bool:
    """One case per transaction, re-checked under the row lock (the person may have just
    submitted)."""
    with svc.transaction() as session:
        case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
        if case is None or case.status not in domain.OPEN_FOR_PERSON or case.expires_at > now:
            return False
        domain.transition(case, "expired", now)
        case.token_hash = None
        # Nothing of the person is kept for an expired case.
        case.purge_due_at = min(case.purge_due_at or now, now)
        emit(session, case, "case.expired", now)
        audit.record(session, now, "system", None, "case.expired", case.id, cause="expires_at")
    return True

"""What support staff do to a case: claim it, release it, decide it. The first decision wins."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from kcheck import audit
from kcheck.domain import cases as domain
from kcheck.domain.decisions import EVENTS, DecisionRequest
from kcheck.events import emit
from kcheck.models import Case, Decision
from kcheck.retention import schedule_after_decision
from kcheck.vault import DataGone


class Conflict(Exception):
    """Someone else got there first; ``kind`` says how (decided, claimed, changed, purged)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class CaseNotFound(Exception):
    """No case has this id."""


def claim(svc, case_id: str, staff_id: str) -> bool:
    """Take the 15-minute lock; a conditional update, so two reviewers never both hold it.
    Returns whether this reviewer holds it now."""
    now = svc.now()
    sources, values = domain.bulk_move("in_review", domain.AWAITING_REVIEW)
    with svc.transaction() as session:
        won = session.execute(update(Case).where(
            Case.id == case_id, Case.status.in_(sources),
            or_(Case.claimed_by.is_(None), Case.claimed_by == staff_id,
                Case.claimed_until.is_(None), Case.claimed_until <= now))
            .values(claimed_by=staff_id, claimed_until=now + domain.CLAIM_FOR, **values,
                    version=Case.version + 1, updated_at=now)).rowcount
        if won:
            audit.record(session, now, "staff", staff_id, "case.claimed", case_id)
    if not won:
        with svc.sessions() as session:
            if session.get(Case, case_id) is None:
                raise CaseNotFound(case_id)
    return bool(won)


def release(svc, case_id: str, staff_id: str, any_holder: bool) -> bool:
    """Give the case back to the queue: its holder may, and (`any_holder`) an admin may
    release anyone's. Returns whether it was released."""
    now = svc.now()
    sources, values = domain.bulk_move("submitted", ("in_review",))
    condition = [Case.id == case_id, Case.status.in_(sources)]
    if not any_holder:
        condition.append(Case.claimed_by == staff_id)
    with svc.transaction() as session:
        won = session.execute(update(Case).where(*condition).values(
            claimed_by=None, claimed_until=None, **values,
            version=Case.version + 1, updated_at=now)).rowcount
        if won:
            audit.record(session, now, "staff", staff_id, "case.released", case_id)
    return bool(won)


def decide(svc, case_id: str, staff_id: str, wanted: DecisionRequest, seen_version: str) -> None:
    """Record the decision if the reviewer saw the case as it is and nobody else holds it.
    Raises Conflict, DecisionInvalid (nothing recorded) or CaseNotFound."""
    now = svc.now()
    try:
        with svc.transaction() as session:
            case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
            if case is None:
                raise CaseNotFound(case_id)
            if case.status not in domain.AWAITING_REVIEW:
                raise Conflict("decided")
            if domain.claim_holder(case, now) not in (None, staff_id):
                raise Conflict("claimed")
            if str(case.version) != seen_version:
                raise Conflict("changed")
            wanted.validate(domain.required_slots(case.document_type))
            _apply(svc, session, case, staff_id, wanted, now)
    except StaleDataError:  # a concurrent writer bumped the version between read and write
        raise Conflict("changed") from None


def _apply(svc, session, case: Case, staff_id: str, wanted: DecisionRequest, now) -> None:
    target = wanted.outcome
    try:
        domain.transition(case, target, now)
    except domain.TransitionRefused:
        raise Conflict("decided") from None
    session.add(Decision(case_id=case.id, reviewer_id=staff_id, outcome=target,
                         reason_code=wanted.reason_code, note=wanted.note or None,
                         slots=list(wanted.slots) or None, created_at=now,
                         case_submitted_at=case.submitted_at))
    case.claimed_by = None
    case.claimed_until = None
    if wanted.final:
        case.outcome = target
        case.reason_code = wanted.reason_code
        case.decided_at = now
        case.reviewer_id = staff_id
        schedule_after_decision(case, now, svc.settings)
        emit(session, case, EVENTS[target], now)
    else:
        # The case reopens for the person: their session stays valid for the new photos.
        case.resubmission_slots = list(wanted.slots)
        try:
            case.resubmission_message = svc.vault().seal_value(case, "resubmission_message",
                                                               wanted.message)
        except DataGone:
            raise Conflict("purged") from None
        emit(session, case, EVENTS[target], now, reason_code=wanted.reason_code,
             resubmission_slots=list(wanted.slots))
    audit.record(session, now, "staff", staff_id, "case.decided", case.id, outcome=target,
                 reason_code=wanted.reason_code, slots=list(wanted.slots))


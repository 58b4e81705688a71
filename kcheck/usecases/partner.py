"""What a requesting system does to its cases: open one, resend its link, cancel it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kcheck import audit, links, retention
from kcheck.domain import cases as domain
from kcheck.events import emit
from kcheck.models import Case, MobileSession
from kcheck.usecases import Refused


@dataclass(frozen=True)
class NewCase:
    """What the requester asks for (validated by the API's schema)."""

    reason: str
    subject_ref: str
    order_ref: str | None
    locale: str | None
    callback_url: str | None
    expected_name: str | None
    expires_in_days: int | None
    idempotency_key: str | None
    fingerprint: str


def own_case(session, client_id: str, case_id: str, for_update: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id, Case.api_client_id == client_id)
    case = session.scalar(query.with_for_update() if for_update else query)
    if case is None:  # another client's case is indistinguishable from a missing one
        raise Refused("not_found")
    return case


def open_case(svc, session, client_id: str, wanted: NewCase, now: datetime) -> tuple[Case, str]:
    """A new case and its first link token, in the caller's unit of work (which answers an
    Idempotency-Key replay itself)."""
    case = Case(api_client_id=client_id, idempotency_key=wanted.idempotency_key,
                request_fingerprint=wanted.fingerprint, reason=wanted.reason,
                subject_ref=wanted.subject_ref, order_ref=wanted.order_ref,
                locale=wanted.locale, callback_url=wanted.callback_url,
                status=domain.CREATED, created_at=now, updated_at=now,
                expires_at=domain.default_expiry(wanted.reason, now, wanted.expires_in_days))
    session.add(case)
    session.flush()
    if wanted.expected_name:
        case.expected_name = svc.vault().seal_value(case, "expected_name", wanted.expected_name)
        retention.requester_data_stored(case, now, svc.settings)
    token = links.rotate(case, svc.settings.secret_key, now, svc.settings.link_ttl_hours)
    emit(session, case, "case.opened", now)
    audit.record(session, now, "api_client", client_id, "case.opened", case.id,
                 reason=case.reason)
    return case, token


def resend(svc, client_id: str, case_id: str) -> tuple[Case, str]:
    """Issue a new link; the previous token and any session opened with it stop working."""
    now = svc.now()
    with svc.transaction() as session:
        case = own_case(session, client_id, case_id, for_update=True)
        if case.status not in domain.OPEN_FOR_PERSON:
            raise Refused("conflict", detail=f"A {case.status} case cannot be resent.")
        if case.expires_at <= now:
            raise Refused("conflict", detail="The case has expired.")
        token = links.rotate(case, svc.settings.secret_key, now, svc.settings.link_ttl_hours)
        # New sends for the new link; never new guesses (the guess budget is the case's).
        case.sms_sends = 0
        case.updated_at = now
        for mobile in session.scalars(select(MobileSession).where(
                MobileSession.case_id == case.id, MobileSession.revoked_at.is_(None))):
            mobile.revoked_at = now
        audit.record(session, now, "api_client", client_id, "case.link_resent", case.id)
    return case, token


def cancel(svc, client_id: str, case_id: str) -> Case:
    """Cancel a case (again: the same answer); nothing of the person is kept."""
    now = svc.now()
    with svc.transaction() as session:
        case = own_case(session, client_id, case_id, for_update=True)
        if case.status == "cancelled":
            return case
        try:
            domain.transition(case, "cancelled", now)
        except domain.TransitionRefused:
            raise Refused("conflict",
                          detail=f"A {case.status} case cannot be cancelled.") from None
        case.token_hash = None
        case.purge_due_at = now
        emit(session, case, "case.cancelled", now)
        audit.record(session, now, "api_client", client_id, "case.cancelled", case.id)
    return case

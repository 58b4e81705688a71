"""The reviewer's decision: approve, reject or request new photos. The first decision wins."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from kcheck import audit
from kcheck.domain import cases as domain
from kcheck.domain.decisions import EVENTS, DecisionInvalid, DecisionRequest
from kcheck.events import emit
from kcheck.models import Case, Decision
from kcheck.retention import schedule_after_decision
from kcheck.review_ui import bp
from kcheck.review_ui.case_page import case_context, vault
from kcheck.review_ui.present import claim_holder
from kcheck.services import services
from kcheck.vault import DataGone


class Conflict(Exception):
    """Someone else got there first; ``kind`` says how (decided, claimed, changed)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _request_from_form() -> DecisionRequest:
    form = request.form
    return DecisionRequest(outcome=form.get("outcome", ""),
                           reason_code=form.get("reason_code", ""),
                           note=form.get("note", "").strip(),
                           slots=tuple(form.getlist("slots")),
                           message=form.get("message", "").strip())


def _apply(session, case: Case, wanted: DecisionRequest, now) -> None:
    settings = services().settings
    target = wanted.outcome
    if not domain.can_transition(case.status, target):
        raise Conflict("decided")
    session.add(Decision(case_id=case.id, reviewer_id=g.staff.id, outcome=target,
                         reason_code=wanted.reason_code, note=wanted.note or None,
                         slots=list(wanted.slots) or None, created_at=now,
                         case_submitted_at=case.submitted_at))
    case.status = target
    case.claimed_by = None
    case.claimed_until = None
    case.updated_at = now
    if wanted.final:
        case.outcome = target
        case.reason_code = wanted.reason_code
        case.decided_at = now
        case.reviewer_id = g.staff.id
        schedule_after_decision(case, now, settings)
        emit(session, case, EVENTS[target], now)
    else:
        # The case reopens for the person: their session stays valid for the new photos.
        case.resubmission_slots = list(wanted.slots)
        try:
            case.resubmission_message = vault().seal_value(case, "resubmission_message",
                                                           wanted.message)
        except DataGone:
            raise Conflict("purged") from None
        emit(session, case, EVENTS[target], now, reason_code=wanted.reason_code,
             resubmission_slots=list(wanted.slots))
    audit.record(session, now, "staff", g.staff.id, "case.decided", case.id, outcome=target,
                 reason_code=wanted.reason_code, slots=list(wanted.slots))


@bp.post("/cases/<case_id>/decision")
def decide(case_id: str):
    svc = services()
    now = svc.now()
    wanted = _request_from_form()
    seen_version = request.form.get("version", "")
    invalid = None
    try:
        with svc.transaction() as session:
            case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
            if case is None:
                abort(404)
            if case.status not in domain.AWAITING_REVIEW:
                raise Conflict("decided")
            holder = claim_holder(case, now)
            if holder not in (None, g.staff.id):
                raise Conflict("claimed")
            if str(case.version) != seen_version:
                raise Conflict("changed")
            try:
                wanted.validate(domain.required_slots(case.document_type))
            except DecisionInvalid as exc:
                invalid = exc.field  # answered below, once this transaction has ended
            else:
                _apply(session, case, wanted, now)
    except StaleDataError:  # a concurrent writer bumped the version between read and write
        return _refused(case_id, now, 409, conflict="changed")
    except Conflict as exc:
        return _refused(case_id, now, 409, conflict=exc.kind)
    if invalid is not None:
        return _refused(case_id, now, 422, error=invalid)
    return redirect(url_for("review.queue", notice=wanted.outcome), code=303)


def _refused(case_id: str, now, status: int, **extra):
    """Show the case again, as it is now, with what went wrong; nothing was recorded."""
    svc = services()
    form = {"outcome": request.form.get("outcome"), "reason_code": request.form.get("reason_code"),
            "note": request.form.get("note", ""), "message": request.form.get("message", ""),
            "slots": request.form.getlist("slots")}
    with svc.sessions() as session:
        case = session.get(Case, case_id)
        context = case_context(session, case, now, form=form, **extra)
    return render_template("review/case.html", **context), status

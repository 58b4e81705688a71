"""The queue of cases awaiting review, ordered by SLA deadline, and the claim on a case."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from kcheck.domain import cases as domain
from kcheck.domain.cases import claim_holder
from kcheck.models import Case, Photo, StaffUser
from kcheck.review_ui.blueprint import bp
from kcheck.review_ui.present import quality_summary, sla_for
from kcheck.services import services
from kcheck.usecases import review

QUEUE_LIMIT = 200


def staff_names(session, ids) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(StaffUser.id, StaffUser.email)
                                .where(StaffUser.id.in_(ids))).all())


@bp.get("/")
def queue():
    svc = services()
    now = svc.now()
    status = request.args.get("status", "")
    reason = request.args.get("reason", "")
    query = select(Case).where(Case.status.in_(domain.AWAITING_REVIEW))
    if status in domain.AWAITING_REVIEW:
        query = query.where(Case.status == status)
    if reason in domain.REASONS:
        query = query.where(Case.reason == reason)
    # The deadline only grows with the submission time, so this order is the deadline order.
    query = query.order_by(Case.submitted_at, Case.id).limit(QUEUE_LIMIT)
    with svc.sessions() as session:
        cases = list(session.scalars(query))
        photos: dict[str, list[Photo]] = {c.id: [] for c in cases}
        if cases:
            for photo in session.scalars(select(Photo).where(Photo.case_id.in_(list(photos)))):
                photos[photo.case_id].append(photo)
        names = staff_names(session, (claim_holder(c, now) for c in cases))
    rows = [{"case": c, "sla": sla_for(c, svc.settings, now),
             "age": now - c.submitted_at if c.submitted_at else None,
             "quality": quality_summary(photos[c.id]),
             "holder": claim_holder(c, now), "holder_name": names.get(claim_holder(c, now))}
            for c in cases]
    return render_template("review/queue.html", rows=rows, status=status, reason=reason,
                           statuses=domain.AWAITING_REVIEW, reasons=domain.REASONS,
                           notice=request.args.get("notice"))


@bp.post("/cases/<case_id>/claim")
def claim(case_id: str):
    """Take the 15-minute lock; two reviewers never both hold it."""
    try:
        won = review.claim(services(), case_id, g.staff.id)
    except review.CaseNotFound:
        abort(404)
    return redirect(url_for("review.case", case_id=case_id,
                            notice="claimed" if won else "claim_taken"), code=303)


@bp.post("/cases/<case_id>/release")
def release(case_id: str):
    """Give the case back to the queue: its holder may, and an admin may release anyone's."""
    admin = g.staff.role == "admin"
    if not review.release(services(), case_id, g.staff.id, any_holder=admin):
        abort(409 if admin else 403)
    return redirect(url_for("review.queue", notice="released"), code=303)

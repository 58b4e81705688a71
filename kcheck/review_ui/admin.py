"""Admin pages: the audit trail (paginated and checkable) and webhook deliveries (replayable);
and the statistics page for all staff."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from kcheck import audit
from kcheck.models import AuditEvent, WebhookDelivery, WebhookEvent
from kcheck.review_stats import review_stats
from kcheck.review_ui.auth import admin_required
from kcheck.review_ui.blueprint import bp
from kcheck.review_ui.queue import staff_names
from kcheck.services import services

PAGE_SIZE = 50
WEBHOOK_STATUSES = ("pending", "sending", "delivered", "failed", "disabled", "no_endpoint")


@bp.get("/admin/audit")
@admin_required
def audit_trail():
    svc = services()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    case_id = request.args.get("case", "").strip()[:36]
    query = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    if case_id:
        query = query.where(AuditEvent.case_id == case_id)
        count = count.where(AuditEvent.case_id == case_id)
    with svc.sessions() as session:
        total = session.scalar(count) or 0
        events = list(session.scalars(query.order_by(AuditEvent.id.desc())
                                      .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        names = staff_names(session, [e.actor_id for e in events if e.actor_type == "staff"])
        problems = audit.verify(session) if request.args.get("verify") else None
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("review/audit.html", events=events, names=names, page=page,
                           pages=pages, total=total, case_id=case_id, problems=problems)


@bp.get("/stats")
def stats():
    svc = services()
    with svc.sessions() as session:
        figures = review_stats(session, svc.settings, svc.now())
    return render_template("review/stats.html", stats=figures,
                           target=svc.settings.review_target_minutes)


@bp.get("/admin/webhooks")
@admin_required
def webhook_events():
    """Recent events to requesters with their delivery state; failed ones can be replayed."""
    svc = services()
    status = request.args.get("status", "")
    query = select(WebhookEvent).order_by(WebhookEvent.id.desc()).limit(PAGE_SIZE)
    if status in WEBHOOK_STATUSES:
        query = query.where(WebhookEvent.status == status)
    with svc.sessions() as session:
        events = list(session.scalars(query))
        last = {d.event_id: d for d in session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.event_id.in_([e.id for e in events]))
            .order_by(WebhookDelivery.attempt))}
    return render_template("review/webhooks.html", events=events, last=last, status=status,
                           statuses=WEBHOOK_STATUSES, notice=request.args.get("notice"))


@bp.post("/admin/webhooks/<event_id>/redeliver")
@admin_required
def redeliver_webhook(event_id: str):
    from kcheck.usecases.webhooks import RedeliveryRefused, redeliver

    try:
        redeliver(services(), event_id, "staff", g.staff.id)
    except RedeliveryRefused as exc:
        abort(409, description=str(exc))
    return redirect(url_for("review.webhook_events", notice="redelivery"), code=303)

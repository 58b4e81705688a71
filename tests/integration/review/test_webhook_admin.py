"""Admins see webhook deliveries and replay one; reviewers cannot."""

from __future__ import annotations

from sqlalchemy import select

from kcheck.models import WebhookEvent


def test_admin_replays_a_failed_delivery(reviewer_for, partner, svc):
    case = partner.open_case(callback_url="http://127.0.0.1:9/hook").get_json()
    with svc.transaction() as session:
        event = session.scalar(select(WebhookEvent).where(WebhookEvent.case_id == case["id"]))
        event.status, event.attempts, event.next_attempt_at = "failed", 8, None
        event_id = event.id
    admin = reviewer_for("admin@example.test", role="admin")
    page = admin.get("/review/admin/webhooks?status=failed")
    assert page.status_code == 200 and event_id in page.get_data(as_text=True)
    replay = admin.submit(f"/review/admin/webhooks/{event_id}/redeliver")
    assert replay.status_code == 303
    with svc.sessions() as session:
        event = session.get(WebhookEvent, event_id)
    assert event.status == "pending" and event.next_attempt_at is not None
    assert "will be sent again" in admin.get(replay.headers["Location"]).get_data(as_text=True)


def test_replay_needs_an_admin_and_the_csrf_token(reviewer_for, reviewer, partner, svc):
    case = partner.open_case(callback_url="http://127.0.0.1:9/hook").get_json()
    with svc.sessions() as session:
        event_id = session.scalar(select(WebhookEvent.id).where(
            WebhookEvent.case_id == case["id"]))
    assert reviewer.get("/review/admin/webhooks").status_code == 403
    admin = reviewer_for("admin@example.test", role="admin")
    admin.get("/review/admin/webhooks")
    forged = admin.client.post(f"/review/admin/webhooks/{event_id}/redeliver", data={})
    assert forged.status_code == 400

"""Sending a webhook event again, asked for by an admin or an operator."""

from __future__ import annotations

from datetime import datetime

from kcheck import audit
from kcheck.adapters.queue import QueueUnavailable
from kcheck.job_specs import DELIVER_WEBHOOK, DELIVER_WEBHOOK_FUNC
from kcheck.models import ApiClient, Case, WebhookEvent


class RedeliveryRefused(Exception):
    """The event cannot be sent again as things stand (the message says why)."""


def request_redelivery(session, event_id: str, now: datetime) -> WebhookEvent:
    """Make one event due now (a replay for a delivered one: receivers dedupe on webhook-id).
    Call `enqueue_delivery` after the commit, or let the dispatcher pick it up."""
    event = session.get(WebhookEvent, event_id)
    if event is None:
        raise RedeliveryRefused("no such event")
    case = session.get(Case, event.case_id)
    client = session.get(ApiClient, event.api_client_id)
    if not case.callback_url:
        raise RedeliveryRefused("the case has no callback URL")
    if client.webhook_disabled_at is not None:
        raise RedeliveryRefused("the endpoint was disabled (it answered 410)")
    event.status = "pending"
    event.next_attempt_at = now
    event.delivered_at = None
    return event


def enable_endpoint(session, client: ApiClient) -> None:
    client.webhook_disabled_at = None


def enqueue_delivery(svc, event_id: str) -> None:
    svc.queue.enqueue(DELIVER_WEBHOOK_FUNC, event_id, spec=DELIVER_WEBHOOK)


def redeliver(svc, event_id: str, actor: str, actor_id: str | None, enable: bool = False,
              **audit_fields) -> bool:
    """Make the event due now (re-enabling its endpoint first if asked) and queue it. Returns
    False when the queue is down: the dispatcher then sends it within 15 s."""
    now = svc.now()
    with svc.transaction() as session:
        event = session.get(WebhookEvent, event_id)
        if event is not None and enable:
            enable_endpoint(session, session.get(ApiClient, event.api_client_id))
        event = request_redelivery(session, event_id, now)
        audit.record(session, now, actor, actor_id, "webhook.redelivery_requested",
                     event.case_id, event_id=event_id, **audit_fields)
    try:
        enqueue_delivery(svc, event_id)
    except QueueUnavailable:
        return False
    return True

"""Webhook delivery to requesting systems: signed per Standard Webhooks, at least once, retried
with backoff and jitter over more than 24 hours, every attempt recorded.

Events are written by kcheck.events.emit in the transaction of the change they report (the
outbox); `dispatch_due_webhooks` enqueues the due ones and `deliver` sends one attempt. A
conditional update (pending -> sending, with a lease) lets only one worker send an attempt,
and records the attempt (`in_flight`) in the same transaction, before anything is sent: a
sender killed mid-attempt leaves that record, its lease runs out, and the next attempt marks
it `sender_lost` and sends again. So delivery is at least once; receivers dedupe on the
`webhook-id` header, which the signature covers.
"""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import datetime, timedelta

from sqlalchemy import select, update

from kcheck import apikeys
from kcheck.adapters.egress import REFUSED, EgressFailed, EgressPolicy, EgressRefused
from kcheck.events import JOB_ERROR
from kcheck.job_specs import DELIVER_WEBHOOK, DELIVER_WEBHOOK_FUNC
from kcheck.models import ApiClient, Case, WebhookDelivery, WebhookEvent
from kcheck.webhook_signing import signature_header
from kcheck.workers.runtime import worker_services

log = logging.getLogger(__name__)
# Delay before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h (about 41 hours in all).
RETRY_DELAYS_S = (5, 300, 1800, 7200, 18000, 36000, 86400)
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS_S)
JITTER = 0.1  # +-10 %, so receivers that came back up are not hit by every sender at once
# Longer than the job's time limit: a lease that ran out means its sender died.
LEASE = timedelta(seconds=2 * DELIVER_WEBHOOK.timeout)
TIMEOUT_S = 10
DISPATCH_BATCH = 500
USER_AGENT = "kcheck-webhooks/1"
DUE_STATUSES = ("pending", "sending")  # "sending" is due again only once its lease ran out
# The `error` of an attempt's record while it is sent, and once a later attempt found its
# sender gone (killed mid-send: the receiver may or may not have had it).
IN_FLIGHT = "in_flight"
SENDER_LOST = "sender_lost"


def retry_delay(attempts_made: int, rng: random.Random | None = None) -> float | None:
    """Seconds to wait after the given number of failed attempts; None once they are used up."""
    if attempts_made < 1 or attempts_made > len(RETRY_DELAYS_S):
        return None
    jitter = (rng or random).uniform(-JITTER, JITTER)
    return RETRY_DELAYS_S[attempts_made - 1] * (1 + jitter)


def body_of(event: WebhookEvent) -> str:
    return json.dumps(event.payload, separators=(",", ":"), sort_keys=True)


def deliver(event_id: str) -> str:
    """RQ job: send one attempt of one event; returns what happened."""
    svc = worker_services()
    return deliver_event(svc, event_id)


def deliver_event(svc, event_id: str) -> str:
    now = svc.now()
    attempt = _claim(svc, event_id, now)
    if attempt is None:
        return "skipped"
    try:
        return _attempt(svc, event_id, attempt, now)
    except Exception as exc:  # noqa: BLE001 - whatever broke, it is one failed attempt
        log.warning("webhook attempt raised %s", type(exc).__name__,
                    extra={"event": event_id, "attempt": attempt})
        return _settle(svc, event_id, attempt, now, None, JOB_ERROR + type(exc).__name__, 0)


def _attempt(svc, event_id: str, attempt: int, now: datetime) -> str:
    """Build, sign and send one attempt, then settle it."""
    with svc.sessions() as session:
        event = session.get(WebhookEvent, event_id)
        case = session.get(Case, event.case_id)
        client = session.get(ApiClient, event.api_client_id)
        secret_list = apikeys.webhook_secrets(client, svc.settings.master_key, now)
    # Only absolute http(s) URLs (https in production) are ever fetched; in production the
    # address connected to must be public (kcheck.adapters.egress).
    policy = EgressPolicy.from_settings(svc.settings)
    try:
        policy.check_url(case.callback_url)
    except EgressRefused as exc:
        return _settle(svc, event_id, attempt, now, None, exc.reason, 0, final=True)
    body = body_of(event)
    signature = signature_header(secret_list, event.id, now, body)
    if not signature:
        return _settle(svc, event_id, attempt, now, None, "no_signing_secret", 0)
    headers = {"content-type": "application/json", "user-agent": USER_AGENT,
               "webhook-id": event.id, "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": signature}
    started = time.perf_counter()
    status_code, error = _post(policy, case.callback_url, body.encode(), headers)
    duration_ms = int((time.perf_counter() - started) * 1000)
    return _settle(svc, event_id, attempt, now, status_code, error, duration_ms,
                   final=error == REFUSED)


def _claim(svc, event_id: str, now: datetime) -> int | None:
    """pending (or sending with a lapsed lease) -> sending, leased, and the attempt recorded as
    in flight; the attempt number, or None when another worker has it, it is not due, or it is
    settled."""
    with svc.transaction() as session:
        disabled = session.scalar(
            select(ApiClient.webhook_disabled_at).join(
                WebhookEvent, WebhookEvent.api_client_id == ApiClient.id)
            .where(WebhookEvent.id == event_id))
        due = (WebhookEvent.id == event_id, WebhookEvent.status.in_(DUE_STATUSES),
               WebhookEvent.next_attempt_at <= now)
        if disabled is not None:
            session.execute(update(WebhookEvent).where(*due)
                            .values(status="disabled", next_attempt_at=None))
            return None
        won = session.execute(update(WebhookEvent).where(*due).values(
            status="sending", attempts=WebhookEvent.attempts + 1,
            next_attempt_at=now + LEASE)).rowcount
        if not won:
            return None
        attempt = session.scalar(select(WebhookEvent.attempts)
                                 .where(WebhookEvent.id == event_id))
        # An earlier attempt still in flight lost its sender: its lease ran out.
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.event_id == event_id, WebhookDelivery.attempt < attempt,
            WebhookDelivery.error == IN_FLIGHT).values(error=SENDER_LOST))
        session.add(WebhookDelivery(event_id=event_id, attempt=attempt, attempted_at=now,
                                    error=IN_FLIGHT))
        return attempt


def _post(policy: EgressPolicy, url: str, body: bytes,
          headers: dict[str, str]) -> tuple[int | None, str | None]:
    """POST without following redirects; the receiver's body is never read."""
    try:
        return policy.post(url, body, headers, TIMEOUT_S), None
    except EgressRefused as exc:
        return None, exc.reason
    except EgressFailed as exc:
        return None, exc.kind


def _settle(svc, event_id: str, attempt: int, now: datetime, status_code: int | None,
            error: str | None, duration_ms: int, final: bool = False) -> str:
    """Record the attempt's outcome; decide what follows only if this worker still holds the
    lease."""
    if status_code is not None and 200 <= status_code < 300:
        outcome, values = "delivered", dict(status="delivered", delivered_at=now,
                                            next_attempt_at=None)
    elif status_code == 410:
        outcome, values = "disabled", dict(status="disabled", next_attempt_at=None)
    else:
        delay = None if final else retry_delay(attempt)
        if delay is None:
            outcome, values = "failed", dict(status="failed", next_attempt_at=None)
        else:
            outcome = "retry"
            values = dict(status="pending", next_attempt_at=now + timedelta(seconds=delay))
    with svc.transaction() as session:
        # The attempt's record, made by the claim (even when a later attempt took over).
        outcome_of_attempt = dict(status_code=status_code, error=error and error[:200],
                                  duration_ms=duration_ms)
        recorded = session.execute(update(WebhookDelivery).where(
            WebhookDelivery.event_id == event_id, WebhookDelivery.attempt == attempt)
            .values(**outcome_of_attempt)).rowcount
        if not recorded:  # claimed by a release that did not record claims yet
            session.add(WebhookDelivery(event_id=event_id, attempt=attempt, attempted_at=now,
                                        **outcome_of_attempt))
        if outcome == "disabled":
            client_id = select(WebhookEvent.api_client_id).where(WebhookEvent.id == event_id)
            session.execute(update(ApiClient).where(
                ApiClient.id == client_id.scalar_subquery(),
                ApiClient.webhook_disabled_at.is_(None)).values(webhook_disabled_at=now))
        session.execute(update(WebhookEvent).where(
            WebhookEvent.id == event_id, WebhookEvent.status == "sending",
            WebhookEvent.attempts == attempt).values(**values))
    log.info("webhook attempt", extra={"event": event_id, "attempt": attempt,
                                       "status": status_code, "error": error, "outcome": outcome})
    return outcome


def dispatch_due_webhooks() -> int:
    """Periodic job (every 15 s): enqueue a delivery for every due event. Enqueuing one twice
    is harmless: only one job wins the claim."""
    svc = worker_services()
    now = svc.now()
    with svc.sessions() as session:
        ids = session.scalars(select(WebhookEvent.id).where(
            WebhookEvent.status.in_(DUE_STATUSES), WebhookEvent.next_attempt_at <= now)
            .order_by(WebhookEvent.next_attempt_at).limit(DISPATCH_BATCH)).all()
    return svc.queue.enqueue_each(DELIVER_WEBHOOK_FUNC, ids, DELIVER_WEBHOOK)

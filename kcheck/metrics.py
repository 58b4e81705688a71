"""Prometheus figures computed at scrape time from the database and Redis (no per-process
counters to lose, so any web process answers for the whole system)."""

from __future__ import annotations

import logging
from datetime import timedelta

from prometheus_client.core import CollectorRegistry, CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from kcheck.models import Case, Photo, WebhookDelivery, WebhookEvent

log = logging.getLogger(__name__)
VERDICT_WINDOW = timedelta(minutes=15)
VERDICT_SAMPLE = 5000


def _age_s(now, moment) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - moment).total_seconds())


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class DatabaseCollector:
    def __init__(self, svc):
        self.svc = svc

    def collect(self):
        now = self.svc.now()
        cases = GaugeMetricFamily("kcheck_cases", "Cases by status", labels=["status"])
        photos = GaugeMetricFamily("kcheck_photos_pending", "Photos waiting for their quality check")
        oldest = GaugeMetricFamily("kcheck_photos_pending_oldest_seconds",
                                   "Age of the oldest photo still waiting for its check")
        verdict = GaugeMetricFamily(
            "kcheck_verdict_latency_seconds",
            "Upload to verdict, over the photos checked in the last 15 minutes",
            labels=["quantile"])
        purge_due = GaugeMetricFamily("kcheck_purge_due_cases",
                                      "Cases whose personal data is past its deletion deadline")
        purge_lag = GaugeMetricFamily("kcheck_purge_lag_seconds",
                                      "How far past its deadline the most overdue purge is")
        backlog = GaugeMetricFamily("kcheck_webhooks_backlog",
                                    "Webhook events due for delivery (pending or retrying)")
        backlog_age = GaugeMetricFamily("kcheck_webhooks_oldest_due_seconds",
                                        "How long the oldest due webhook event has waited")
        with self.svc.sessions() as session:
            for status, count in session.execute(
                    select(Case.status, func.count()).group_by(Case.status)):
                cases.add_metric([status], count)
            waiting = (Photo.status == "pending", Photo.superseded_at.is_(None))
            count, first = session.execute(select(func.count(), func.min(Photo.created_at))
                                           .where(*waiting)).one()
            photos.add_metric([], count or 0)
            oldest.add_metric([], _age_s(now, first))
            recent = session.execute(select(Photo.created_at, Photo.checked_at).where(
                Photo.checked_at > now - VERDICT_WINDOW)
                .order_by(Photo.checked_at.desc()).limit(VERDICT_SAMPLE)).all()
            latencies = [_age_s(checked, created) for created, checked in recent]
            for q in (0.5, 0.95):
                verdict.add_metric([str(q)], _quantile(latencies, q))
            count, first = session.execute(select(func.count(), func.min(Case.purge_due_at))
                                           .where(Case.purge_due_at <= now,
                                                  Case.data_purged_at.is_(None))).one()
            purge_due.add_metric([], count or 0)
            purge_lag.add_metric([], _age_s(now, first))
            count, first = session.execute(
                select(func.count(), func.min(WebhookEvent.next_attempt_at)).where(
                    WebhookEvent.status.in_(("pending", "sending")),
                    WebhookEvent.next_attempt_at <= now)).one()
            backlog.add_metric([], count or 0)
            backlog_age.add_metric([], _age_s(now, first))
            events, job_errors = self._webhooks(session)
        yield from (cases, photos, oldest, verdict, purge_due, purge_lag, backlog, backlog_age,
                    events, job_errors)

    @staticmethod
    def _webhooks(session):
        """Events by delivery status (alert on `failed`), and attempts whose own code raised."""
        from kcheck.events import JOB_ERROR

        events = GaugeMetricFamily("kcheck_webhook_events", "Webhook events by delivery status",
                                   labels=["status"])
        for status, count in session.execute(
                select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)):
            events.add_metric([status], count)
        errors = CounterMetricFamily(
            "kcheck_webhook_job_errors", "Webhook attempts that failed inside kcheck (an "
            "exception in the job, not the receiver's answer)")
        errors.add_metric([], session.scalar(select(func.count()).select_from(WebhookDelivery)
                                             .where(WebhookDelivery.error.like(JOB_ERROR + "%")))
                          or 0)
        return events, errors


class QueueCollector:
    """Jobs waiting in each RQ queue, and those that failed (kept 24 hours). Nothing is
    reported while Redis is down (/readyz says so)."""

    def __init__(self, svc):
        self.svc = svc

    def collect(self):
        from redis.exceptions import RedisError
        from rq import Queue

        from kcheck.adapters.queue import QUEUES

        depth = GaugeMetricFamily("kcheck_queue_depth", "Jobs waiting in the queue",
                                  labels=["queue"])
        failed = GaugeMetricFamily("kcheck_queue_failed_jobs", "Failed jobs kept for inspection",
                                   labels=["queue"])
        try:
            for name in QUEUES:
                queue = Queue(name, connection=self.svc.queue.redis)
                depth.add_metric([name], queue.count)
                failed.add_metric([name], queue.failed_job_registry.count)
        except RedisError as exc:
            log.warning("queue metrics unavailable (%s)", type(exc).__name__)
            return
        yield depth
        yield failed


def registry_for(svc) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(svc))
    registry.register(QueueCollector(svc))
    from kcheck.review_stats import ReviewCollector

    registry.register(ReviewCollector(svc))
    return registry

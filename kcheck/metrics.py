"""Prometheus figures computed from the database at scrape time (no per-process counters to lose)."""

from __future__ import annotations

from prometheus_client.core import CollectorRegistry, CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from kcheck.models import Case, Photo, WebhookDelivery, WebhookEvent


class DatabaseCollector:
    def __init__(self, svc):
        self.svc = svc

    def collect(self):
        cases = GaugeMetricFamily("kcheck_cases", "Cases by status", labels=["status"])
        photos = GaugeMetricFamily("kcheck_photos_pending", "Photos waiting for their quality check")
        with self.svc.sessions() as session:
            for status, count in session.execute(
                    select(Case.status, func.count()).group_by(Case.status)):
                cases.add_metric([status], count)
            photos.add_metric([], session.scalar(
                select(func.count()).select_from(Photo).where(Photo.status == "pending",
                                                             Photo.superseded_at.is_(None))) or 0)
            events, job_errors = self._webhooks(session)
        yield cases
        yield photos
        yield events
        yield job_errors

    @staticmethod
    def _webhooks(session):
        """Events by delivery status (alert on `failed`), and attempts whose own code raised."""
        from kcheck.workers.webhooks import JOB_ERROR

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


def registry_for(svc) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(svc))
    from kcheck.review_ui.stats import ReviewCollector

    registry.register(ReviewCollector(svc))
    return registry

"""Prometheus figures computed from the database at scrape time (no per-process counters to lose)."""

from __future__ import annotations

from prometheus_client.core import CollectorRegistry, GaugeMetricFamily
from sqlalchemy import func, select

from kcheck.models import Case, Photo


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
        yield cases
        yield photos


def registry_for(svc) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(svc))
    from kcheck.review_ui.stats import ReviewCollector

    registry.register(ReviewCollector(svc))
    return registry

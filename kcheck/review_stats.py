"""Review figures (queue depth, response time in business hours, SLA breaches) for the stats
page and for Prometheus. No Flask here: the metrics collector runs it at scrape time."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import select

from kcheck.domain import cases as domain
from kcheck.domain.business_hours import business_time_between, sla_deadline
from kcheck.models import Case, Decision
from kcheck.settings import Settings

WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class ReviewStats:
    queue_depth: int
    overdue_now: int
    decisions: int
    median_response: timedelta | None
    mean_response: timedelta | None
    breaches: int  # decisions of the window answered after the target


def review_stats(session, settings: Settings, now: datetime) -> ReviewStats:
    calendar, target = settings.calendar, settings.review_target_minutes
    waiting = list(session.scalars(select(Case.submitted_at).where(
        Case.status.in_(domain.AWAITING_REVIEW))))
    overdue = sum(1 for submitted in waiting
                  if submitted and sla_deadline(calendar, submitted, target) < now)
    rows = session.execute(select(Decision.case_submitted_at, Decision.created_at).where(
        Decision.created_at >= now - WINDOW, Decision.case_submitted_at.is_not(None))).all()
    seconds = [business_time_between(calendar, submitted, decided).total_seconds()
               for submitted, decided in rows]
    return ReviewStats(
        queue_depth=len(waiting), overdue_now=overdue, decisions=len(seconds),
        median_response=timedelta(seconds=statistics.median(seconds)) if seconds else None,
        mean_response=timedelta(seconds=statistics.fmean(seconds)) if seconds else None,
        breaches=sum(1 for s in seconds if s > target * 60))


class ReviewCollector:
    """Prometheus gauges with the same figures as the stats page."""

    def __init__(self, svc):
        self.svc = svc

    def collect(self):
        with self.svc.sessions() as session:
            stats = review_stats(session, self.svc.settings, self.svc.now())
        depth = GaugeMetricFamily("kcheck_review_queue_depth",
                                  "Cases waiting for a reviewer (submitted or in review)")
        depth.add_metric([], stats.queue_depth)
        overdue = GaugeMetricFamily("kcheck_review_overdue_cases",
                                    "Waiting cases whose review deadline has passed")
        overdue.add_metric([], stats.overdue_now)
        response = GaugeMetricFamily(
            "kcheck_review_response_business_seconds",
            "Time from submission to decision in business hours, decisions of the last 7 days",
            labels=["statistic"])
        for name, value in (("median", stats.median_response), ("mean", stats.mean_response)):
            if value is not None:
                response.add_metric([name], value.total_seconds())
        decisions = GaugeMetricFamily("kcheck_review_decisions_7d",
                                      "Decisions taken in the last 7 days")
        decisions.add_metric([], stats.decisions)
        breaches = GaugeMetricFamily("kcheck_review_sla_breaches_7d",
                                     "Decisions of the last 7 days taken after the target")
        breaches.add_metric([], stats.breaches)
        yield from (depth, overdue, response, decisions, breaches)

"""Review statistics on the page and as Prometheus metrics: the same figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from kcheck.models import Case
from tests.integration.review.test_queue_and_decisions import decide


def test_stats_page_and_metrics_agree(reviewer_for, submitted_case, svc, clock, client):
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=UTC))  # Friday 17:00 in Zurich
    reviewer = reviewer_for()
    fast, slow, waiting, overdue = (submitted_case() for _ in range(4))
    with svc.transaction() as session:
        # Submitted 30 min ago (business time too), and Thursday 17:00 (10 business hours ago).
        session.execute(update(Case).where(Case.id.in_([fast, waiting])).values(
            submitted_at=clock.now() - timedelta(minutes=30)))
        session.execute(update(Case).where(Case.id.in_([slow, overdue])).values(
            submitted_at=clock.now() - timedelta(days=1)))
    assert decide(reviewer, fast, outcome="approved",
                  reason_code="identity_confirmed").status_code == 303
    assert decide(reviewer, slow, outcome="rejected",
                  reason_code="document_expired").status_code == 303
    html = reviewer.get("/review/stats").get_data(as_text=True)
    # Median and mean of 0 h 30 and 10 h 00 are both 5 h 15; one decision breached 2 h.
    assert "5 h 15 min" in html
    assert '<dt>Cases waiting</dt><dd>2</dd>' in html
    assert '<dt>Waiting past their deadline</dt><dd>1</dd>' in html
    assert "<dd>1</dd>" in html.split("-minute target")[1]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "kcheck_review_queue_depth 2.0" in metrics
    assert "kcheck_review_overdue_cases 1.0" in metrics
    assert 'kcheck_review_response_business_seconds{statistic="median"} 18900.0' in metrics
    assert 'kcheck_review_response_business_seconds{statistic="mean"} 18900.0' in metrics
    assert "kcheck_review_sla_breaches_7d 1.0" in metrics
    clock.advance(days=8)  # the window moves on
    assert "kcheck_review_decisions_7d 0.0" in client.get("/metrics").get_data(as_text=True)

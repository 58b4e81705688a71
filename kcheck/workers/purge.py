"""The periodic purge job (every minute): personal data past its deadline is deleted."""

from __future__ import annotations

from kcheck import retention
from kcheck.workers.runtime import worker_services

# Stop well inside the periodic job's 300 s limit; the next tick goes on where this one stopped.
BUDGET_S = 240


def purge_due_cases() -> dict:
    """Purge every due case; returns the counts (cases, blobs, fields, pending, skipped)."""
    svc = worker_services()
    return retention.purge_due_cases(svc, svc.now(), budget_s=BUDGET_S).as_dict()

"""The periodic expiry job (every minute): a case not submitted by its expires_at expires."""

from __future__ import annotations

from kcheck.usecases.maintenance import expire_due
from kcheck.workers.runtime import worker_services

__all__ = ["expire_cases", "expire_due"]


def expire_cases() -> int:
    """Expire every open case past its expires_at; returns how many were."""
    svc = worker_services()
    return expire_due(svc, svc.now())

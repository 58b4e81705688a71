"""Retention deadlines: personal data lives until the decision, and never past 72 hours."""

from __future__ import annotations

from datetime import datetime, timedelta


def hard_deadline(received_at: datetime, retention_hours: int = 72) -> datetime:
    return received_at + timedelta(hours=retention_hours)


def purge_due(received_at: datetime | None, decided_at: datetime | None,
              retention_hours: int = 72, grace_seconds: int = 0) -> datetime | None:
    """When the case's personal data must be gone: the earlier of decision+grace and the hard cap."""
    candidates = []
    if received_at is not None:
        candidates.append(hard_deadline(received_at, retention_hours))
    if decided_at is not None:
        candidates.append(decided_at + timedelta(seconds=grace_seconds))
    return min(candidates) if candidates else None

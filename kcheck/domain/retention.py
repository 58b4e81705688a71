"""Retention deadlines: personal data lives until the decision, and never past 72 hours after
it was stored. Each value belongs to a lot whose clock started when its first value arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The lots of a case's personal values. `requester`: what the requesting system sent when it
# opened the case (stored at creation). `person`: everything from the person's first SMS on,
# and what reviewers add (all stored after that first SMS). `key`: the case's data key, which
# seals both and lives as long as the lot it still serves.
LOTS = ("requester", "person", "key")


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


@dataclass(frozen=True)
class RetentionClock:
    """What a case row says about when its personal values arrived and when they must go."""

    created_at: datetime
    data_received_at: datetime | None
    purge_due_at: datetime | None
    requester_data_due_at: datetime | None = None

    def deadline(self, lot: str, retention_hours: int = 72) -> datetime | None:
        """The latest moment a value of ``lot`` may still exist; None when nothing says when
        (a value found without a deadline is itself a breach of the promise)."""
        if lot == "key":
            lot = "person" if self.data_received_at is not None else "requester"
        if lot == "requester":
            # Requester values are only ever stored when the case is created.
            candidates = [hard_deadline(self.created_at, retention_hours),
                          self.requester_data_due_at, self.purge_due_at]
        elif lot == "person":
            candidates = [self.purge_due_at, self.data_received_at
                          and hard_deadline(self.data_received_at, retention_hours)]
        else:
            raise ValueError(f"unknown lot {lot!r}")
        found = [c for c in candidates if c is not None]
        return min(found) if found else None

"""What the review pages show about a case: SLA figures, quality summary, masked phone number.

No Flask here: these functions take rows and settings and return plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers

from kcheck.domain.business_hours import business_time_between, sla_deadline
from kcheck.models import Case, Photo
from kcheck.settings import Settings


@dataclass(frozen=True)
class Sla:
    deadline: datetime
    left: timedelta  # business time; negative once the deadline has passed

    @property
    def overdue(self) -> bool:
        return self.left < timedelta(0)


def sla_for(case: Case, settings: Settings, now: datetime) -> Sla | None:
    if case.submitted_at is None:
        return None
    deadline = sla_deadline(settings.calendar, case.submitted_at, settings.review_target_minutes)
    return Sla(deadline, business_time_between(settings.calendar, now, deadline))


@dataclass(frozen=True)
class QualitySummary:
    passed: int
    retake: int
    pending: int
    reasons: tuple[str, ...]
    flagged_slots: tuple[str, ...]


def quality_summary(photos: list[Photo]) -> QualitySummary:
    current = [p for p in photos if p.superseded_at is None]
    reasons = sorted({r for p in current for r in (p.reasons or [])})
    return QualitySummary(
        passed=sum(p.status == "pass" for p in current),
        retake=sum(p.status == "retake" for p in current),
        pending=sum(p.status == "pending" for p in current),
        reasons=tuple(reasons),
        flagged_slots=tuple(sorted(p.slot for p in current if p.flagged)))


def mask_phone(e164: str | None) -> str:
    """+41 79 *** ** 67: country and network code, the last two digits, nothing else."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "***"
    groups = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL).split(" ")
    digits_total = sum(c.isdigit() for c in "".join(groups[1:]))
    kept_head = len(groups[1]) if len(groups) > 2 else 0
    out, seen = [groups[0]], 0
    for group in groups[1:]:
        masked = ""
        for char in group:
            if char.isdigit():
                seen += 1
                keep = seen <= kept_head or seen > digits_total - 2
                masked += char if keep else "*"
            else:
                masked += char
        out.append(masked)
    return " ".join(out)

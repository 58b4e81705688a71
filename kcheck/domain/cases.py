"""The case lifecycle and the person's ordered steps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

REASONS = ("password_reset", "login_email_recovery", "two_factor_disable", "account_unlock",
           "ticketing_first_payout", "order_unblock", "other")
LOCALES = ("fr", "de", "it", "en")
DOCUMENT_TYPES = {"id_card": ("id_front", "id_back"), "passport": ("passport_page",)}
SLOTS = ("id_front", "id_back", "passport_page", "selfie")
DEFAULT_EXPIRY_DAYS = {"order_unblock": 10}
DEFAULT_EXPIRY_DAYS_OTHER = 3
MAX_EXPIRY_DAYS = 30
MAX_RETAKES = 3
MAX_PHOTO_MB = 15  # the largest photo accepted, in MiB (as the person is told: "15 MB")
MAX_PHOTO_BYTES = MAX_PHOTO_MB * 1024 * 1024
# The longest a client may ask to wait for a photo's verdict in one request: below the idle
# timeouts of common proxies and load balancers (30-60 s), long enough that a queued check is
# one request.
MAX_VERDICT_WAIT_S = 20
CLAIM_FOR = timedelta(minutes=15)  # a reviewer's claim on a case lapses after this

OPEN_FOR_PERSON = ("created", "in_progress", "resubmission_requested")
AWAITING_REVIEW = ("submitted", "in_review")
DECIDED = ("approved", "rejected")
FINAL = ("approved", "rejected", "expired", "cancelled")
STATUSES = ("created", "in_progress", "submitted", "in_review", "approved", "rejected",
            "resubmission_requested", "expired", "cancelled")


class StepError(Exception):
    """A step was attempted before the one it depends on."""

    def __init__(self, missing_step: str):
        super().__init__(missing_step)
        self.missing_step = missing_step


def default_expiry(reason: str, now: datetime, days: int | None = None) -> datetime:
    if days is None:
        days = DEFAULT_EXPIRY_DAYS.get(reason, DEFAULT_EXPIRY_DAYS_OTHER)
    return now + timedelta(days=days)


def required_slots(document_type: str | None) -> tuple[str, ...]:
    if document_type is None:
        return ()
    return DOCUMENT_TYPES[document_type] + ("selfie",)


@dataclass(frozen=True)
class PhotoState:
    slot: str
    status: str  # pending | pass | retake | reject
    attempt: int


@dataclass(frozen=True)
class Progress:
    """What the person has done and what comes next, computed from stored facts only."""

    phone: bool
    location: bool
    document_type: str | None
    photos: dict[str, PhotoState]
    resubmission_slots: tuple[str, ...] = ()

    @property
    def required_slots(self) -> tuple[str, ...]:
        return required_slots(self.document_type)

    def slot_done(self, slot: str) -> bool:
        photo = self.photos.get(slot)
        if photo is None or slot in self.resubmission_slots:
            return False
        return photo.status == "pass" or (photo.status == "retake" and photo.attempt > MAX_RETAKES)

    def missing(self) -> list[str]:
        """Every step still missing, in order, for the submit answer."""
        out = []
        if not self.phone:
            out.append("phone")
        if not self.location:
            out.append("location")
        if not self.document_type:
            out.append("document_type")
        out += [f"photo:{s}" for s in self.required_slots if not self.slot_done(s)]
        return out

    def next_step(self) -> str:
        missing = self.missing()
        if not missing:
            return "submit"
        first = missing[0]
        return "photos" if first.startswith("photo:") else first

    def require_before(self, step: str) -> None:
        """Refuse a step whose predecessors are not done; name the first missing one."""
        order = ("phone", "location", "document_type", "photos")
        for earlier in order[: order.index(step)]:
            if earlier == "phone" and not self.phone:
                raise StepError("phone")
            if earlier == "location" and not self.location:
                raise StepError("location")
            if earlier == "document_type" and not self.document_type:
                raise StepError("document_type")

    def require_slot_order(self, slot: str) -> None:
        self.require_before("photos")
        if slot not in self.required_slots:
            raise StepError("document_type")
        if slot == "selfie":
            for doc_slot in self.required_slots[:-1]:
                if doc_slot not in self.photos:
                    raise StepError(f"photo:{doc_slot}")

    def flagged_slots(self) -> list[str]:
        return [s for s in self.required_slots
                if (p := self.photos.get(s)) and p.status != "pass" and self.slot_done(s)]


def pending_slots(progress: Progress) -> list[str]:
    return [s for s in progress.required_slots
            if (p := progress.photos.get(s)) and p.status == "pending"]


CREATED = "created"
# The one table of legal moves; `transition` below is the only place a status changes.
TRANSITIONS = {
    "created": {"in_progress", "expired", "cancelled"},
    "in_progress": {"submitted", "expired", "cancelled"},
    "resubmission_requested": {"in_progress", "submitted", "expired", "cancelled"},
    "submitted": {"in_review", "approved", "rejected", "resubmission_requested", "cancelled",
                  "expired"},
    "in_review": {"submitted", "approved", "rejected", "resubmission_requested", "cancelled",
                  "expired"},
}


class TransitionRefused(Exception):
    """A case was asked to move where its current status does not lead."""

    def __init__(self, current: str, target: str):
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


def transition(case, target: str, now: datetime) -> None:
    """Move a loaded case (anything with `status` and `updated_at`) to `target`, or refuse."""
    if not can_transition(case.status, target):
        raise TransitionRefused(case.status, target)
    case.status = target
    case.updated_at = now


def bulk_move(target: str, sources: Iterable[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """For a conditional UPDATE: the statuses it may match and the values it sets. Each source
    must lead to `target`; a case already at `target` stays there (a renewed claim)."""
    sources = tuple(sources)
    for current in sources:
        if current != target and not can_transition(current, target):
            raise TransitionRefused(current, target)
    return sources, {"status": target}


def link_usable(case, now: datetime) -> bool:
    """Whether the case's link can still open a session: unused, unexpired, case still open."""
    return (case.token_used_at is None and case.token_expires_at is not None
            and case.token_expires_at > now and case.expires_at > now
            and case.status in OPEN_FOR_PERSON)


def claim_holder(case, now: datetime) -> str | None:
    """Who holds a live claim on the case (claims lapse after CLAIM_FOR)."""
    if case.claimed_by and case.claimed_until and case.claimed_until > now:
        return case.claimed_by
    return None


def normalise_locale(candidates: Iterable[str | None], default: str = "en") -> str:
    for candidate in candidates:
        if candidate and candidate[:2].lower() in LOCALES:
            return candidate[:2].lower()
    return default

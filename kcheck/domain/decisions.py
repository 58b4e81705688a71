"""A reviewer's decision on a case: the outcomes, their reason codes, and what makes one valid."""

from __future__ import annotations

from dataclasses import dataclass

from kcheck.domain.cases import SLOTS

OUTCOMES = ("approved", "rejected", "resubmission_requested")
# Reason codes are part of the requester's contract (they travel in the webhook).
REASON_CODES = {
    "approved": ("identity_confirmed", "identity_confirmed_after_check"),
    "rejected": ("document_invalid", "document_expired", "face_mismatch", "name_mismatch",
                 "suspected_fraud", "photos_unusable", "other"),
    "resubmission_requested": ("photo_unreadable", "wrong_document", "selfie_without_document",
                               "glare_or_blur", "other"),
}
EVENTS = {"approved": "case.approved", "rejected": "case.rejected",
          "resubmission_requested": "case.resubmission_requested"}
NOTE_MAX = 1000
MESSAGE_MAX = 500


class DecisionInvalid(Exception):
    """The decision form is incomplete; ``field`` names what to fix."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class DecisionRequest:
    outcome: str
    reason_code: str
    note: str = ""
    slots: tuple[str, ...] = ()
    message: str = ""

    def validate(self, required_slots: tuple[str, ...]) -> DecisionRequest:
        """Refuse a decision without a reason; a resubmission needs slots and a message."""
        if self.outcome not in OUTCOMES:
            raise DecisionInvalid("outcome")
        if self.reason_code not in REASON_CODES[self.outcome]:
            raise DecisionInvalid("reason_code")
        if len(self.note) > NOTE_MAX:
            raise DecisionInvalid("note")
        if self.reason_code == "other" and not (self.note.strip() or self.message.strip()):
            raise DecisionInvalid("note")
        if self.outcome == "resubmission_requested":
            allowed = set(required_slots) & set(SLOTS)
            if not self.slots or not set(self.slots) <= allowed:
                raise DecisionInvalid("slots")
            if not self.message.strip() or len(self.message) > MESSAGE_MAX:
                raise DecisionInvalid("message")
        return self

    @property
    def final(self) -> bool:
        return self.outcome in ("approved", "rejected")

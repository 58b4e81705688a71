"""The verdict a photo-quality check returns: slots, reason codes and their priority."""

from __future__ import annotations

from dataclasses import dataclass, field

from kcheck.domain.cases import SLOTS

DOCUMENT_SLOTS = tuple(s for s in SLOTS if s != "selfie")

# Reason codes in the order a person should fix them: a file problem first, then light
# and focus (they spoil every later measurement), then who is in the picture, framing,
# reflections and finally which side of the document was photographed.
REASONS = (
    "not_an_image",
    "unsupported_format",
    "too_large",
    "low_resolution",
    "too_dark",
    "too_bright",
    "blurry",
    "no_face",
    "multiple_faces",
    "face_too_small",
    "document_not_found",
    "document_cut_off",
    "document_too_small",
    "glare",
    "wrong_document_side",
)
# The file itself cannot be used: retaking the same way would not help.
REJECT_REASONS = frozenset({"not_an_image", "unsupported_format", "too_large"})
# A reason asks for a retake only when the check is at least this sure of it (0..1); below,
# it becomes a note for the reviewer. Settings.quality_retake_confidence overrides it.
DEFAULT_RETAKE_CONFIDENCE = 0.8


def by_priority(reasons) -> tuple[str, ...]:
    """Deduplicate reason codes and order them most important first."""
    rank = {code: i for i, code in enumerate(REASONS)}
    return tuple(sorted(set(reasons), key=lambda code: rank.get(code, len(rank))))


@dataclass(frozen=True)
class QualityVerdict:
    """Outcome of checking one photo, with the numbers that led to it."""

    verdict: str
    reasons: tuple[str, ...]
    metrics: dict = field(default_factory=dict)
    document_quad: list[list[float]] | None = None
    faces: list[list[int]] = field(default_factory=list)
    # Doubts below the retake threshold, for the reviewer: ((code, confidence), ...).
    notes: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_findings(
        cls, confidences: dict[str, float], retake_confidence: float = DEFAULT_RETAKE_CONFIDENCE, **kwargs
    ) -> QualityVerdict:
        """Sure reasons (confidence >= retake_confidence) ask for a retake; the rest are notes."""
        sure = [code for code, value in confidences.items() if value >= retake_confidence]
        doubts = by_priority(code for code, value in confidences.items() if value < retake_confidence)
        notes = tuple((code, round(float(confidences[code]), 2)) for code in doubts)
        return cls.from_reasons(sure, notes=notes, **kwargs)

    @classmethod
    def from_reasons(cls, reasons, **kwargs) -> QualityVerdict:
        """Build a verdict whose kind follows from the reasons found."""
        ordered = by_priority(reasons)
        if REJECT_REASONS.intersection(ordered):
            kind = "reject"
        elif ordered:
            kind = "retake"
        else:
            kind = "pass"
        return cls(verdict=kind, reasons=ordered, **kwargs)

    @classmethod
    def refused(cls, error) -> QualityVerdict:
        """The verdict on a file that cannot be checked (an ImageRejected: its code and detail)."""
        return cls.from_reasons([error.code], metrics={"detail": error.detail})

    @classmethod
    def unchecked(cls) -> QualityVerdict:
        """The verdict on a photo whose check could not run to its end (a fault in the check, a
        timeout, a worker that died on it each time): it passes, so the person is not kept
        waiting, and the reviewer is told that no automatic check judged it."""
        return cls(verdict="pass", reasons=(), metrics={"unchecked": True})

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @classmethod
    def from_json(cls, stored: dict) -> QualityVerdict:
        """The verdict as `to_json` stored it."""
        return cls(verdict=stored["verdict"], reasons=tuple(stored.get("reasons", ())),
                   metrics=dict(stored.get("metrics") or {}),
                   document_quad=stored.get("document_quad"),
                   faces=[list(box) for box in stored.get("faces") or ()],
                   notes=tuple((n["code"], n["confidence"]) for n in stored.get("notes") or ()))

    def to_json(self) -> dict:
        """A JSON-serialisable dict (what workers store and the API returns)."""
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "metrics": dict(self.metrics),
            "document_quad": self.document_quad,
            "faces": [list(box) for box in self.faces],
            "notes": [{"code": code, "confidence": value} for code, value in self.notes],
        }

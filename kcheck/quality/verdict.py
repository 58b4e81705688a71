"""The verdict a photo-quality check returns: slots, reason codes and their priority."""

from __future__ import annotations

from dataclasses import dataclass, field

SLOTS = ("id_front", "id_back", "passport_page", "selfie")
DOCUMENT_SLOTS = ("id_front", "id_back", "passport_page")

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

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def to_json(self) -> dict:
        """A JSON-serialisable dict (what workers store and the API returns)."""
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "metrics": dict(self.metrics),
            "document_quad": self.document_quad,
            "faces": [list(box) for box in self.faces],
        }

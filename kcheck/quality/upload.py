"""A photo's whole way through the checks, in one place: the intake's refusal of files nothing
can be read from, the stored copy the worker makes, and the check of that copy. The worker,
`kcheck check-image` and the accuracy bench judge a file this way, so they agree on it."""

from __future__ import annotations

from kcheck.quality.check import check_photo
from kcheck.quality.formats import ImageRejected
from kcheck.quality.sanitize import SanitizedImage, sanitize_upload, stored_copy
from kcheck.quality.verdict import DEFAULT_RETAKE_CONFIDENCE, QualityVerdict


def checked_copy(upload: bytes, orientation: int | None, slot: str,
                 retake_confidence: float = DEFAULT_RETAKE_CONFIDENCE,
                 ) -> tuple[SanitizedImage | None, QualityVerdict]:
    """The stored copy of an accepted upload (None when it cannot be decoded) and its verdict."""
    try:
        copy = stored_copy(upload, orientation)
    except ImageRejected as exc:
        return None, QualityVerdict.refused(exc)
    return copy, check_photo(copy.data, slot, retake_confidence)


def check_upload(data: bytes, slot: str,
                 retake_confidence: float = DEFAULT_RETAKE_CONFIDENCE) -> QualityVerdict:
    """The verdict a person gets for this file: refused at intake, or checked as the worker
    checks it."""
    try:
        clean = sanitize_upload(data)
    except ImageRejected as exc:
        return QualityVerdict.refused(exc)
    return checked_copy(clean.data, clean.orientation, slot, retake_confidence)[1]

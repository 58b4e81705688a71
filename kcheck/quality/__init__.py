"""Photo quality checks: pure functions from image bytes to a verdict (no I/O, no framework).

Workers call check_photo on each uploaded photo; the intake API calls sanitize_upload
before storing; reviewers see annotate's preview; message_for tells the person what to do.
"""

from kcheck.quality.annotate import annotate
from kcheck.quality.check import check_photo
from kcheck.quality.formats import ImageRejected
from kcheck.quality.messages import message_for
from kcheck.quality.sanitize import SanitizedImage, sanitize_upload
from kcheck.quality.verdict import REASONS, SLOTS, QualityVerdict

__all__ = [
    "REASONS",
    "SLOTS",
    "ImageRejected",
    "QualityVerdict",
    "SanitizedImage",
    "annotate",
    "check_photo",
    "message_for",
    "sanitize_upload",
]

"""Photo quality checks: pure functions from image bytes to a verdict (no I/O, no framework).

The intake API calls sanitize_upload (metadata removed, no decode) before storing; workers
make the stored copy and check it (checked_copy); check_upload is the whole way for one file
(the CLI and the benches); reviewers see annotate's
preview; message_for tells the person what to do.
"""

from kcheck.quality.annotate import annotate, annotate_pixels
from kcheck.quality.check import check_photo, warm_up
from kcheck.quality.formats import ImageRejected
from kcheck.quality.messages import message_for
from kcheck.quality.sanitize import SanitizedImage, sanitize_upload, stored_copy
from kcheck.quality.upload import check_upload, checked_copy
from kcheck.quality.verdict import REASONS, SLOTS, QualityVerdict

__all__ = [
    "REASONS",
    "SLOTS",
    "ImageRejected",
    "QualityVerdict",
    "SanitizedImage",
    "annotate",
    "annotate_pixels",
    "check_upload",
    "check_photo",
    "checked_copy",
    "message_for",
    "sanitize_upload",
    "stored_copy",
    "warm_up",
]

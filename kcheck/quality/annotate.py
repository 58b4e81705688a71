"""A downscaled JPEG preview for reviewers with the document outline and faces drawn."""

from __future__ import annotations

import cv2
import numpy as np

from kcheck.quality.decode import decode_working, shrink_to
from kcheck.quality.verdict import QualityVerdict

DOCUMENT_COLOUR = (60, 200, 60)  # BGR green
FACE_COLOUR = (255, 140, 0)  # BGR blue
PREVIEW_QUALITY = 80


def annotate(data: bytes, verdict: QualityVerdict, max_side: int = 1280) -> bytes:
    """Return a JPEG no larger than `max_side` with the verdict's outline and face boxes.

    Coordinates in the verdict are in original-image pixels; they are scaled here.
    Raises ImageRejected if `data` is not a usable image.
    """
    image = decode_working(data, long_side=max_side)
    return _drawn(image.bgr.copy(), 1.0 / image.scale, verdict)


def annotate_pixels(bgr: np.ndarray, verdict: QualityVerdict, max_side: int = 1280) -> bytes:
    """The same preview from the checked image's BGR pixels still in memory (the worker has
    them from making the stored copy), sized as `annotate` would size it, without a decode."""
    bgr, scale = shrink_to(bgr, max_side, to_look_at=True)
    return _drawn(bgr if scale != 1.0 else bgr.copy(), scale, verdict)


def _drawn(canvas: np.ndarray, scale: float, verdict: QualityVerdict) -> bytes:
    """Draw the verdict's outline and faces (original pixels x `scale`) and encode."""
    thickness = max(2, round(max(canvas.shape[:2]) / 400))
    if verdict.document_quad:
        quad = np.round(np.array(verdict.document_quad, np.float32) * scale).astype(np.int32)
        cv2.polylines(canvas, [quad], True, DOCUMENT_COLOUR, thickness, cv2.LINE_AA)
    for x, y, w, h in verdict.faces:
        top_left = (round(x * scale), round(y * scale))
        bottom_right = (round((x + w) * scale), round((y + h) * scale))
        cv2.rectangle(canvas, top_left, bottom_right, FACE_COLOUR, thickness, cv2.LINE_AA)
    ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, PREVIEW_QUALITY])
    if not ok:  # pragma: no cover - encoding an in-memory BGR array does not fail
        raise RuntimeError("could not encode the preview")
    return buf.tobytes()

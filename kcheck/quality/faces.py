"""Frontal face detection with dlib's HOG detector (shipped inside dlib-bin, loaded once).

HOG finds several faces and small ones where OpenCV's Haar cascade missed second faces,
and its score is steady across JPEG quality. Its window is 80 px: a face is looked for in
a copy scaled so that the smallest wanted face is that wide, which also sets the cost.
"""

from __future__ import annotations

import functools
import threading
from typing import NamedTuple

import cv2
import numpy as np

WINDOW = 80  # dlib's frontal detector finds faces from about this width
# Detections down to this score are kept (dlib's own cut-off is 0); the caller grades them.
WEAKEST = -0.4

_lock = threading.Lock()


class Face(NamedTuple):
    """A face box in the caller's pixels and the detector's score (> 0: a confident face)."""

    x: int
    y: int
    w: int
    h: int
    score: float
    upside_down: bool = False  # found in the image turned half a turn (faces_on_document)


@functools.cache
def _detector():
    import dlib

    return dlib.get_frontal_face_detector()


def detect_faces(gray: np.ndarray, min_size: float, weakest: float = WEAKEST) -> list[Face]:
    """Faces at least about `min_size` px wide in `gray`, largest first."""
    factor = WINDOW / max(min_size, 1.0)
    small = gray
    if abs(factor - 1) > 0.05:
        # Down to half size linear sampling still reads every other pixel (and costs a fifth
        # of INTER_AREA); further down it would alias.
        interpolation = cv2.INTER_AREA if factor < 0.5 else cv2.INTER_LINEAR
        small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)
    if min(small.shape[:2]) < WINDOW:
        return []
    with _lock:  # dlib's detector object is not documented as thread-safe
        boxes, scores, _ = _detector().run(np.ascontiguousarray(small), 0, weakest)
    faces = []
    for box, score in zip(boxes, scores, strict=True):
        x, y = max(box.left(), 0) / factor, max(box.top(), 0) / factor
        w, h = box.width() / factor, box.height() / factor
        faces.append(Face(round(x), round(y), round(w), round(h), round(float(score), 2)))
    return sorted(faces, key=lambda f: f.w * f.h, reverse=True)


def faces_on_document(flat: np.ndarray, min_size: float, weakest: float = WEAKEST) -> list[Face]:
    """Faces on a flattened document, which may be upside down after flattening (the
    upside-down view is only searched when the upright one has no confident face)."""
    faces = detect_faces(flat, min_size, weakest)
    if any(f.score > 0 for f in faces):
        return faces
    height, width = flat.shape[:2]
    flipped = detect_faces(cv2.rotate(flat, cv2.ROTATE_180), min_size, weakest)
    flipped = [Face(width - f.x - f.w, height - f.y - f.h, f.w, f.h, f.score, True) for f in flipped]
    return max((faces, flipped), key=lambda found: max((f.score for f in found), default=-9))


def load_detector() -> None:
    """Load the detector now (about 0.6 s of CPU) rather than in the first photo's check."""
    _detector()

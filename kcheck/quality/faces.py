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
# The weakest score any check asks for (check.NO_PORTRAIT_SCORE): a FaceSearch looks that far
# down at once (the threshold costs the detector nothing), so no caller repeats its search.
LOWEST = -0.6

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
    return [face for face, _ in _scored_faces(gray, min_size, weakest)]


def _scored_faces(gray: np.ndarray, min_size: float, weakest: float) -> list[tuple[Face, float]]:
    """detect_faces's faces, each with the detector's unrounded score."""
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
        faces.append((Face(round(x), round(y), round(w), round(h), round(float(score), 2)), float(score)))
    return sorted(faces, key=lambda f: f[0].w * f[0].h, reverse=True)


def faces_on_document(flat: np.ndarray, min_size: float, weakest: float = WEAKEST) -> list[Face]:
    """Faces on a flattened document, which may be upside down after flattening (the
    upside-down view is only searched when the upright one has no confident face)."""
    return FaceSearch(flat).on_document(min_size, weakest)


class FaceSearch:
    """faces_on_document's searches of one image, each size searched once, down to LOWEST (or the
    weakest score asked for): a caller asking for stronger faces gets them filtered from it (the
    detector keeps the same faces above a score however far below it its threshold is set: it
    drops overlapping boxes strongest first)."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        # min_size -> [the weakest score searched, upright faces, upside-down faces or None]
        self._found: dict[float, list] = {}

    def on_document(self, min_size: float, weakest: float = WEAKEST) -> list[Face]:
        """faces_on_document(gray, min_size, weakest)."""
        if min_size not in self._found or self._found[min_size][0] > weakest:
            searched = min(weakest, LOWEST)
            self._found[min_size] = [searched, _scored_faces(self.gray, min_size, searched), None]
        found = self._found[min_size]
        faces = _stronger(found[1], weakest)
        if any(f.score > 0 for f in faces):
            return faces
        if found[2] is None:
            height, width = self.gray.shape[:2]
            turned = _scored_faces(cv2.rotate(self.gray, cv2.ROTATE_180), min_size, found[0])
            found[2] = [(Face(width - f.x - f.w, height - f.y - f.h, f.w, f.h, f.score, True), score)
                        for f, score in turned]
        flipped = _stronger(found[2], weakest)
        return max((faces, flipped), key=lambda found: max((f.score for f in found), default=-9))


def _stronger(scored: list[tuple[Face, float]], weakest: float) -> list[Face]:
    """The faces scoring at least `weakest` (as the detector run at that threshold keeps them)."""
    return [face for face, score in scored if score >= weakest]


def load_detector() -> None:
    """Load the detector now (about 0.6 s of CPU) rather than in the first photo's check."""
    _detector()

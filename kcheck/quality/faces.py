"""Frontal face detection with OpenCV's Haar cascade (loaded once, on first use)."""

from __future__ import annotations

import functools

import cv2
import numpy as np

CASCADE_FILE = "haarcascade_frontalface_default.xml"


@functools.cache
def _cascade() -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE_FILE)
    if cascade.empty():
        raise RuntimeError(f"could not load {CASCADE_FILE} from {cv2.data.haarcascades}")
    return cascade


def detect_faces(gray: np.ndarray, min_size: float, neighbours: int = 4) -> list[tuple[int, ...]]:
    """Face boxes (x, y, w, h), largest first, no smaller than `min_size` pixels."""
    min_size = max(20, int(min_size))
    if min(gray.shape[:2]) < min_size:
        return []
    boxes = _cascade().detectMultiScale(
        gray,
        scaleFactor=1.1,
        minNeighbors=neighbours,
        minSize=(min_size, min_size),
    )
    found = [tuple(int(v) for v in box) for box in boxes]
    return sorted(found, key=lambda box: box[2] * box[3], reverse=True)


def faces_on_document(flat: np.ndarray, min_size: float) -> list[tuple[int, ...]]:
    """Faces on a flattened document, which may be upside down after flattening."""
    faces = detect_faces(flat, min_size)
    if faces:
        return faces
    height, width = flat.shape[:2]
    flipped = detect_faces(cv2.rotate(flat, cv2.ROTATE_180), min_size)
    return [(width - x - w, height - y - h, w, h) for x, y, w, h in flipped]

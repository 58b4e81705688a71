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


# The cascade's cost grows with the number of windows it scans, so faces are looked for
# in a copy shrunk until the smallest wanted face is SMALLEST_FACE pixels wide (the
# cascade's own window is 24; at 32 it still finds faces reliably).
SMALLEST_FACE = 32
SCALE_STEP = 1.2


def detect_faces(
    gray: np.ndarray,
    min_size: float,
    neighbours: int = 4,
    smallest: int = SMALLEST_FACE,
    scale_step: float = SCALE_STEP,
) -> list[tuple[int, ...]]:
    """Face boxes (x, y, w, h) in `gray`'s pixels, largest first, at least `min_size` wide.

    The image is first shrunk so that `min_size` maps to `smallest` pixels (a large,
    frontal selfie face is still found at the cascade's native 24).
    """
    factor = max(1.0, min_size / smallest)
    small = gray
    if factor > 1.0:
        size = (round(gray.shape[1] / factor), round(gray.shape[0] / factor))
        small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    if min(small.shape[:2]) < smallest:
        return []
    boxes = _cascade().detectMultiScale(
        small,
        scaleFactor=scale_step,
        minNeighbors=neighbours,
        minSize=(smallest, smallest),
    )
    boxes = [[round(v * factor) for v in box] for box in boxes]
    found = [tuple(int(v) for v in box) for box in boxes if box[2] >= min_size * 0.9]
    return sorted(found, key=lambda box: box[2] * box[3], reverse=True)


def faces_on_document(flat: np.ndarray, min_size: float) -> list[tuple[int, ...]]:
    """Faces on a flattened document, which may be upside down after flattening."""
    faces = detect_faces(flat, min_size)
    if faces:
        return faces
    height, width = flat.shape[:2]
    flipped = detect_faces(cv2.rotate(flat, cv2.ROTATE_180), min_size)
    return [(width - x - w, height - y - h, w, h) for x, y, w, h in flipped]

"""Selfie-to-document face comparison with dlib's ResNet face encoder (offline, CPU).

Only a FaceMatch (distance, threshold, verdict) leaves this module in the product: the
128-number face templates live in local variables and are never returned, stored or logged
(`calibration_templates` exists for bench/facematch.py alone).

Threshold and calibration
-------------------------
dlib's model maps a face to 128 numbers; two photos of one person are usually closer than
0.6 (Euclidean), the value dlib documents for its LFW accuracy of 99.38 %. MATCH_THRESHOLD
is chosen by `bench/facematch.py --calibrate` on the CALIBRATION split of datasets/faces (real
photos of public figures, split by person; the selfie side is a photo, the document side an
ID-portrait-like print of another photo of the same or another person): the largest distance
whose false match rate keeps a 95 % upper bound under 1 %. That gave 0.6 (5/4 262 different-
people pairs at 0.575, 19 at 0.6, 52 at 0.625); the former 0.5, chosen on one real face and
25-pixel thumbnails, refused a third of the same-person document pairs there (61/187).
The TEST split's figures are in the README. The same run writes facematch_calibration.json,
from which kcheck.docintel.facescore puts a score into words for the reviewer.

Honest limits: press and TV photos of a few dozen public figures, mostly adults of European
descent, printed portraits simulated rather than photographed from real cards. The assist only
ever informs a reviewer, who decides.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import cv2
import numpy as np

MATCH_THRESHOLD = 0.6
DETECT_LONG_SIDE = 1200  # faces are looked for at this size (a selfie face is >= 120 px)
MODEL = "dlib_face_recognition_resnet_model_v1"

_lock = threading.Lock()


@dataclass(frozen=True)
class FaceMatch:
    """The only result of a comparison: never the templates."""

    verdict: str  # match | no_match | no_face_selfie | no_face_document | unreadable
    distance: float | None = None
    threshold: float = MATCH_THRESHOLD

    @property
    def similarity(self) -> float | None:
        """1 - distance, clipped to 0..1: what a reviewer reads as a percentage."""
        return None if self.distance is None else round(max(0.0, min(1.0, 1 - self.distance)), 3)

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "distance": self.distance,
                "similarity": self.similarity, "threshold": self.threshold, "model": MODEL}


@functools.cache
def _models():
    import dlib
    import face_recognition_models as models

    return (dlib.get_frontal_face_detector(),
            dlib.shape_predictor(models.pose_predictor_five_point_model_location()),
            dlib.face_recognition_model_v1(models.face_recognition_model_location()))


def decode_rgb(data: bytes) -> np.ndarray | None:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _largest_face(rgb: np.ndarray, upsample: int):
    """(image used, rectangle) of the largest frontal face, or None."""
    import dlib

    detector, _, _ = _models()
    scale = min(1.0, DETECT_LONG_SIDE / max(rgb.shape[:2]))
    image = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1 else rgb
    faces = list(detector(image, upsample))
    if not faces:
        return None
    face = max(faces, key=lambda r: r.width() * r.height())
    return image, dlib.rectangle(face.left(), face.top(), face.right(), face.bottom())


def _template(rgb: np.ndarray, upsample: int) -> np.ndarray | None:
    found = _largest_face(rgb, upsample)
    if found is None:
        return None
    image, rect = found
    _, predictor, encoder = _models()
    shape = predictor(image, rect)
    return np.asarray(encoder.compute_face_descriptor(image, shape, 1))


def compare(selfie: bytes | np.ndarray, document: bytes | np.ndarray) -> FaceMatch:
    """Compare the largest face of the selfie with the largest face on the document photo
    (its portrait; the selfie's held card shows a smaller copy of the same portrait)."""
    images = [decode_rgb(x) if isinstance(x, bytes) else x for x in (selfie, document)]
    if any(image is None for image in images):
        return FaceMatch("unreadable")
    with _lock:
        selfie_template = _side_template(images[0], "selfie")
        if selfie_template is None:
            return FaceMatch("no_face_selfie")
        document_template = _side_template(images[1], "document")
        if document_template is None:
            return FaceMatch("no_face_document")
    distance = round(float(np.linalg.norm(selfie_template - document_template)), 4)
    return FaceMatch("match" if distance <= MATCH_THRESHOLD else "no_match", distance)


def _side_template(rgb: np.ndarray, side: str) -> np.ndarray | None:
    # A large selfie shows its face big enough without upsampling; a document portrait is small.
    upsample = 0 if side == "selfie" and max(rgb.shape[:2]) > 600 else 1
    return _template(rgb, upsample)


def calibration_templates(images: list[np.ndarray], side: str) -> list[np.ndarray | None]:
    """bench/facematch.py only: the templates compare() would compute for each image on one
    side ("selfie" or "document"), so thousands of pairs are scored without recomputing them.
    The product never calls this; its templates stay inside compare()."""
    with _lock:
        return [_side_template(image, side) for image in images]


def largest_face_box(rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the face compare() would use, in the image's own pixels."""
    with _lock:
        found = _largest_face(rgb, upsample=1)
    if found is None:
        return None
    image, rect = found
    ratio = rgb.shape[1] / image.shape[1]
    return tuple(round(v * ratio) for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))

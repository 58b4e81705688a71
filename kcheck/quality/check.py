"""check_photo: decode at working size, measure, and turn the measurements into reasons."""

from __future__ import annotations

import cv2
import numpy as np

from kcheck.quality import measures
from kcheck.quality.decode import WorkingImage, decode_working
from kcheck.quality.document import (
    ID1_ASPECT,
    ID3_ASPECT,
    DocumentFinding,
    find_document,
    flatten,
    quad_mask,
)
from kcheck.quality.faces import detect_faces, faces_on_document
from kcheck.quality.formats import MIN_CHECK_SHORT_SIDE, ImageRejected
from kcheck.quality.verdict import SLOTS, QualityVerdict

# Thresholds, calibrated on the labelled fixtures at the working size (decode.py).
MAX_DOCUMENT_BLUR = 0.33  # blur_score of the flattened document (0 sharp .. 1 blurred)
MAX_FACE_BLUR = 0.5  # blur_score of the selfie face at 96 px
DARK_MEDIAN = 50  # median brightness below this: too dark
DARK_P95 = 80  # ...or even the brightest 5 % are below this
BRIGHT_CLIPPED = 0.30  # more than this share of the region clipped to white: too bright
BRIGHT_MEDIAN = 245
GLARE_MIN = 0.008  # largest specular blob, as a share of the document area
DOCUMENT_MIN_AREA = 0.12  # the document must cover this share of the frame
SELFIE_DOCUMENT_MIN_AREA = 0.04
FACE_MIN_WIDTH = 0.15  # selfie face width as a share of the photo's short side
SECOND_FACE_RATIO = 0.6  # a second face at least this wide (vs the first) is a 2nd person
PORTRAIT_MIN_WIDTH = 0.14  # portrait face width as a share of the flattened document
SELFIE_FACE_MIN_WIDTH = 0.1  # smaller faces are not looked for (they read as no face)

_SPOILERS = frozenset({"too_dark", "too_bright", "blurry", "glare"})
_SLOT_ASPECTS = {
    "id_front": (ID1_ASPECT,),
    "id_back": (ID1_ASPECT,),
    "passport_page": (ID3_ASPECT,),
}


def check_photo(data: bytes, slot: str) -> QualityVerdict:
    """Check one photo for `slot` and say whether to keep it, retake it or refuse the file."""
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}; expected one of {SLOTS}")
    try:
        image = decode_working(data)
    except ImageRejected as exc:
        return QualityVerdict.from_reasons([exc.code], metrics={"detail": exc.detail})
    reasons: list[str] = []
    metrics: dict = {
        "width": image.original_width,
        "height": image.original_height,
        "working_width": int(image.gray.shape[1]),
        "working_height": int(image.gray.shape[0]),
    }
    if min(image.original_width, image.original_height) < MIN_CHECK_SHORT_SIDE:
        reasons.append("low_resolution")
    if slot == "selfie":
        quad, faces = _check_selfie(image, reasons, metrics)
    else:
        quad, faces = _check_document(image, slot, reasons, metrics)
    scale = image.scale
    original_quad = None
    if quad is not None:
        original_quad = [[round(float(v) * scale, 1) for v in point] for point in quad]
    return QualityVerdict.from_reasons(
        reasons,
        metrics=metrics,
        document_quad=original_quad,
        faces=[[round(v * scale) for v in box] for box in faces],
    )


def _check_document(image: WorkingImage, slot: str, reasons: list, metrics: dict):
    finding = find_document(image.gray, _SLOT_ASPECTS[slot])
    _document_metrics(finding, metrics)
    if finding.quad is None:
        reasons.append("document_not_found")
        _exposure(image.gray, None, reasons, metrics)
        return None, []
    mask = quad_mask(image.gray.shape, finding.quad)
    _exposure(image.gray, mask, reasons, metrics)
    metrics["glare_fraction"] = measures.glare_fraction(image.bgr, mask)
    if metrics["glare_fraction"] >= GLARE_MIN and "too_bright" not in reasons:
        reasons.append("glare")
    if finding.cut_off:
        reasons.append("document_cut_off")
        return finding.quad, []
    if finding.area_fraction < DOCUMENT_MIN_AREA:
        # Too few pixels on the card to judge focus or find the portrait reliably.
        reasons.append("document_too_small")
        return finding.quad, []
    flat = flatten(image.gray, finding.quad, finding.aspect)
    metrics["laplacian_variance"] = measures.sharpness(flat)
    metrics["blur"] = measures.blur_score(flat)
    if metrics["blur"] > MAX_DOCUMENT_BLUR:
        reasons.append("blurry")
    portraits = faces_on_document(flat, PORTRAIT_MIN_WIDTH * flat.shape[1])
    metrics["portrait_faces"] = len(portraits)
    wants_portrait = slot != "id_back"
    # Only judge the side on a usable photo: blur, glare or bad light can hide a portrait.
    if bool(portraits) != wants_portrait and not _SPOILERS.intersection(reasons):
        reasons.append("wrong_document_side")
    return finding.quad, _unflatten_boxes(portraits, finding, flat.shape)


def _check_selfie(image: WorkingImage, reasons: list, metrics: dict):
    finding = find_document(
        image.gray,
        (ID1_ASPECT, ID3_ASPECT),
        min_area=SELFIE_DOCUMENT_MIN_AREA,
        tolerance=0.2,
        min_fill=0.8,
        min_edge_support=0.5,
        occluded_sides=1,  # fingers holding the card
    )
    _document_metrics(finding, metrics)
    _exposure(image.gray, None, reasons, metrics)
    if finding.quad is None:
        reasons.append("document_not_found")
    faces = _person_faces(image.gray, finding)
    short_side = min(image.gray.shape[:2])
    metrics["faces"] = len(faces)
    if not faces:
        reasons.append("no_face")
        return finding.quad, []
    main = faces[0]
    metrics["face_width_fraction"] = round(main[2] / short_side, 3)
    if main[2] < FACE_MIN_WIDTH * short_side:
        reasons.append("face_too_small")
    if any(other[2] >= SECOND_FACE_RATIO * main[2] for other in faces[1:]):
        reasons.append("multiple_faces")
    x, y, w, h = main
    face = image.gray[y : y + h, x : x + w]
    metrics["face_blur"] = measures.blur_score(face, measures.FACE_SHARPNESS_WIDTH)
    if metrics["face_blur"] > MAX_FACE_BLUR:
        reasons.append("blurry")
    return finding.quad, faces


def _person_faces(gray: np.ndarray, finding: DocumentFinding) -> list[tuple[int, ...]]:
    """Faces of people: the portrait printed on the held document does not count.

    A face counts as the printed portrait when it lies inside the document and is small
    next to it (a portrait is at most about a quarter of the card's width).
    """
    # A selfie face is large and frontal: it is still found at the cascade's native size.
    boxes = detect_faces(gray, SELFIE_FACE_MIN_WIDTH * min(gray.shape[:2]), smallest=24)
    if finding.quad is None:
        return boxes
    contour = finding.quad.reshape(-1, 1, 2).astype(np.float32)
    document_width = float(np.linalg.norm(finding.quad[1] - finding.quad[0]))

    def is_portrait(box) -> bool:
        centre = (box[0] + box[2] / 2, box[1] + box[3] / 2)
        inside = cv2.pointPolygonTest(contour, centre, False) >= 0
        return inside and box[2] < 0.35 * document_width

    return [box for box in boxes if not is_portrait(box)]


def _exposure(gray: np.ndarray, mask, reasons: list, metrics: dict) -> None:
    stats = measures.exposure(gray, mask)
    metrics.update(stats)
    if stats["brightness_p50"] < DARK_MEDIAN or stats["brightness_p95"] < DARK_P95:
        reasons.append("too_dark")
    elif stats["clipped_white_fraction"] > BRIGHT_CLIPPED or stats["brightness_p50"] >= BRIGHT_MEDIAN:
        reasons.append("too_bright")


def _document_metrics(finding: DocumentFinding, metrics: dict) -> None:
    metrics["document_area_fraction"] = finding.area_fraction
    metrics["document_aspect"] = finding.aspect


def _unflatten_boxes(boxes, finding: DocumentFinding, flat_shape) -> list[tuple[int, ...]]:
    """Map face boxes found on the flattened document back to working-image pixels."""
    if not boxes:
        return []
    height, width = flat_shape[:2]
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    back = cv2.getPerspectiveTransform(target, finding.quad.astype(np.float32))
    out = []
    for x, y, w, h in boxes:
        corners = np.array([[[x, y], [x + w, y], [x + w, y + h], [x, y + h]]], np.float32)
        mapped = cv2.perspectiveTransform(corners, back)[0]
        bx, by, bw, bh = cv2.boundingRect(np.round(mapped).astype(np.int32))
        out.append((bx, by, bw, bh))
    return out

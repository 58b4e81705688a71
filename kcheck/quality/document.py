"""Find an ID card or passport page in a photo as a quadrilateral, and flatten it."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ID1_ASPECT = 85.60 / 53.98  # credit-card size identity cards
ID3_ASPECT = 125.0 / 88.0  # passport data page
# Perspective and rounded corners make the measured aspect imprecise.
ASPECT_TOLERANCE = 0.18
DETECT_LONG_SIDE = 640
FLAT_WIDTH = 480  # width of the flattened document used for sharpness and faces
FAINT_EDGE_SUPPORT = 0.4  # a whole outline this faint counts only with print on it
# A ragged outline running off the frame (a card as pale as the paper under it, traced by its
# edges) whose three sides in the frame lie this much on edges, in this share of the frame at
# least: a document that runs off it if its print does too (check.py decides).
RUN_OFF_SUPPORT = 0.9
RUN_OFF_AREA = 0.3
# An outline running off the frame is the document cut off when it is this much larger than the
# whole document-shaped outline found...
CUT_LARGER = 1.25
# ...or this much where that whole outline lies on edges along WHOLE_SUPPORT of each side and the
# one running off does not (a card on a glossy table merged with a strip of the table's light).
CUT_LARGER_THAN_WHOLE = 1.5
WHOLE_SUPPORT = 0.9
# ...and only where an outline running off the frame holds this share of the whole one at least:
# a box printed on the document lies on it, while a whole card lying across a dark strip that
# runs off the frame is another thing beside it (MIDV-500's phone photos: 2 of 51 calibration
# frames, the card held across a strip of desk or cable).
HELD_SHARE = 0.5
# Canny's thresholds on the Lab a and b channels (find_document's `colour`): a card as grey as
# the desk under it but of another hue (a pale card on a mint cloth) has its edge only there.
# JPEG's blocky chroma and a card's own tints stay under them after the 5x5 blur.
CHROMA_EDGE = (8, 16)


@dataclass(frozen=True)
class DocumentFinding:
    """Where the document is in the working image (quad: 4x2, first edge a long side)."""

    quad: np.ndarray | None
    cut_off: bool
    area_fraction: float
    aspect: float
    # The largest whole document-shaped outline whose edges are fainter than asked (a card
    # close in colour to the desk): the document if print is found on it.
    faint: np.ndarray | None = None
    # The largest ragged outline running off the frame with two corners in it (RUN_OFF_SUPPORT)
    run_off: np.ndarray | None = None
    # The whole document-shaped outline that a larger one running off the frame and holding it
    # won over (a box printed on a cut card, or a card on a desk the frame cuts): check.py
    # decides by the print on it.
    whole: np.ndarray | None = None
    # The larger outline running off the frame that lost to the whole one (`quad`) for holding
    # none of it (HELD_SHARE): a keyboard or strip the card lies across, or the card itself cut
    # by the frame beside a sheet on the desk. check.py decides by the print on each.
    rival: np.ndarray | None = None

    @property
    def found(self) -> bool:
        return self.quad is not None and not self.cut_off


@dataclass(frozen=True)
class _Candidate:
    quad: np.ndarray
    area: float
    aspect: float
    touches_border: bool
    straight: bool


NOT_FOUND = DocumentFinding(None, False, 0.0, 0.0)


def find_document(
    gray: np.ndarray,
    aspects: tuple[float, ...] = (ID1_ASPECT, ID3_ASPECT),
    *,
    min_area: float = 0.015,
    tolerance: float = ASPECT_TOLERANCE,
    min_fill: float = 0.9,
    min_edge_support: float = 0.6,
    occluded_sides: int = 0,
    colour: np.ndarray | None = None,
) -> DocumentFinding:
    """Locate the largest document-shaped quadrilateral in a grayscale working image.

    A large straight-edged shape that runs off the frame is reported as cut off, since a
    card with a corner outside the photo no longer looks like a quadrilateral.
    `min_fill` is how much of its fitted quadrilateral an outline must cover; lower it
    where fingers may hide part of the edge (a held card in a selfie), and likewise
    `min_edge_support`, the share of each side of the quad that must lie on an edge,
    ignoring the `occluded_sides` weakest sides. With `colour` (the same image in BGR) the
    edges of hue count as edges too.
    """
    small, factor = _shrink(gray)
    image_area = float(small.shape[0] * small.shape[1])
    chroma = None if colour is None else _chroma(colour, small.shape)
    distance, contours = _outlines(small, min_area * image_area, chroma)
    inside: _Candidate | None = None
    cut: _Candidate | None = None
    inside_support = cut_support = 0.0
    faint: _Candidate | None = None
    run_off: _Candidate | None = None
    running_off: list[_Candidate] = []
    for contour in contours:
        candidate = _candidate(contour, small.shape, min_fill)
        if candidate is None or not min_area * image_area <= candidate.area <= 0.97 * image_area:
            continue
        # The edge support is measured last, only for a shape that would be kept.
        if candidate.touches_border:
            running_off.append(candidate)
            # Only a solid, straight-sided region counts (its clipped side may be ragged).
            if (
                candidate.straight
                and (cut is None or candidate.area > cut.area)
                and (along := _support(distance, candidate.quad, occluded_sides, cut=True)) >= 0.4
            ):
                cut, cut_support = candidate, along
            elif (
                not candidate.straight
                and candidate.area >= RUN_OFF_AREA * image_area
                and (run_off is None or candidate.area > run_off.area)
            ):
                supports = _edge_support(distance, candidate.quad)
                if len(supports) >= 3 and supports[0] >= RUN_OFF_SUPPORT:
                    run_off = candidate
        elif _aspect_ok(candidate.aspect, aspects, tolerance) and (
            inside is None or candidate.area > inside.area
        ):
            support = _support(distance, candidate.quad, occluded_sides)
            if support >= min_edge_support:
                inside, inside_support = candidate, support
            elif support >= FAINT_EDGE_SUPPORT and (faint is None or candidate.area > faint.area):
                faint = candidate
    # A whole card close to the edge also yields a border-touching outline (its shadow,
    # a blob merged with the table); only a clearly larger one means the card is cut, and more
    # clearly where the card's outline lies on edges all round and the larger one's does not,
    # and only where something running off the frame holds the whole outline (HELD_SHARE).
    best = inside
    larger = CUT_LARGER
    if inside is not None and inside_support >= WHOLE_SUPPORT > cut_support:
        larger = CUT_LARGER_THAN_WHOLE
    rival = None
    if cut is not None and (inside is None or cut.area > larger * inside.area):
        if inside is None or any(_holds(outer, inside) for outer in running_off):
            best = cut
        else:
            rival = (cut.quad * factor).astype(np.float32)
    faint_quad = None if faint is None else (faint.quad * factor).astype(np.float32)
    run_off_quad = None if run_off is None else (run_off.quad * factor).astype(np.float32)
    if best is None:
        return DocumentFinding(None, False, 0.0, 0.0, faint_quad, run_off_quad)
    whole = None
    if best is not inside and inside is not None and _holds(best, inside):
        whole = (inside.quad * factor).astype(np.float32)
    return DocumentFinding(
        quad=(best.quad * factor).astype(np.float32),
        cut_off=best.touches_border,
        area_fraction=round(best.area / image_area, 4),
        aspect=round(best.aspect, 3),
        faint=faint_quad,
        run_off=run_off_quad,
        whole=whole,
        rival=rival,
    )


def _holds(outer: _Candidate, inner: _Candidate) -> bool:
    """Whether most of `inner` lies inside `outer`."""
    shared, _ = cv2.intersectConvexConvex(outer.quad.astype(np.float32), inner.quad.astype(np.float32))
    return shared >= HELD_SHARE * inner.area


def with_quad(finding: DocumentFinding, quad: np.ndarray, image_shape: tuple[int, ...],
              cut_off: bool = False) -> DocumentFinding:
    """`finding` taken as the whole document outlined by `quad` (working pixels), or (`cut_off`)
    as the document running off the frame there."""
    area = float(cv2.contourArea(quad)) / float(image_shape[0] * image_shape[1])
    return DocumentFinding(quad, cut_off, round(area, 4), round(quad_aspect(quad), 3), None)


def frame_contact(quad: np.ndarray, shape: tuple[int, ...]) -> float:
    """How long the part of `quad` inside the frame of `shape` runs along the frame's edges, in
    pixels: a document cut by the frame meets it along the cut; one turned a few degrees in a
    frame it nearly fills only grazes it with a corner (about 0)."""
    height, width = shape[:2]
    frame = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    area, inside = cv2.intersectConvexConvex(order_corners(quad.astype(np.float32)), frame)
    if inside is None or area <= 0:
        return 0.0
    points = inside.reshape(-1, 2)
    margin = max(2.0, 0.006 * max(width, height))
    limits = ((0, 0.0), (0, width - 1.0), (1, 0.0), (1, height - 1.0))
    return sum(float(np.linalg.norm(b - a)) for a, b in zip(points, np.roll(points, -1, axis=0), strict=True)
               if any(abs(a[axis] - at) <= margin and abs(b[axis] - at) <= margin for axis, at in limits))


def flatten(gray: np.ndarray, quad: np.ndarray, aspect: float, largest: int = FLAT_WIDTH) -> np.ndarray:
    """The document warped to an upright-or-upside-down rectangle `largest` pixels wide, or as
    wide as it is in `gray` when smaller: enlarging would make a sharp small document look soft."""
    width = int(min(largest, max(64, np.linalg.norm(quad[1] - quad[0]))))
    height = round(width / aspect)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR)


def quad_mask(shape: tuple[int, ...], quad: np.ndarray) -> np.ndarray:
    """A uint8 mask (255 inside) of the quad, clipped to the image."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255)
    return mask


def _shrink(gray: np.ndarray) -> tuple[np.ndarray, float]:
    longest = max(gray.shape[:2])
    if longest <= DETECT_LONG_SIDE:
        return gray, 1.0
    factor = longest / DETECT_LONG_SIDE
    size = (round(gray.shape[1] / factor), round(gray.shape[0] / factor))
    # Linear is a fifth of the cost of INTER_AREA at this ratio; the outlines are looked for
    # after a 5x5 Gaussian blur, which removes what linear sampling would alias.
    return cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR), factor


def _chroma(bgr: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The a and b channels of `bgr` in CIE Lab, at the size `shape` the outlines are found at."""
    small = cv2.resize(bgr, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(small, cv2.COLOR_BGR2LAB)[:, :, 1:]


def _outlines(small: np.ndarray, min_box_area: float, chroma: np.ndarray | None = None):
    """Outlines from two views: edges (any contrast, and of hue in `chroma`: _chroma) and
    light/dark regions (Otsu).

    Edge outlines are listed with their holes: the inside of a card's edge ring is the
    card itself, even when fingers or the background touch the ring from outside.
    """
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    otsu, binary = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edges = cv2.Canny(blurred, 0.25 * otsu, 0.5 * otsu)
    if chroma is not None:
        for channel in cv2.split(chroma):
            edges |= cv2.Canny(cv2.GaussianBlur(channel, (5, 5), 0), *CHROMA_EDGE)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    views = [(edges, cv2.RETR_LIST)]
    kernel = np.ones((5, 5), np.uint8)
    for region in (binary, cv2.bitwise_not(binary)):
        views.append((cv2.morphologyEx(region, cv2.MORPH_OPEN, kernel), cv2.RETR_EXTERNAL))
    contours = []
    for view, mode in views:
        for contour in cv2.findContours(view, mode, cv2.CHAIN_APPROX_SIMPLE)[0]:
            _, _, w, h = cv2.boundingRect(contour)
            if w * h >= min_box_area:
                contours.append(contour)
    distance = cv2.distanceTransform(cv2.bitwise_not(edges), cv2.DIST_L2, 3)
    return distance, contours


def _support(distance: np.ndarray, quad: np.ndarray, occluded_sides: int, cut: bool = False) -> float:
    """The edge support of the quad's weakest side once `occluded_sides` are left out (`cut`:
    of a shape running off the frame, see _edge_support)."""
    supports = _edge_support(distance, quad, cut=cut)
    return supports[min(occluded_sides, len(supports) - 1)]


def _edge_support(distance: np.ndarray, quad: np.ndarray, samples: int = 64,
                  cut: bool = False) -> list[float]:
    """For each visible side of the quad, the share of its points near an edge, weakest first.

    `distance` is each pixel's distance to the nearest edge pixel.

    A card's outline is straight edges all round; a blob (hair, a face, a shadow) whose
    fitted quadrilateral merely looks card-shaped has sides that cross empty space.
    Points outside the image or on its border (where a cut-off card ends) are not counted.
    On a shape running off the frame (`cut`) a side the frame cut short (under half the longest
    side) is bent by a rounded corner as much as a whole one: its tolerance is the longest side's
    (a card cut below its print, its side 113 px at 640, met the edges for only 0.375 of it). A
    long side keeps its own: one running along the frame's edge meets the print near it (a
    passport's upper page cut by the frame was taken for a card when every side had it).
    """
    height, width = distance.shape[:2]
    m = 4
    t = np.linspace(0.05, 0.95, samples, dtype=np.float32)[:, None]
    sides = list(zip(quad, np.roll(quad, -1, axis=0), strict=True))
    longest = max(float(np.linalg.norm(b - a)) for a, b in sides)
    supports = []
    for a, b in sides:
        points = np.round(a + (b - a) * t).astype(np.int32)
        x, y = points[:, 0], points[:, 1]
        visible = (x >= m) & (x < width - m) & (y >= m) & (y < height - m)
        if visible.sum() < samples // 4:
            continue
        # Rounded corners, a drop shadow and perspective bend the fitted side a little.
        length = float(np.linalg.norm(b - a))
        tolerance = max(3.0, 0.025 * (longest if cut and length < 0.5 * longest else length))
        hits = distance[points[visible, 1], points[visible, 0]] <= tolerance
        supports.append(float(hits.mean()))
    return sorted(supports) or [0.0]


def _candidate(contour: np.ndarray, shape: tuple[int, ...], min_fill: float) -> _Candidate | None:
    hull = cv2.convexHull(contour)
    hull_area = cv2.contourArea(hull)
    if hull_area < 64:
        return None
    height, width = shape[:2]
    margin = max(2.0, 0.006 * max(width, height))
    points = hull.reshape(-1, 2).astype(np.float32)
    touches = bool(
        (points[:, 0] <= margin).any()
        or (points[:, 1] <= margin).any()
        or (points[:, 0] >= width - 1 - margin).any()
        or (points[:, 1] >= height - 1 - margin).any()
    )
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(approx) == 4:
        quad = approx.astype(np.float32)
    else:
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)
    quad_area = cv2.contourArea(quad)
    if quad_area <= 0:
        return None
    # The outline must fill the quad (not an L-shape or a blob) to count as a document.
    fill = hull_area / quad_area
    if not min_fill <= fill <= 1.1:
        return None
    straight = len(approx) <= 7 and _solid(contour, hull_area)
    quad = order_corners(quad)
    return _Candidate(quad, quad_area, quad_aspect(quad), touches, straight)


def _solid(contour: np.ndarray, hull_area: float) -> bool:
    """A filled region (not a thin edge trace) that covers its convex hull."""
    return cv2.contourArea(contour) >= 0.85 * hull_area


def side_lengths(quad: np.ndarray) -> np.ndarray:
    """The lengths of the quad's sides, the first from its first corner to its second."""
    return np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Corners clockwise (in image coordinates) starting so the first edge is a long one."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]
    # Start at the top-left-most corner, then rotate by one if that edge is short.
    start = int(np.argmin(quad.sum(axis=1)))
    quad = np.roll(quad, -start, axis=0)
    sides = side_lengths(quad)
    if sides[0] + sides[2] < sides[1] + sides[3]:
        quad = np.roll(quad, -1, axis=0)
    return quad


def quad_aspect(quad: np.ndarray) -> float:
    """Long sides over short sides of a quad whose first side is a long one (order_corners),
    at least 1."""
    sides = side_lengths(quad)
    long_sides, short_sides = sides[0] + sides[2], sides[1] + sides[3]
    return float(max(1.0, long_sides / max(short_sides, 1e-6)))


def _aspect_ok(aspect: float, aspects: tuple[float, ...], tolerance: float) -> bool:
    return any(abs(aspect / expected - 1) <= tolerance for expected in aspects)

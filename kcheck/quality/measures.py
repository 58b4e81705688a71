"""Image measurements: exposure from the histogram, scale-normalised sharpness, glare."""

from __future__ import annotations

import cv2
import numpy as np

# Sharpness is measured on a region resampled to this many pixels across, so that the
# number does not depend on how far away the camera was or how large the photo is.
SHARPNESS_WIDTH = 480
FACE_SHARPNESS_WIDTH = 96


def darkest_channel(bgr: np.ndarray) -> np.ndarray:
    """Each pixel's darkest colour channel: a specular reflection clips all three, a pale or
    coloured card not. (Split first: cv2.min on the strided channel views copies each, 3x the
    cost.)"""
    blue, green, red = cv2.split(bgr)
    return cv2.min(cv2.min(blue, green), red)


def exposure(gray: np.ndarray, mask: np.ndarray | None = None) -> dict[str, float]:
    """Brightness statistics (0-255) from a 256-bin histogram of the (masked) region."""
    hist = cv2.calcHist([gray], [0], mask, [256], [0, 256]).ravel()
    total = float(hist.sum()) or 1.0
    cdf = np.cumsum(hist) / total
    levels = np.arange(256, dtype=np.float64)

    def percentile(q: float) -> float:
        return float(np.searchsorted(cdf, q))

    return {
        "brightness_mean": round(float((hist * levels).sum() / total), 1),
        "brightness_p05": percentile(0.05),
        "brightness_p50": percentile(0.50),
        "brightness_p95": percentile(0.95),
        "clipped_white_fraction": round(float(hist[250:].sum() / total), 4),
        "clipped_black_fraction": round(float(hist[:8].sum() / total), 4),
    }


def sharpness(gray: np.ndarray, width: int = SHARPNESS_WIDTH) -> float:
    """Variance of the Laplacian after resampling the region to `width` pixels across.

    Reported for reviewers; the blurry decision uses blur_score, which is steadier.
    """
    gray = _resample(gray, width)
    return round(float(cv2.Laplacian(gray, cv2.CV_32F, ksize=3).var()), 1)


def blur_score(gray: np.ndarray, width: int = SHARPNESS_WIDTH) -> float:
    """How blurred the region is, from 0 (sharp) to 1, in its worst direction.

    No-reference re-blur measure (Crete-Roffet et al., 2007): blur the region along a
    direction and see how much of its edge contrast disappears. A sharp image loses a
    lot, an already blurred one little. Unlike the variance of the Laplacian it does not
    depend on contrast (a dim photo is not "blurred"), and taking the worst of four
    directions catches motion blur, which leaves edges along the motion sharp.
    """
    return max(directional_blur(gray, width))


def directional_blur(gray: np.ndarray, width: int = SHARPNESS_WIDTH,
                     strongest: float | None = None) -> tuple[float, ...]:
    """blur_score along each direction: across columns, across rows and the two diagonals
    (1.0 for each where the region has no contrast at all). With `strongest` (a percent), only
    the steps between neighbours among that share of the largest are measured: the edges of
    print, not a card's soft printed pattern."""
    region = _resample(gray, width).astype(np.float32)
    scores = []
    for kernel, diff in _DIRECTIONS:
        reblurred = cv2.filter2D(region, -1, kernel, borderType=cv2.BORDER_REFLECT)
        d_sharp, d_blur = diff(region), diff(reblurred)
        lost = np.maximum(d_sharp - d_blur, 0)
        if strongest is not None:
            edges = d_sharp >= np.percentile(d_sharp, 100 - strongest)
            d_sharp, lost = d_sharp[edges], lost[edges]
        total = float(d_sharp.sum())
        if total <= 0:
            return (1.0,) * len(_DIRECTIONS)
        kept = float(lost.sum())
        scores.append(round((total - kept) / total, 3))
    return tuple(scores)


def shake(scores: tuple[float, ...]) -> float:
    """How much blurrier the worst direction of `directional_blur` is than the one across it
    (the pairs are 0-1 and 2-3): a camera moved during the exposure smears print along its
    path and leaves edges along it sharp; out of focus, every direction is as soft."""
    worst = int(np.argmax(scores))
    return round(scores[worst] - scores[worst ^ 1], 3)


def _resample(gray: np.ndarray, width: int) -> np.ndarray:
    if gray.shape[1] == width:
        return gray
    height = max(8, round(gray.shape[0] * width / gray.shape[1]))
    interpolation = cv2.INTER_AREA if gray.shape[1] > width else cv2.INTER_LINEAR
    return cv2.resize(gray, (width, height), interpolation=interpolation)


_REBLUR = 9
_DIRECTIONS = (
    (np.full((1, _REBLUR), 1 / _REBLUR, np.float32), lambda a: np.abs(a[:, 1:] - a[:, :-1])),
    (np.full((_REBLUR, 1), 1 / _REBLUR, np.float32), lambda a: np.abs(a[1:, :] - a[:-1, :])),
    (np.eye(_REBLUR, dtype=np.float32) / _REBLUR, lambda a: np.abs(a[1:, 1:] - a[:-1, :-1])),
    (
        np.fliplr(np.eye(_REBLUR, dtype=np.float32)).copy() / _REBLUR,
        lambda a: np.abs(a[1:, :-1] - a[:-1, 1:]),
    ),
)


Box = tuple[int, int, int, int]  # x, y, width, height in image pixels
Patch = tuple[float, Box | None]  # a share of the mask and its box (glare_patch)


def glare_patch(bgr: np.ndarray, mask: np.ndarray) -> Patch:
    """The largest specular reflection inside `mask`: its area as a fraction of the mask, and
    its bounding box (0.0 and None when there is none).

    A reflection clips all three channels and wipes out the texture under it (print,
    guilloche, letters), while the card around it keeps its texture. A pale card in even
    light is near-white too, but the ring around its brightest patch is as plain as the
    patch: that is a pale card, not glare.
    """
    return glare_patches(bgr, mask)[0]


def glare_patches(bgr: np.ndarray, mask: np.ndarray) -> tuple[Patch, Patch]:
    """glare_patch's answer, and the one where a round patch with some halo and texture around
    it counts without its light spreading visibly (the caller asks for other evidence: print
    running into it), from one look at the clipped patches."""
    none = (0.0, None)
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return none, none
    roi = bgr[y : y + h, x : x + w]
    roi_mask = mask[y : y + h, x : x + w]
    clipped = cv2.inRange(darkest_channel(roi), GLARE_LEVEL, 255)
    clipped = cv2.bitwise_and(clipped, roi_mask)
    area = max(1, cv2.countNonZero(roi_mask))
    if cv2.countNonZero(clipped) < GLARE_MIN_SHARE * area:
        return none, none  # not enough clipped pixels for one reflection that counts
    clipped = cv2.morphologyEx(clipped, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(clipped, connectivity=8)
    if count <= 1:
        return none, none
    gray = cv2.cvtColor(roi, cv2.COLOR_BGR2GRAY)
    texture = np.abs(cv2.Laplacian(gray, cv2.CV_16S, ksize=3))
    spreading, round_only = None, None  # the first patch that counts either way
    for index in np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:3] + 1:
        size = int(stats[index, cv2.CC_STAT_AREA])
        if size < GLARE_MIN_SHARE * area:
            break
        if size > GLARE_MAX_SHARE * area:
            continue  # the whole document is white: too bright (or a white page), not a reflection
        bx, by, bw, bh = stats[index, :4]
        blob = (labels == index).astype(np.uint8)
        if (bx == 0 or by == 0 or bx + bw >= w or by + bh >= h) and not _cut_by_edge(blob, roi_mask, size):
            continue  # white running off the region: paper or background, not a spot on the card
        if not _solid_blob(blob, size):
            continue  # white paper threading between print: a pale page, not a reflection
        reach = max(3, round(0.5 * np.sqrt(size)))
        box = (int(bx), int(by), int(bw), int(bh))
        ring = _grown(blob, box, reach)
        ring = (ring > blob) & (roi_mask > 0) & (clipped == 0)
        patch = (round(size / area, 4), (int(x + bx), int(y + by), int(bw), int(bh)))
        if ring.sum() < 16:
            return spreading or patch, round_only or patch
        # Light spreads around a reflection (a bright halo over the card's texture); a white
        # patch of the design (a portrait's backdrop, a blank field) ends at dark edges.
        halo = float((gray[ring] >= GLARE_HALO_LEVEL).mean())
        textured = float(texture[ring].mean()) >= GLARE_RING_TEXTURE
        if textured and halo >= GLARE_HALO_SHARE:
            return spreading or patch, round_only or patch
        if halo < GLARE_SPREAD_HALO_SHARE or not _round_blob(blob):
            continue
        if round_only is None and textured and halo >= GLARE_ROUND_HALO_SHARE:
            round_only = patch
        if spreading is None and _spreads(gray, blob, box, ring, roi_mask, reach):
            spreading = patch
            round_only = round_only or (patch if halo >= GLARE_ROUND_HALO_SHARE else None)
        if spreading is not None and round_only is not None:
            break
    return spreading or none, round_only or none


def patch_fill(bgr: np.ndarray, box: Box) -> float:
    """How much of its convex hull the largest clipped patch inside `box` (a glare_patch box)
    covers: a reflection is the light's one compact footprint; the white of a printed design
    threaded with ink (a stamp's dots over a white field) fills much less of its hull."""
    x, y, w, h = box
    roi = bgr[y : y + h, x : x + w]
    clipped = cv2.inRange(darkest_channel(roi), GLARE_LEVEL, 255)
    clipped = cv2.morphologyEx(clipped, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    contours = cv2.findContours(clipped, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    if not contours:
        return 1.0
    outline = max(contours, key=cv2.contourArea)
    hull = cv2.contourArea(cv2.convexHull(outline))
    blob = np.zeros_like(clipped)
    cv2.drawContours(blob, [outline], -1, 255, -1)
    size = cv2.countNonZero(cv2.bitwise_and(blob, clipped))
    return round(size / max(hull, 1.0), 3)


def patch_core(bgr: np.ndarray, box: Box) -> int:
    """How bright the core of the clipped patch inside `box` (a glare_patch box) is: the upper
    quartile of its darkest channel, after a 5 px median (JPEG's ringing and sensor noise). A
    reflection saturates the sensor (255); a near-white part of the design or paper stays a few
    levels under it, which a re-encode or a gamma moves across GLARE_LEVEL."""
    x, y, w, h = box
    darkest = darkest_channel(bgr)
    core = cv2.medianBlur(np.ascontiguousarray(darkest[y : y + h, x : x + w]), 5)
    clipped = core[darkest[y : y + h, x : x + w] >= GLARE_LEVEL]
    return int(np.percentile(clipped, 75)) if clipped.size else 0


def ink_round_patch(bgr: np.ndarray, box: Box, reach: int, mask: np.ndarray) -> int:
    """How many pixels of ink (print or a portrait's edges: far darker or lighter than their
    surroundings, where a card's pattern is not) lie within `reach` pixels of the clipped patch
    inside `box` (a glare_patch box), on `mask` (the document, its outline left out): a
    reflection that leaves every line and the portrait clear of it hides nothing a reviewer
    reads."""
    x, y, w, h = box
    height, width = bgr.shape[:2]
    margin = reach + PRINT_KERNEL
    left, top = max(0, x - margin), max(0, y - margin)
    right, bottom = min(width, x + w + margin), min(height, y + h + margin)
    roi = bgr[top:bottom, left:right]
    darkest = darkest_channel(roi)
    clipped = cv2.inRange(darkest, GLARE_LEVEL, 255)
    clipped[: y - top] = 0
    clipped[y - top + h :] = 0
    clipped[:, : x - left] = 0
    clipped[:, x - left + w :] = 0
    near = cv2.dilate(clipped, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2))
    # The light falls off steeply at the patch's edge: its first pixels are not print.
    edge = cv2.dilate(clipped, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    inside = cv2.erode(mask, np.ones((5, 5), np.uint8))[top:bottom, left:right]
    gray = cv2.cvtColor(roi, cv2.COLOR_BGR2GRAY)
    ink = cv2.absdiff(gray, cv2.medianBlur(gray, PRINT_KERNEL)) > PRINT_CONTRAST
    ring = (near > 0) & (edge == 0) & (inside > 0)
    return int((ink & ring).sum())


def _round_blob(blob: np.ndarray) -> bool:
    """A reflection of a lamp or a window is a round or oval patch; a white part of the
    design (a portrait's backdrop cut by the head, a blank field) is angular or ragged."""
    outline = max(cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0], key=cv2.contourArea)
    area = cv2.contourArea(outline)
    perimeter = cv2.arcLength(outline, True)
    roundness = 4 * np.pi * area / max(perimeter * perimeter, 1.0)
    hull = cv2.convexHull(outline)
    hull_area = cv2.contourArea(hull)
    if roundness >= GLARE_ROUNDNESS and area >= GLARE_ROUND_SOLIDITY * hull_area:
        return True
    # Print bites into a reflection's edge where the light fades into it (letters of the MRZ
    # half wiped out): its outline turns ragged, its hull stays the light's round footprint.
    hull_perimeter = cv2.arcLength(hull, True)
    hull_roundness = 4 * np.pi * hull_area / max(hull_perimeter * hull_perimeter, 1.0)
    return hull_roundness >= GLARE_HULL_ROUNDNESS and area >= GLARE_BITTEN_SOLIDITY * hull_area


def _spreads(gray: np.ndarray, blob: np.ndarray, box: Box, ring: np.ndarray, roi_mask: np.ndarray,
             reach: int) -> bool:
    """Light spreading from a reflection: the card just around the clipped patch is much
    brighter than the card a little further out (even on a plain card without texture)."""
    further = (_grown(blob, box, 3 * reach) > 0) & ~(_grown(blob, box, 2 * reach) > 0) & (roi_mask > 0)
    if further.sum() < 16:
        return False
    return float(gray[ring].mean()) - float(gray[further].mean()) >= GLARE_SPREAD


# A reflection clips every channel; the card around it keeps this much texture (mean
# absolute Laplacian, grey levels) where a plain pale card does not.
GLARE_LEVEL = 250
GLARE_MIN_SHARE = 0.002  # smaller clipped patches are specks, not reflections
GLARE_RING_TEXTURE = 6.0
GLARE_MAX_SHARE = 0.35
GLARE_HALO_LEVEL = 200
GLARE_HALO_SHARE = 0.6
# A round patch (a lamp's reflection) needs less halo when the light visibly spreads: the
# ring around it this many grey levels brighter than the card further out.
GLARE_ROUND_HALO_SHARE = 0.4
# ...and less still where it spreads (a dark card's ring stays under 200 grey levels nearer its edge)
GLARE_SPREAD_HALO_SHARE = 0.3
GLARE_ROUNDNESS = 0.45  # 4 pi area / perimeter^2: 0.9 for a disc, under 0.3 for a backdrop
GLARE_ROUND_SOLIDITY = 0.85
# ...or a patch whose edge print bites into: its convex hull round (a disc 1.0, an oval twice as
# long as wide 0.84, a square 0.79) and the patch filling most of it.
GLARE_HULL_ROUNDNESS = 0.85
GLARE_BITTEN_SOLIDITY = 0.8
GLARE_SPREAD = 60
# A reflection the region's edge cuts meets it along at most this many times the square root of
# its area (a disc cut through its middle 1.6; the real card backs with a lamp over the zone up to
# their edge 0.82-0.93; a white margin along a side 7 and more).
GLARE_EDGE_CONTACT = 1.2
PRINT_KERNEL = 11
PRINT_CONTRAST = 60


def _grown(blob: np.ndarray, box: Box, size: int) -> np.ndarray:
    """`blob` (inside `box`) dilated by an ellipse `size` pixels across. Only the part of the
    image within `size` of the box is dilated, the rest stays 0: with an ellipse as wide as a
    large reflection's reach, dilating the whole region cost over 100 ms."""
    x, y, w, h = box
    height, width = blob.shape[:2]
    left, top = max(0, x - size), max(0, y - size)
    right, bottom = min(width, x + w + size), min(height, y + h + size)
    grown = np.zeros_like(blob)
    grown[top:bottom, left:right] = cv2.dilate(
        blob[top:bottom, left:right], cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    return grown


def _cut_by_edge(blob: np.ndarray, mask: np.ndarray, size: int) -> bool:
    """A patch running off the region that is a reflection the region's edge cuts (a lamp's
    light over a card's zone, reaching the card's edge), not white paper or background: it
    meets the edge along a short stretch, under GLARE_EDGE_CONTACT times the square root of
    its area (a disc cut through its middle 1.6, a margin along a side 7 and more)."""
    inner = cv2.erode(np.pad(mask, 1), np.ones((3, 3), np.uint8))[1:-1, 1:-1]
    contact = ((blob > 0) & (inner == 0)).astype(np.uint8)
    if np.count_nonzero(contact) > GLARE_EDGE_CONTACT * np.sqrt(size):
        return False
    # One stretch of the edge: a white band across the region (paper between two cards) meets
    # it at both ends.
    stretches = cv2.connectedComponents(cv2.dilate(contact, np.ones((5, 5), np.uint8)))[0] - 1
    return stretches == 1


def _solid_blob(blob: np.ndarray, size: int) -> bool:
    """A reflection is one compact patch without holes; clipped paper between letters is not."""
    contours = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    outline = max(contours, key=cv2.contourArea)
    filled = cv2.contourArea(outline) + 0.5 * cv2.arcLength(outline, True)
    hull = cv2.contourArea(cv2.convexHull(outline))
    return size >= 0.85 * filled and size >= 0.6 * hull

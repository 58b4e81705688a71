"""Document evidence that does not depend on the card's outline: its lines of text.

A scan cropped to the page, a two-page spread or a card on a cluttered desk has no clean
outline with background all round, but its printed lines are still there. Lines are found
by morphology (character-sized top-hat, joined along the line), which costs a few
milliseconds at 640 px; the MRZ band comes from kcheck.docintel.mrz_zone.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from kcheck.docintel import mrz_ocr, mrz_zone
from kcheck.quality import measures
from kcheck.quality.document import order_corners
from kcheck.quality.faces import FaceSearch

# Lines are looked for with character-sized kernels in a copy this large: 640 px suits a
# document filling much of the photo; small print (a card held in a selfie) needs 1000.
TEXT_LONG_SIDES = (640, 1000)
MIN_LINES = 4  # fewer aligned lines of text are not evidence of a document
LETTER_STRIP = 12  # px high: a line straightened to judge whether it is made of letters
# Spread of a straightened line's column means against its contrast: lines of print measured
# 0.09-0.14 on the variety set, the ruled lines of a sheet of paper 0.01-0.06.
MIN_LETTER_SPREAD = 0.06
EDGE_MARGIN = 3  # px where lines are found: a line this close to the frame's edge runs into it
# Separate marks of ink along a line of an MRZ band (44 or 30 characters; 8 on a cut, soft one):
# the ruled lines of a sheet of paper, found as a "zone", make one or two.
ZONE_GLYPHS = 6
GLYPH_STRIP = 24  # px high: a line straightened to count its marks of ink
# A zone whose lines are at least half as long as the longest text is looked at for how far it
# reaches (the lines of a cut zone are shorter than a whole one's, so they score lower).
CUT_ZONE_SCORE = 1.0
ZONE_BOX_HEIGHT = 1.7  # an MRZ line's box is this many line heights high (mrz_zone._box)
EDGE_TO_EDGE = 1.5  # line heights: a band whose near end is this close to the frame spans it
# A line of print along the MRZ band for at least this share of its length is one of its lines
# (a band merged with a page's print running off a photo has only short pieces of print there).
BAND_LINE_SHARE = 0.5
# PP-OCR's text detector (mrz_ocr.text_boxes) looks for lines in a copy this large: about a
# tenth of a second, so only where an outline running off the frame is in doubt (sliced_lines).
DETECT_LONG_SIDE = 480
# A window round a face, in face widths (left, right, above, below): an ID card's portrait with
# its fields beside it (either side) and its title above.
NEAR_FACE = (4.0, 5.0, 1.5, 2.5)
DETECT_NEAR_LONG_SIDE = 640
DETECT_EDGE = 2.0  # px: its boxes are clipped to the frame, a line running off ends on the edge
# ...and ink along it up to this near the edge (px): its characters are cut (a line's box is
# drawn a little past its last letter, so one ending short of the edge reaches it too).
SLICED_GAP = 1.5
# A line lying along the edge (SLICED_ASPECT times longer than high) has its letters cut there
# when its ink reaches the edge's outermost row in SLICED_MARKS separate marks or more, covering
# SLICED_SHARE of the columns its ink fills (a solid rule or border along the edge: one mark,
# all of them), on a line of SLICED_CONTRAST grey levels at least.
SLICED_ASPECT = 2.0
SLICED_MARKS = 4
SLICED_SHARE = (0.15, 0.95)
SLICED_CONTRAST = 40
# An MRZ line with fewer marks of ink than this share of its format's characters is short (whole
# real lines of 44 measured 36-47: letters run together; the line of a page cut through its MRZ 30).
SHORT_ZONE = 0.8
EQUAL_ZONE = 0.8  # ...and the lines of a band the edge cuts are about as short as each other
# ...where the band's line boxes reach this far past the frame, in line heights (a band whose
# ink ends at the edge reaches 1, as the real page cut through its MRZ did)
SHORT_ZONE_REACH = 0.5
# PP-OCR's lines of an MRZ band the zone finder missed, cut by the frame's edge: their ink comes
# within this many line heights of the edge (a cut Czech back's measured 0.25, a Slovak's 0.2) and
# each holds at least CUT_BAND_GLYPHS marks (a field's label cut at the edge holds 2-7).
CUT_BAND_REACH = 0.35
CUT_BAND_GLYPHS = 12
# ...and as dense as an MRZ's separate characters: marks per line height along the line (the cut
# real backs' and generated backs' MRZ lines 1.10-1.35; a justified paragraph of a book page
# under a printed passport, running off the frame, 0.66-0.82: its letters run together).
CUT_BAND_DENSITY = 1.0
# A reflection across lines of print on a white card: each line broken by a gap at least
# GLARE_GAP line heights long, GLARE_GAP_CLIPPED of it clipped, the letters on both sides of it
# fading into it (their darkest 5 % within a line height of the gap FADED_INK grey levels lighter
# than the line's own). Real white backs with a reflection over their MRZ measured 66-142; the
# two columns of a white back's fields (clipped paper between them) 0-5 either way.
GLARE_GAP = 2.0
GLARE_GAP_CLIPPED = 0.9
FADED_INK = 50
# Where find_text saw no document, lines are looked for once more, loosely, at these sizes (a
# small scan is enlarged: its print is then as large as a phone photo's).
LOOSE_LONG_SIDES = (640, 1000)

# A document whose print PP-OCR reads confidently is legible however soft its edges measure: at
# least LEGIBLE_LINES lines (looked for at LEGIBLE_LONG_SIDE at most, widest first) read with a
# mean probability of LEGIBLE_CONFIDENCE over their characters, at working size or, where that
# reads too few, in the photo decoded again up to check.CLOSER_LONG_SIDE (as a reviewer reads
# it: check._looks). Legible MIDV-500 phone
# frames of cards whose edges measured as blurred as the generated blurs (edge_blur 0.23-0.29) had
# 6-8 such lines; generated blurred and shaken photos 4 at most (their large MRZ characters stay
# legible, their fields do not) and real blurred photos none.
LEGIBLE_LINES = 5
LEGIBLE_CONFIDENCE = 0.95
LEGIBLE_LONG_SIDE = 960
LEGIBLE_READ = 16  # ...of the widest lines at most (a page of small print holds a hundred)

# A barcode's box is a strip, at least this many times longer than high: a real licence's bars
# measured 14 (358 x 25 px); the detector's boxes round desk texture 1.4-1.7.
BARCODE_STRIP = 3.0
_barcode_lock = threading.Lock()


@dataclass(frozen=True)
class TextEvidence:
    """Lines of text in the working image (4-point boxes), and what they say."""

    lines: tuple[np.ndarray, ...]
    mrz_lines: tuple[np.ndarray, ...]
    line_height: float  # median height of a line, working pixels
    region: np.ndarray | None  # the rotated box around every aligned line
    at_edge: bool  # a line of text runs into the frame's edge

    @property
    def is_document(self) -> bool:
        return len(self.lines) >= MIN_LINES or len(self.mrz_lines) >= 2


class Searches:
    """One working image and the searches the check runs on it (its lines of print at a size,
    PP-OCR's text boxes, its MRZ band and the marks of ink along the band's lines, its faces,
    its print found loosely), each run once however many of the checks ask for it."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        self.zones = mrz_zone.ZoneSearch(gray)
        self.faces = FaceSearch(gray)
        self._rects: dict[int, tuple[list, float]] = {}
        self._turned: dict[int, np.ndarray] = {}
        self._marks: dict[tuple[int, bytes], int] = {}

    def line_rects(self, long_side: int) -> tuple[list, float]:
        """The stacked, aligned lines of print (rotated rectangles) in a copy `long_side` pixels
        long at most, and that copy's scale."""
        if long_side not in self._rects:
            factor = min(1.0, long_side / max(self.gray.shape[:2]))
            small = self.gray
            if factor < 1:
                small = cv2.resize(self.gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
            self._rects[long_side] = (_block(_aligned(_line_rects(small))), factor)
        return self._rects[long_side]

    @functools.cached_property
    def detected_lines(self) -> list[np.ndarray]:
        """The lines of text PP-OCR's detector boxes (about 0.1 s), at DETECT_LONG_SIDE."""
        return mrz_ocr.text_boxes(self.gray, DETECT_LONG_SIDE)

    def detected_near(self, face) -> tuple[np.ndarray, ...]:
        """The lines PP-OCR's detector boxes in a window round `face` (NEAR_FACE face widths
        each way), looked at in the window's own pixels (DETECT_NEAR_LONG_SIDE at most): a card's
        small, pale print beside its portrait, which the whole frame at DETECT_LONG_SIDE shrinks
        past the detector's reach (about 0.05 s)."""
        x0, y0, x1, y1 = near_face((face.x, face.y, face.w, face.h), self.gray.shape)
        window = self.gray[y0:y1, x0:x1]
        if min(window.shape[:2]) < 8:
            return ()
        boxes = mrz_ocr.text_boxes(window, min(DETECT_NEAR_LONG_SIDE, max(window.shape[:2])))
        return tuple(box + np.array([x0, y0], np.float32) for box in boxes)

    def turned(self, quarter: int) -> np.ndarray:
        """The image turned as mrz_zone.turn does."""
        if quarter not in self._turned:
            self._turned[quarter] = mrz_zone.turn(self.gray, quarter)
        return self._turned[quarter]

    def marks(self, quarter: int, box: np.ndarray) -> int:
        """glyph_marks along `box`, a line in the image turned by `quarter`."""
        key = (quarter, box.tobytes())
        if key not in self._marks:
            self._marks[key] = glyph_marks(self.turned(quarter), box)
        return self._marks[key]

    @functools.cached_property
    def loose_print(self) -> tuple[np.ndarray, ...]:
        """The lines made of letters among loose_lines."""
        return lettered(self.gray, loose_lines(self.gray))

    @functools.cached_property
    def band(self) -> tuple[mrz_zone.Zone | None, np.ndarray, list[int]]:
        """_mrz_band's answer."""
        return _mrz_band(self)


def find_text(
    searches: Searches, long_sides: tuple[int, ...] = TEXT_LONG_SIDES, mrz: bool = True
) -> TextEvidence:
    """Aligned text lines and (with `mrz`) the MRZ band of a grayscale working image.

    Each size of `long_sides` is tried in turn until MIN_LINES lines are found; the MRZ band
    is looked for only where the lines alone do not show a document.
    """
    gray = searches.gray
    best: tuple[list, float] = ([], 1.0)
    for long_side in long_sides:
        rects, factor = searches.line_rects(long_side)
        if len(rects) > len(best[0]):
            best = (rects, factor)
        if len(rects) >= MIN_LINES:
            break
    rects, factor = best
    lines = tuple(cv2.boxPoints(r) / factor for r in rects)
    # Only a zone-like band counts as evidence (two or three lines of nearly equal length):
    # a looser match finds "zones" in patterned backgrounds.
    zone = tuple(searches.zones.lines(mrz_zone.MIN_ZONE_SCORE)) if mrz and len(rects) < MIN_LINES else ()
    if any(searches.marks(0, box) < ZONE_GLYPHS for box in zone):
        zone = ()  # the ruled lines of a sheet of paper, evenly spaced like a zone's
    height = float(np.median([min(r[1]) for r in rects])) / factor if rects else 0.0
    region = None
    if len(lines) >= MIN_LINES or len(zone) >= 2:
        points = np.concatenate(list(lines) + list(zone)).astype(np.float32)
        region = order_corners(cv2.boxPoints(cv2.minAreaRect(points)).astype(np.float32))
    shape = gray.shape[:2]
    margin = EDGE_MARGIN / factor
    # The MRZ finder widens its boxes to the zone's full extent: only text lines are judged here.
    at_edge = any(_runs_into_edge(box, shape, margin) for box in lines)
    return TextEvidence(lines, zone, round(height, 1), region, at_edge)


def beyond_frame(evidence: TextEvidence, shape: tuple[int, ...]) -> float:
    """How far the box around the print reaches past the frame, in line heights (0 inside)."""
    if evidence.region is None or evidence.line_height <= 0:
        return 0.0
    height, width = shape[:2]
    xs, ys = evidence.region[:, 0], evidence.region[:, 1]
    past = max(0.0, -float(xs.min()), -float(ys.min()), float(xs.max()) - (width - 1),
               float(ys.max()) - (height - 1))
    return round(past / evidence.line_height, 2)


def line_to_frame(evidence: TextEvidence, shape: tuple[int, ...]) -> float:
    """How far the line of print nearest the frame's edge reaches past it, in line heights
    (negative inside: how far the nearest line stays from the edge)."""
    if not evidence.lines or evidence.line_height <= 0:
        return float("-inf")
    reach = max(_past_frame(point, shape) for box in evidence.lines for point in box)
    return round(reach / evidence.line_height, 2)


def zone_beyond_frame(searches: Searches) -> float:
    """How far the MRZ band (upright or turned a quarter) reaches past the frame, in its line
    heights; 0 inside, without a band of lines made of characters, or for a band running from
    edge to edge (a scan cropped to the document: its ends say nothing of a cut).

    The zone finder gives each line the band's full extent and a line height more at either
    end, so a band ending right at the frame's edge reaches one line height past it.
    """
    zone = searches.zones.candidates()[0]
    if zone.score < CUT_ZONE_SCORE:
        return 0.0
    turned = searches.turned(zone.quarter)
    if any(searches.marks(zone.quarter, box) < ZONE_GLYPHS for box in zone.boxes):
        return 0.0  # ruled lines, an edge, a stripe: not a line of print
    past = 0.0
    for box in zone.boxes:
        far, near = _band_ends(box, turned.shape)
        if near < -EDGE_TO_EDGE:
            past = max(past, far)
    return round(past, 2)


def zone_lines_cut(searches: Searches, evidence: TextEvidence) -> int:
    """How many lines of the MRZ band, found among `evidence`'s lines of print, run into the
    frame's edge: their characters go on past it. A band that only ends at the edge (a scan
    cropped tight to it) has none; nor has one merged with a page's print running off a photo,
    whose pieces of print along it are short (BAND_LINE_SHARE)."""
    gray = searches.gray
    zone = searches.zones.candidates()[0]
    if zone.score < CUT_ZONE_SCORE:
        return 0
    turned = searches.turned(zone.quarter)
    margin = EDGE_MARGIN / min(1.0, TEXT_LONG_SIDES[0] / max(gray.shape[:2]))
    lines = [turned_points(box, zone.quarter, gray.shape) for box in evidence.lines]
    cut = 0
    for band in zone.boxes:
        corners = order_corners(band.astype(np.float32))
        length = float(np.linalg.norm(corners[1] - corners[0]))
        contour = corners.reshape(-1, 1, 2)
        cut += any(
            cv2.pointPolygonTest(contour, tuple(map(float, line.mean(axis=0))), False) >= 0
            and float(np.ptp(line[:, 0])) >= BAND_LINE_SHARE * length
            and _runs_into_edge(line, turned.shape[:2], margin)
            for line in lines
        )
    return cut


def near_face(face: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The window (x0, y0, x1, y1) round a face's box (x, y, w, h) in which a card's print beside
    its portrait lies (NEAR_FACE face widths each way), inside the frame of `shape`."""
    height, width = shape[:2]
    x, y, w = face[:3]
    left, right, above, below = NEAR_FACE
    return (max(0, int(x - left * w)), max(0, int(y - above * w)),
            min(width, int(x + right * w)), min(height, int(y + below * w)))


def sliced_lines(searches: Searches, quad: np.ndarray) -> int:
    """How many lines of text on `quad` (its centre inside) run into the frame's edge with ink
    up to it: characters the edge cuts. PP-OCR's detector finds the lines, where find_text's
    morphology misses print on a busy card (a guilloche, a ghost portrait); a line running along
    the edge, or ending short of it, is whole. A line of the MRZ band is left to
    zone_short_at_edge: its characters can be counted (a scan cropped at the MRZ's last character
    has ink up to the edge too)."""
    gray = searches.gray
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    shape = gray.shape[:2]
    zone, _, _ = searches.band
    bands = [band.reshape(-1, 1, 2).astype(np.float32) for band in (zone.boxes if zone else ())]
    count = 0
    for box in searches.detected_lines:
        if cv2.pointPolygonTest(contour, tuple(map(float, box.mean(axis=0))), False) < 0:
            continue
        centre = tuple(map(float, turned_points(box, zone.quarter if zone else 0, shape).mean(axis=0)))
        if any(cv2.pointPolygonTest(band, centre, False) >= 0 for band in bands):
            continue
        count += cut_by_edge(gray, box)
    return count


def cut_by_edge(gray: np.ndarray, box: np.ndarray) -> bool:
    """A line of text (a 4-point box: PP-OCR's, or a line found loosely beside a portrait) running
    into the frame's edge with ink up to it: its characters are cut by the edge (see sliced_lines)."""
    return _runs_into_edge(box, gray.shape[:2], DETECT_EDGE) and _edge_gap(gray, box) <= SLICED_GAP


def rows_sliced_by_edge(searches: Searches) -> int:
    """How many lines of text lie along the frame's edge with their letters cut by it: strokes
    of ink reaching the frame's outermost row (column) along much of the line, in several
    separate marks. A line the edge only runs beside ends its letters short of it; a border or
    rule along the edge is one unbroken mark."""
    gray = searches.gray
    height, width = gray.shape[:2]
    count = 0
    for box in searches.detected_lines:
        x0, y0 = (max(int(v), 0) for v in box.min(axis=0))
        x1, y1 = (int(np.ceil(v)) for v in box.max(axis=0))
        x1, y1 = min(x1, width - 1), min(y1, height - 1)
        if x1 - x0 >= SLICED_ASPECT * (y1 - y0):  # a line across: top or bottom edge
            body = gray[y0 : y1 + 1, x0 : x1 + 1]
            edge = 0 if y0 <= DETECT_EDGE else -1 if y1 >= height - 1 - DETECT_EDGE else None
        elif y1 - y0 >= SLICED_ASPECT * (x1 - x0):  # a line down: left or right edge
            body = gray[y0 : y1 + 1, x0 : x1 + 1].T
            edge = 0 if x0 <= DETECT_EDGE else -1 if x1 >= width - 1 - DETECT_EDGE else None
        else:
            continue
        if edge is None or min(body.shape) < 2:
            continue
        count += _letters_cut(body, edge)
    return count


def _letters_cut(body: np.ndarray, edge: int) -> bool:
    """Whether the strokes of a line of print (`body`, the line lying along its rows) reach its
    row `edge` (0 or -1, the frame's edge) in several marks covering much of the line's ink."""
    low, high = np.percentile(body, (5, 95))
    if high - low < SLICED_CONTRAST:
        return False
    middle = (float(low) + float(high)) / 2
    ink = body < middle if float(np.median(body)) > middle else body > middle
    inked = ink.any(axis=0)
    at_edge = ink[edge]
    marks = int(at_edge[0]) + int(np.count_nonzero(at_edge[1:] & ~at_edge[:-1]))
    share = np.count_nonzero(at_edge) / max(np.count_nonzero(inked), 1)
    return bool(marks >= SLICED_MARKS and SLICED_SHARE[0] <= share <= SLICED_SHARE[1])


def _edge_gap(gray: np.ndarray, box: np.ndarray) -> float:
    """Pixels between a line's ink and the end of its box nearer the frame's edge (its length
    where it holds no ink)."""
    corners = order_corners(box.astype(np.float32))
    columns = _ink_columns(gray, corners)
    ink = np.flatnonzero(columns)
    length = float(np.linalg.norm(corners[1] - corners[0]))
    if not len(ink):
        return length
    start, end = (corners[0] + corners[3]) / 2, (corners[1] + corners[2]) / 2
    towards_end = _past_frame(end, gray.shape) > _past_frame(start, gray.shape)
    blank = len(columns) - 1 - int(ink[-1]) if towards_end else int(ink[0])
    return blank * length / len(columns)


def zone_short_at_edge(searches: Searches, characters: int) -> bool:
    """An MRZ band (_mrz_band) that reaches the frame's edge (its line boxes a line height past
    the ink: see zone_beyond_frame) with its lines short of SHORT_ZONE of the `characters` of a
    line of the document's MRZ: the edge cut them (a band cropped tight at its ends, a scan
    cropped to its MRZ, has every character)."""
    zone, turned, marks = searches.band
    if zone is None or max(marks) >= SHORT_ZONE * characters:
        return False
    return all(_band_ends(box, turned.shape)[0] >= SHORT_ZONE_REACH for box in zone.boxes)


def band_cut_by_edge(searches: Searches, characters: int) -> bool:
    """Two lines or more of PP-OCR's, about as long as each other and as full of marks, as dense
    with marks as an MRZ (CUT_BAND_DENSITY), running into the same edge of the frame with ink up
    to it (CUT_BAND_REACH), each short of SHORT_ZONE of the `characters` of the document's MRZ
    line: an MRZ band the edge cut (the zone finder misses a band that starts or ends at the
    frame). A band cropped at its last character has every character; lines of print of unequal
    length are not a band."""
    gray = searches.gray
    shape = gray.shape[:2]
    by_edge: dict[int, list[tuple[float, int]]] = {}
    for box in searches.detected_lines:
        corners = order_corners(box.astype(np.float32))
        length = float(np.linalg.norm(corners[1] - corners[0]))
        height = float(np.linalg.norm(corners[2] - corners[1]))
        reach = CUT_BAND_REACH * height
        if not _runs_into_edge(box, shape, reach) or _edge_gap(gray, box) > reach:
            continue
        marks = glyph_marks(gray, box)
        dense = marks >= CUT_BAND_DENSITY * length / max(height, 1.0)
        if dense and CUT_BAND_GLYPHS <= marks < SHORT_ZONE * characters:
            by_edge.setdefault(_nearest_edge(box, shape), []).append((length, marks))
    for lines in by_edge.values():
        longest = max(length for length, _ in lines)
        most = max(marks for _, marks in lines)
        if sum(length >= EQUAL_ZONE * longest and marks >= EQUAL_ZONE * most for length, marks in lines) >= 2:
            return True
    return False


def lines_faded_into_glare(searches: Searches, darkest: np.ndarray) -> int:
    """How many of PP-OCR's lines of print (about level) are broken by a clipped gap whose light
    has faded the letters on both sides of it (GLARE_GAP, GLARE_GAP_CLIPPED, FADED_INK), where the
    gaps of two such lines or more lie over each other: one reflection across them (0 or 1
    otherwise). `darkest` is the photo's darkest colour channel, as glare is clipped in all.
    A gap between two columns of print on white paper is clipped too, but the letters beside it
    are as dark as the others."""
    gray = searches.gray
    boxes = [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max()))
             for b in searches.detected_lines]
    boxes = [box for box in boxes if box[2] - box[0] >= 2 * (box[3] - box[1])]  # along the rows
    gaps = []
    for left in boxes:
        row = [right for right in boxes if right[0] > left[2] and _same_row(left, right)]
        if not row:
            continue
        right = min(row, key=lambda box: box[0])  # the next piece along the line
        height = min(left[3] - left[1], right[3] - right[1])
        top, bottom = round(max(left[1], right[1])), round(min(left[3], right[3]))
        start, end = round(left[2]), round(right[0])
        if end - start < GLARE_GAP * height:
            continue
        if float((darkest[top:bottom, start:end] >= measures.GLARE_LEVEL).mean()) < GLARE_GAP_CLIPPED:
            continue
        reach = round(height)
        left_faded = _ink(gray, left, start - reach, start) - _ink(gray, left, left[0], start)
        right_faded = _ink(gray, right, end, end + reach) - _ink(gray, right, end, right[2])
        if min(left_faded, right_faded) >= FADED_INK:
            gaps.append((start, end))
    across = any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(gaps) for b in gaps[i + 1:])
    return len(gaps) if across else min(len(gaps), 1)


def lines_fading_into(searches: Searches, box: tuple[int, int, int, int]) -> int:
    """How many of PP-OCR's lines of print, level with the clipped patch in `box` (x, y, w, h),
    end within a line height of its left or right side with their letters fading into it (their
    darkest 5 % over the last line height FADED_INK grey levels lighter than the rest): print the
    reflection wiped out past that side. A line that merely stops near a reflection on the card's
    plain ground keeps its ink to its end."""
    x, y, w, h = box
    gray = searches.gray
    count = 0
    for line in searches.detected_lines:
        x0, y0, x1, y1 = (float(line[:, 0].min()), float(line[:, 1].min()), float(line[:, 0].max()),
                          float(line[:, 1].max()))
        height = y1 - y0
        if x1 - x0 < 2 * height or y1 < y or y0 > y + h:  # along the rows, level with the patch
            continue
        bounds = (x0, y0, x1, y1)
        if abs(x1 - x) <= height:  # it ends at the patch's left side
            faded = _ink(gray, bounds, x1 - height, x1) - _ink(gray, bounds, x0, x1 - height)
        elif abs(x0 - (x + w)) <= height:  # ...or starts at its right side
            faded = _ink(gray, bounds, x0, x0 + height) - _ink(gray, bounds, x0 + height, x1)
        else:
            continue
        count += faded >= FADED_INK
    return count


def _same_row(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Two boxes (x0, y0, x1, y1) on one line: they overlap over 0.6 of the lower one's height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.6 * min(a[3] - a[1], b[3] - b[1])


def _ink(gray: np.ndarray, line: tuple[float, ...], left: float, right: float) -> float:
    """The darkest 5 % of `gray` along `line` (x0, y0, x1, y1) from `left` to `right`: its ink's
    level there."""
    height, width = gray.shape[:2]
    rows = slice(max(round(line[1]), 0), min(round(line[3]) + 1, height))
    patch = gray[rows, max(round(left), 0) : min(round(right) + 1, width)]
    return float(np.percentile(patch, 5)) if patch.size else 0.0


def _nearest_edge(box: np.ndarray, shape: tuple[int, ...]) -> int:
    """Which edge of the frame (0 left, 1 top, 2 right, 3 bottom) `box` comes nearest."""
    height, width = shape[:2]
    xs, ys = box[:, 0], box[:, 1]
    gaps = (float(xs.min()), float(ys.min()), width - 1 - float(xs.max()), height - 1 - float(ys.max()))
    return int(np.argmin(gaps))


def two_line_zone(searches: Searches) -> tuple[mrz_zone.Zone | None, np.ndarray]:
    """The likeliest MRZ zone (upright or turned a quarter) where it is zone-like enough
    (CUT_ZONE_SCORE) and has two lines or more, and the photo turned as it reads; its lines'
    marks of ink are not counted (_mrz_band counts them)."""
    zone = searches.zones.candidates()[0]
    turned = searches.turned(zone.quarter)
    if zone.score < CUT_ZONE_SCORE or len(zone.boxes) < 2:
        return None, turned
    return zone, turned


def _mrz_band(searches: Searches) -> tuple[mrz_zone.Zone | None, np.ndarray, list[int]]:
    """The MRZ band, the photo turned as it reads and its lines' marks of ink, where its two
    lines or more are made of characters and about as long as each other (EQUAL_ZONE): a
    front's lines of print, or a page's running off a photo, found as a band, differ in length."""
    zone, turned = two_line_zone(searches)
    if zone is None:
        return None, turned, []
    marks = [searches.marks(zone.quarter, box) for box in zone.boxes]
    if min(marks) < max(ZONE_GLYPHS, EQUAL_ZONE * max(marks)):
        return None, turned, marks
    return zone, turned, marks


def room_beyond_band(searches: Searches, glyphs: int) -> float | None:
    """The most room the frame leaves for the document on either side of its MRZ band (_mrz_band,
    each line at least `glyphs` marks of ink: a real MRZ), from the centre of the band's line
    farthest from that edge, in lengths of the band's longest line (its ink: the box less a line
    height at either end); None without such a band. An MRZ runs along the bottom of its document,
    which reaches a set share of its length above it (TD1 card, TD2 card, TD3 page: 0.55-0.7
    measured on whole scans), whichever way up the document lies."""
    zone, turned, marks = searches.band
    if zone is None or min(marks) < glyphs:
        return None
    lines = [order_corners(box.astype(np.float32)) for box in zone.boxes]
    inks = [float(np.linalg.norm(c[1] - c[0])) - 2 * float(np.linalg.norm(c[2] - c[1])) / ZONE_BOX_HEIGHT
            for c in lines]
    centres = sorted(float(c[:, 1].mean()) for c in lines)
    room = max(centres[-1], turned.shape[0] - centres[0])
    return round(room / max(max(inks), 1.0), 3)


def band_lines(searches: Searches) -> list[np.ndarray]:
    """The lines of the MRZ band (_mrz_band: upright or turned, made of characters, about as long
    as each other) as 4-point boxes in the image's pixels; [] without such a band."""
    zone, _, _ = searches.band
    if zone is None:
        return []
    height, width = searches.gray.shape[:2]
    back = {0: lambda x, y: (x, y), 90: lambda x, y: (y, height - 1 - x),
            180: lambda x, y: (width - 1 - x, height - 1 - y), 270: lambda x, y: (width - 1 - y, x)}
    turn = back[zone.quarter % 360]
    return [np.stack(turn(box[:, 0], box[:, 1]), axis=1).astype(np.float32) for box in zone.boxes]


def _band_ends(box: np.ndarray, shape: tuple[int, ...]) -> tuple[float, float]:
    """How far an MRZ line's box (mrz_zone's, a line height past its ink at either end) reaches
    past the frame at its farther and at its nearer end, in line heights (negative inside)."""
    corners = order_corners(box.astype(np.float32))
    line = float(np.linalg.norm(corners[2] - corners[1])) / ZONE_BOX_HEIGHT
    ends = ((corners[0] + corners[3]) / 2, (corners[1] + corners[2]) / 2)
    far, near = sorted((_past_frame(end, shape) / max(line, 1.0) for end in ends), reverse=True)
    return far, near


def turned_points(points: np.ndarray, quarter: int, shape: tuple[int, ...]) -> np.ndarray:
    """`points` of an image of `shape` where they lie once it is turned by mrz_zone.turn."""
    if quarter % 360 == 0:
        return points
    height, width = shape[:2]
    x, y = points[:, 0], points[:, 1]
    turned = {90: (height - 1 - y, x), 180: (width - 1 - x, height - 1 - y), 270: (y, width - 1 - x)}
    return np.stack(turned[quarter % 360], axis=1).astype(np.float32)


def _past_frame(point: np.ndarray, shape: tuple[int, ...]) -> float:
    """How far `point` lies outside the frame, in pixels (negative inside: its distance to
    the nearest edge)."""
    height, width = shape[:2]
    x, y = float(point[0]), float(point[1])
    outside = max(-x, -y, x - (width - 1), y - (height - 1))
    return outside if outside > 0 else -min(x, y, width - 1 - x, height - 1 - y)


def glyph_marks(gray: np.ndarray, box: np.ndarray) -> int:
    """Separate marks of ink along a line (a 4-point box in `gray`'s pixels): one per character
    or two for a line of print, one for a ruled line or an edge running its length."""
    columns = _ink_columns(gray, box)
    return int(columns[0]) + int(np.count_nonzero(columns[1:] & ~columns[:-1]))


def longest_blank(gray: np.ndarray, box: np.ndarray) -> float:
    """The longest stretch without ink along a line (a 4-point box), in GLYPH_STRIP heights of
    its straightened strip: an MRZ line is characters and fillers end to end, a line of print
    stops short of a box as long as the MRZ's."""
    columns = _ink_columns(gray, box)
    if not columns.any():
        return float(len(columns)) / GLYPH_STRIP
    edges = np.flatnonzero(np.diff(np.concatenate(([1], columns.astype(np.int8), [1]))))
    return float(np.max(edges[1::2] - edges[::2], initial=0)) / GLYPH_STRIP


def _ink_columns(gray: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Which columns of the line's straightened strip (GLYPH_STRIP high) hold ink."""
    corners = order_corners(box.astype(np.float32))
    length = float(np.linalg.norm(corners[1] - corners[0]))
    height = float(np.linalg.norm(corners[2] - corners[1]))
    width = max(16, round(GLYPH_STRIP * length / max(height, 1.0)))
    strip = _straightened(gray, corners, width, GLYPH_STRIP)
    low, high = np.percentile(strip, (5, 95))
    if high - low < 1:
        return np.zeros(width, bool)
    middle = (float(low) + float(high)) / 2
    # Print is the minority of the strip: dark on a light band, or light on a dark one.
    ink = strip < middle if float(np.median(strip)) > middle else strip > middle
    return ink.any(axis=0)


def _straightened(gray: np.ndarray, corners: np.ndarray, width: int, height: int) -> np.ndarray:
    """The quadrilateral `corners` (ordered) of `gray` warped to a width x height strip."""
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_AREA)


def legible_lines(gray: np.ndarray) -> int:
    """How many lines of print in `gray` PP-OCR reads confidently (LEGIBLE_CONFIDENCE), counted
    up to LEGIBLE_LINES among the LEGIBLE_READ widest (the detector about 0.1 s, then up to 0.02 s
    a line read). A document flattened upside down reads as illegible: its blur stays sure."""
    boxes = mrz_ocr.text_boxes(gray, min(LEGIBLE_LONG_SIDE, max(gray.shape[:2])))
    boxes.sort(key=lambda box: float(np.linalg.norm(box[1] - box[0])), reverse=True)
    legible = 0
    for confidence in mrz_ocr.read_confidences(gray, boxes[:LEGIBLE_READ]):
        legible += confidence is not None and confidence >= LEGIBLE_CONFIDENCE
        if legible >= LEGIBLE_LINES:
            break
    return legible


def lines_inside(evidence: TextEvidence, quad: np.ndarray) -> int:
    """How many text lines have their centre inside `quad`."""
    return len(lines_within(evidence.lines + evidence.mrz_lines, quad))


def lines_within(lines: tuple[np.ndarray, ...], quad: np.ndarray) -> tuple[np.ndarray, ...]:
    """The lines (4-point boxes) whose centre lies inside `quad`."""
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    return tuple(box for box in lines
                 if cv2.pointPolygonTest(contour, tuple(map(float, box.mean(axis=0))), False) >= 0)


def print_lines(gray: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every line of print in `gray` at its own size, in the dominant direction, stacked or not
    (4-point boxes): on a document already cut out of the photo a lone line is print too."""
    return tuple(cv2.boxPoints(rect) for rect in _aligned(_line_rects(gray)))


def lettered(gray: np.ndarray, lines: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The lines (4-point boxes in `gray`'s pixels) made of letters, not drawn strokes.

    Letters make the brightness along a line rise and fall (ink, gap, ink); a ruled line on a
    sheet of paper, a pen or an edge is the same all along. Each line is straightened to
    LETTER_STRIP pixels high with the paper above and below it, and the spread of its column
    means is compared with the strip's contrast.
    """
    kept = []
    for box in lines:
        corners = order_corners(box.astype(np.float32))
        length = float(np.linalg.norm(corners[1] - corners[0]))
        height = float(np.linalg.norm(corners[2] - corners[1]))
        pad = max(2.5, 1 + 4 / max(height, 1.0))  # a thin rule fills its own box
        across = (corners[3] - corners[0]) * (pad - 1) / 2
        padded = np.array([corners[0] - across, corners[1] - across, corners[2] + across,
                           corners[3] + across], np.float32)
        width = max(8, round(LETTER_STRIP * length / max(pad * height, 1.0)))
        strip = _straightened(gray, padded, width, LETTER_STRIP)
        low, high = np.percentile(strip, (5, 95))
        spread = float(strip.astype(np.float32).mean(axis=0).std())
        if spread >= MIN_LETTER_SPREAD * max(float(high - low), 1.0):
            kept.append(box)
    return tuple(kept)


@functools.cache
def _barcode_detector():
    return cv2.barcode.BarcodeDetector()


def has_barcode(gray: np.ndarray) -> bool:
    """Whether OpenCV's barcode detector finds the bars of a barcode in `gray` (a linear code,
    or a stacked one such as a licence's PDF417, whose rows read as bars): print that find_text
    does not take for lines of text. Only a strip of bars counts (BARCODE_STRIP): on generated
    desks without a document the detector also boxed patches of texture as wide as they are
    tall. About 10 ms at the working size; nothing is decoded."""
    return bool(barcode_boxes(gray))


def barcode_boxes(gray: np.ndarray) -> list[np.ndarray]:
    """The 4-point boxes (in `gray`'s pixels) of the barcodes has_barcode counts: strips of bars."""
    with _barcode_lock:  # one detector object per process, not documented as thread-safe
        found, corners = _barcode_detector().detect(gray)
    if not found or corners is None:
        return []
    strips = []
    for box in corners:
        short, long = sorted(cv2.minAreaRect(box.astype(np.float32))[1])
        if short > 0 and long >= BARCODE_STRIP * short:
            strips.append(box.astype(np.float32))
    return strips


def loose_lines(gray: np.ndarray) -> tuple[np.ndarray, ...]:
    """Aligned line-shaped marks (4-point boxes in `gray`'s pixels), found more loosely than
    find_text does, at the LOOSE_LONG_SIDES size that finds most.

    Two things hide a document's print from find_text: a line (a card's printed border, a box
    drawn round a field) enclosing the lines, whose outline alone it sees; and a label printed
    close above its value, which its vertical joining merges into one shapeless blob. Here
    every outline counts, inner ones too, and letters are joined only along the line. Looser
    means less sure: this is evidence that a document may be there, not where it is.
    """
    best: tuple[list, float] = ([], 1.0)
    for long_side in LOOSE_LONG_SIDES:
        factor = long_side / max(gray.shape[:2])
        small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
        rects = _aligned(_line_rects(small, join=(9, 1), mode=cv2.RETR_LIST))
        if len(rects) > len(best[0]):
            best = (rects, factor)
    rects, factor = best
    return tuple(cv2.boxPoints(r) / factor for r in rects)


def _line_rects(small: np.ndarray, join: tuple[int, int] = (7, 3), mode: int = cv2.RETR_EXTERNAL) -> list:
    """Rotated rectangles of text-line-shaped blobs, dark-on-light and light-on-dark: letters
    joined by closing with a `join` (width, height) rectangle, outlines retrieved by `mode`."""
    glyph = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    dark = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, glyph)
    light = cv2.morphologyEx(small, cv2.MORPH_TOPHAT, glyph)
    response = cv2.max(dark, light)
    _, mask = cv2.threshold(response, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, join))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    rects = []
    for contour in cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)[0]:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h, angle = h, w, angle + 90
        if not 3 <= h <= 28 or w < 3 * h or w < 24:
            continue
        # Letters fill much of their line's box; a stray diagonal edge does not.
        if cv2.contourArea(contour) < 0.45 * w * h:
            continue
        rects.append(((cx, cy), (w, h), angle % 180))
    return rects


def _aligned(rects: list) -> list:
    """The lines that share the dominant direction (within 6 degrees), weighted by length."""
    if not rects:
        return []
    angles = np.array([r[2] for r in rects])
    weights = np.array([r[1][0] for r in rects])
    best, best_weight = 0.0, -1.0
    for angle in angles:
        close = np.abs((angles - angle + 90) % 180 - 90) <= 6
        if weights[close].sum() > best_weight:
            best, best_weight = angle, float(weights[close].sum())
    keep = np.abs((angles - best + 90) % 180 - 90) <= 6
    return [r for r, k in zip(rects, keep, strict=True) if k]


def _block(rects: list) -> list:
    """The largest group of lines stacked like a paragraph: each near the next across the
    line direction (within 3 line heights) and overlapping it along the line. Stray
    line-shaped marks (a mouth, an eyebrow, a stripe of wood grain) do not stack."""
    if len(rects) < 2:
        return rects
    angle = np.deg2rad(np.median([r[2] for r in rects]))
    along = np.array([np.cos(angle), np.sin(angle)])
    across = np.array([-np.sin(angle), np.cos(angle)])
    centres = np.array([r[0] for r in rects])
    a = centres @ along
    c = centres @ across
    half = np.array([r[1][0] / 2 for r in rects])
    height = np.array([r[1][1] for r in rects])
    group = list(range(len(rects)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i in range(len(rects)):
        for j in range(i + 1, len(rects)):
            near = abs(c[i] - c[j]) <= 3 * max(height[i], height[j])
            overlap = abs(a[i] - a[j]) <= half[i] + half[j] + 2 * max(height[i], height[j])
            if near and overlap:
                group[root(i)] = root(j)
    roots = [root(i) for i in range(len(rects))]
    biggest = max(set(roots), key=roots.count)
    return [r for r, g in zip(rects, roots, strict=True) if g == biggest]


def _runs_into_edge(box: np.ndarray, shape: tuple[int, int], margin: float) -> bool:
    """A line whose end (not its side) is at the frame's edge: its text goes on outside.

    A tightly cropped scan has lines close to its top and bottom edges, running along
    them; a cut document has lines running into an edge.
    """
    height, width = shape
    ordered = box[np.argsort(box[:, 0])]
    ends = (ordered[:2].mean(axis=0), ordered[2:].mean(axis=0))
    if np.ptp(box[:, 1]) > np.ptp(box[:, 0]):  # a vertical line
        ordered = box[np.argsort(box[:, 1])]
        ends = (ordered[:2].mean(axis=0), ordered[2:].mean(axis=0))
    # An end counts at an edge the line runs towards, not at one it lies along (the border
    # of a card scanned to the frame's edge reads as a line hugging it).
    direction = np.abs(ends[1] - ends[0]) / max(float(np.linalg.norm(ends[1] - ends[0])), 1e-6)
    across_x, across_y = direction[0] >= 0.3, direction[1] >= 0.3
    return any(
        (across_x and (x <= margin or x >= width - 1 - margin))
        or (across_y and (y <= margin or y >= height - 1 - margin))
        for x, y in ends
    )

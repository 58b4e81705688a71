"""Find the MRZ in a photo and read its lines: morphology finds long, evenly spaced text
lines (fast, no model), RapidOCR's PP-OCR recogniser (ONNX, shipped in the wheel; see
mrz_ocr) reads only those crops. Detection with the neural detector over the whole photo
costs seconds on one core; this costs tens of milliseconds and is what keeps the quality
verdict fast."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from kcheck.docintel.mrz import NOT_FOUND, MrzReading, parse
from kcheck.docintel.mrz_ocr import read_lines, read_start, upside_down_odds

WORK_LONG_SIDE = 1400  # where lines are looked for
MIN_WORK_LONG_SIDE = 1000  # small scans are enlarged to this before looking
MIN_ZONE_SCORE = 1.8  # two lines of nearly equal length: no need to look sideways
READ_LONG_SIDE = 2400  # where line crops are cut from (more pixels per character)
MIN_LINE_ASPECT = 11.0  # an MRZ line is at least 30 characters long: very long and thin
MAX_LINE_ASPECT = 45.0  # thinner is a rule or an edge, not a line of characters
MIN_SEGMENT_ASPECT = 3.0  # a piece of a line cut off by a gap or a watermark
MIN_SEGMENT = 0.03  # of the long side
MAX_SKEW_SPREAD = 6.0  # degrees between pieces of one zone (a slightly curved page)
MAX_GAP = 2.0  # line heights between two pieces of one line
CODE_SHARE = 0.2  # of a line: its first 7-9 characters (44 or 36 a line) and the box's margin
CODE_CHARACTERS = 3  # pitches of a 44-character line read from the first ink: 2.5 characters of a 36 one
MIN_MRZ_TEXT = 12  # characters read on a line of the zone (a names line may fade early)
SHORT_LINE = 0.45  # of its neighbour: a shorter line is not part of the zone
COLOURED_INK = 96  # brightest minus darkest channel: red or blue pen, a stamp; not JPEG fringes
INK_RIM = 5  # px round coloured ink lightened with it (a stamp's outline)
PALE_COLOUR = 24  # the same spread on the most coloured tenth of a photo: a tinted page, a stamp


def decode(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(greyscale, the same without coloured ink, colour): the photo reduced by the JPEG
    decoder itself when it is much larger than needed. Lines are looked for in the second (a
    red ring drawn round the zone, a stamp across it, no longer joins or cuts its lines) and
    read in the first (the colour fringes JPEG leaves round black print would thin its glyphs);
    the colour is kept for reading again when a stamp or band lies over the print itself."""
    buf = np.frombuffer(data, np.uint8)
    header = cv2.imdecode(buf, cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if header is None:
        return None
    long_side = max(header.shape) * 8
    flag = cv2.IMREAD_COLOR
    for factor, reduced in ((4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2)):
        if long_side / factor >= READ_LONG_SIDE:
            flag = reduced
            break
    colour = cv2.imdecode(buf, flag)
    if colour is None:
        return None
    return cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY), without_coloured_ink(colour), colour


def brightest_channel(colour: np.ndarray) -> np.ndarray:
    """Each pixel's brightest channel: black print stays dark, ink of any colour (a pink
    SPECIMEN stamp, a green band painted over the zone) turns as light as the paper."""
    channels = cv2.split(colour)
    return cv2.max(cv2.max(channels[0], channels[1]), channels[2])


def without_coloured_ink(colour: np.ndarray) -> np.ndarray:
    """Grey (luma), except where the ink is clearly coloured: there, the brightest channel,
    as light as the paper. The zone is printed in black and stays dark. Only clearly coloured
    pixels change: in a photo under coloured light, one channel of the paper may be blown out,
    and the brightest channel would wash the print out with it."""
    gray = cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    channels = cv2.split(colour)
    brightest = brightest_channel(colour)
    darkest = cv2.min(cv2.min(channels[0], channels[1]), channels[2])
    coloured = cv2.compare(cv2.subtract(brightest, darkest), COLOURED_INK, cv2.CMP_GE)
    # The rim of coloured ink goes too: there JPEG and the lens blend it with the paper into
    # a duller colour that stays as a faint outline (the letters of a stamp across the zone)
    coloured = cv2.dilate(coloured, np.ones((INK_RIM, INK_RIM), np.uint8))
    np.copyto(gray, brightest, where=coloured.astype(bool))
    return gray


@dataclass(frozen=True)
class Zone:
    """Text lines that look like an MRZ, in the coordinates of `turn(photo, quarter)`:
    `boxes` (4 points each, top to bottom) and `spares`, one line spacing above and below,
    read only when the boxes alone give no valid zone (a faded first line, a third line)."""

    quarter: int
    boxes: list
    spares: list
    score: float


def find_lines(gray: np.ndarray, min_score: float = 0.0) -> list[np.ndarray]:
    """Rotated boxes (4 points, in `gray`'s pixels) of the zone's text lines, top to bottom;
    lines are looked for within 45 degrees of horizontal (see `find_zone` for quarter turns).
    With `min_score` (e.g. MIN_ZONE_SCORE), only a zone at least that zone-like counts."""
    return ZoneSearch(gray).lines(min_score)


def find_zone(gray: np.ndarray) -> tuple[int, list[np.ndarray]]:
    """(quarter turn, boxes): the lines of the most zone-like text in `turn(gray, quarter)`."""
    zone = zone_candidates(gray)[0]
    return zone.quarter, zone.boxes


def zone_candidates(gray: np.ndarray) -> list[Zone]:
    """Zones, most zone-like first (see ZoneSearch.candidates)."""
    return ZoneSearch(gray).candidates()


class ZoneSearch:
    """The zone searches of one image, each run once: a photo's check asks for its upright
    lines (find_lines) and for its candidates (zone_candidates) from several places."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray

    @functools.cached_property
    def _copy(self) -> tuple[np.ndarray, float]:
        return _working_copy(self.gray)

    @functools.cached_property
    def upright(self) -> Zone:
        """The most zone-like text within 45 degrees of horizontal."""
        return _zone(*self._copy, 0)

    def lines(self, min_score: float = 0.0) -> list[np.ndarray]:
        """The upright zone's boxes (find_lines), where it is at least `min_score` zone-like."""
        return self.upright.boxes if self.upright.score >= min_score else []

    @functools.cached_property
    def _candidates(self) -> list[Zone]:
        upright = self.upright
        if upright.score >= MIN_ZONE_SCORE:
            return [upright]
        small, scale = self._copy
        sideways = _zone(cv2.rotate(small, cv2.ROTATE_90_CLOCKWISE), scale, 90)
        zones = sorted([upright, sideways], key=lambda zone: -zone.score)
        return [zone for zone in zones if zone.boxes or zone.quarter == 0]

    def candidates(self) -> list[Zone]:
        """Zones, most zone-like first. Upright and sideways are told apart by where long thin
        lines exist (text runs along them), which costs a second pass of morphology only when
        the upright pass found no zone; upside down is told by reading (`read_mrz`)."""
        return list(self._candidates)


def turn(gray: np.ndarray, degrees: int) -> np.ndarray:
    """The image turned clockwise by a multiple of 90 degrees."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
             270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return gray if degrees % 360 == 0 else cv2.rotate(gray, codes[degrees % 360])


def _working_copy(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The image at the size lines are looked for in: large photos are reduced; small scans
    are enlarged, so that the morphology below still separates lines a few pixels apart."""
    scale = min(WORK_LONG_SIDE / max(gray.shape), max(1.0, MIN_WORK_LONG_SIDE / max(gray.shape)))
    if scale == 1:
        return gray, 1.0
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation), scale


def _segments(small: np.ndarray) -> list[tuple]:
    """(width, centre, height, angle) of thin runs of text, longest first: whole lines, or
    pieces of a line that a gap, a fold or a watermark cut apart."""
    unit = max(small.shape) / 1000
    rect = cv2.getStructuringElement(cv2.MORPH_RECT, (round(13 * unit), round(5 * unit)))
    blackhat = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, rect)
    grad = cv2.convertScaleAbs(cv2.Sobel(blackhat, cv2.CV_32F, 1, 0, ksize=3))
    # Close across two character pitches: narrow glyphs ("I<") leave wide gaps in a line.
    join = cv2.getStructuringElement(cv2.MORPH_RECT, (round(31 * unit), round(5 * unit)))
    grad = cv2.morphologyEx(grad, cv2.MORPH_CLOSE, join)
    _, mask = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    # A document edge close to the zone would join its lines into one block: cut it away.
    tall = cv2.getStructuringElement(cv2.MORPH_RECT, (1, round(40 * unit)))
    edges = cv2.dilate(cv2.morphologyEx(mask, cv2.MORPH_OPEN, tall), np.ones((1, 9), np.uint8))
    mask = cv2.subtract(mask, edges)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h, angle = h, w, angle + 90
        angle = (angle + 90) % 180 - 90
        if h < 4 or w / h < MIN_SEGMENT_ASPECT or w / h > MAX_LINE_ASPECT \
                or w < MIN_SEGMENT * max(small.shape) or abs(angle) > 45:
            continue
        found.append((w, (cx, cy), h, angle))
    found.sort(key=lambda item: -item[0])
    return found


@dataclass
class _Line:
    start: float  # along the zone's direction
    end: float
    across: float
    height: float

    @property
    def length(self) -> float:
        return self.end - self.start


def _rows(segments: list[tuple], angle: float, max_gap: float) -> list[_Line]:
    """Segments at the zone's angle joined into lines: pieces on the same row, with gaps
    shorter than `max_gap` line heights, make one line."""
    theta = np.deg2rad(angle)
    cos, sin = np.cos(theta), np.sin(theta)
    pieces = []
    for w, (cx, cy), h, a in segments:
        if abs((a - angle + 90) % 180 - 90) > MAX_SKEW_SPREAD:
            continue
        along = cx * cos + cy * sin
        pieces.append(_Line(along - w / 2, along + w / 2, -cx * sin + cy * cos, h))
    pieces.sort(key=lambda p: p.start)
    rows: list[_Line] = []
    for piece in pieces:
        for row in rows:
            if abs(row.across - piece.across) < 0.6 * min(row.height, piece.height) \
                    and piece.start - row.end < max_gap * row.height \
                    and 0.6 < piece.height / row.height < 1.6:
                share = piece.length / (row.length + piece.length)
                row.across += share * (piece.across - row.across)
                row.height += share * (piece.height - row.height)
                row.end = max(row.end, piece.end)
                break
        else:
            rows.append(piece)
    return rows


def _best_group(lines: list[_Line]) -> list[_Line]:
    """The 2 or 3 lines most like a zone: parallel, about equally long, overlapping along
    the direction and evenly spaced about 1.2 to 4 line heights apart; else the longest.
    Zones are the longest lines of a document: groups are ranked by their total length."""
    lines = sorted(lines, key=lambda line: line.across)
    best, best_length = [], 0.0
    for i, first in enumerate(lines):
        group = [first]
        for line in lines[i + 1:]:
            last = group[-1]
            spacing = line.across - last.across
            height = min(last.height, line.height)
            if spacing < 1.2 * height:
                continue
            if spacing > 4.0 * height or len(group) == 3:
                break
            if len(group) == 2 and abs(spacing - (group[1].across - group[0].across)) \
                    > 0.35 * spacing:
                break
            overlap = min(line.end, last.end) - max(line.start, last.start)
            if overlap < 0.6 * min(line.length, last.length) \
                    or min(line.length, last.length) < SHORT_LINE * max(line.length, last.length):
                continue
            group.append(line)
        length = sum(line.length for line in group)
        if len(group) > 1 and length > best_length:
            best, best_length = group, length
    if not best and lines:
        best = [max(lines, key=lambda line: line.length)]
    return best


def _zone(small: np.ndarray, scale: float, quarter: int) -> Zone:
    segments = _segments(small)
    if not segments:
        return Zone(quarter, [], [], 0.0)
    angle = segments[0][3]
    rows = _rows(segments, angle, MAX_GAP)
    group = _best_group([row for row in rows if row.length / row.height >= MIN_LINE_ASPECT])
    if not group:
        return Zone(quarter, [], [], 0.0)
    # 2 for two lines as long as the longest text on the page, 0 for a single line.
    longest = max(row.length for row in rows)
    score = sum(min(1.0, line.length / longest) for line in group) * (len(group) > 1)
    # MRZ lines are equally long and aligned: each gets the extent of the whole group (a
    # line whose fillers faded out is read to its end).
    height = float(np.median([line.height for line in group]))
    start = _aligned_start(group, height)
    # A piece of a line beyond a wide gap (a watermark, a fold) still extends the zone.
    end = max(row.end for row in _rows(segments, angle, np.inf)
              if any(abs(row.across - line.across) < 0.6 * height for line in group))
    spacing = (group[-1].across - group[0].across) / (len(group) - 1) if len(group) > 1 \
        else 2.0 * height
    boxes = [_box(start, end, line.across, height, angle, scale) for line in group]
    spares = [_box(start, end, across, height, angle, scale)
              for across in (group[0].across - spacing, group[-1].across + spacing)
              if _inside(start, end, across, angle, small.shape)]
    if len(group) == 3:
        spares = []
    return Zone(quarter, boxes, spares, score)


def _aligned_start(group: list[_Line], height: float) -> float:
    """Where the zone's lines begin: the earliest start near the others (a line joined to
    text beside the zone, on a scan of two cards side by side, does not widen the crop)."""
    starts = sorted(line.start for line in group)
    if len(starts) < 3:
        return starts[0]
    return min(start for start in starts if abs(start - starts[1]) <= 2 * height)


def _box(start: float, end: float, across: float, height: float, angle: float,
         scale: float) -> np.ndarray:
    theta = np.deg2rad(angle)
    along = (start + end) / 2
    centre = (along * np.cos(theta) - across * np.sin(theta),
              along * np.sin(theta) + across * np.cos(theta))
    size = (end - start + 2.0 * height, height * 1.7)
    return cv2.boxPoints((centre, size, angle)) / scale


def _inside(start: float, end: float, across: float, angle: float, shape) -> bool:
    theta = np.deg2rad(angle)
    along = (start + end) / 2
    x = along * np.cos(theta) - across * np.sin(theta)
    y = along * np.sin(theta) + across * np.cos(theta)
    return 0 <= x < shape[1] and 0 <= y < shape[0]


def mrz_like(text: str) -> bool:
    """Long enough and mostly made of the MRZ alphabet (a line may be full: no filler)."""
    compact = text.replace(" ", "")
    if len(compact) < MIN_MRZ_TEXT:
        return False
    allowed = sum(c.isupper() or c.isdigit() or c in "<«" for c in compact)
    return allowed >= 0.9 * len(compact)


def read_mrz(data: bytes, today=None) -> MrzReading:
    """Find and read the MRZ in a photo (JPEG/PNG bytes), whichever way up the document lies.
    Never raises on a bad image. Every zone is first read fast (28 px) each way up it may
    lie; only then is the likelier way read again finely, and only the lines that need it:
    a re-read costs three times a fast one, and on a zone read the wrong way up first it
    bought nothing. A zone still not read valid in a colour photo is looked for and read once
    more in each pixel's brightest channel: a coloured stamp or band over the print fades
    there, even one too pale to count as coloured ink (not first: JPEG's colour fringes round
    black print thin its glyphs in that channel)."""
    decoded = decode(data)
    if decoded is None:
        return NOT_FOUND
    gray, ink, colour = decoded
    best = NOT_FOUND
    zones = [zone for zone in zone_candidates(ink) if zone.boxes]
    for zone in zones:
        best = _read_zone(turn(gray, zone.quarter), zone, best, today)
        if best.valid:
            return best
    if zones and _coloured(colour):
        paper = brightest_channel(colour)
        found = next((zone for zone in zone_candidates(paper) if zone.boxes), zones[0])
        for zone in [found] + [zones[0]] * (not _same_lines(found, zones[0])):
            best = _read_zone(turn(paper, zone.quarter), zone, best, today)
            if best.valid:
                break
    return best


def read_zone(image: np.ndarray, zone: Zone, today=None) -> MrzReading:
    """The best reading of one zone found in `image` (the photo turned by the zone's quarter),
    each way up it may lie, as read_mrz reads each zone it finds."""
    return _read_zone(image, zone, NOT_FOUND, today)


def begins_with(image: np.ndarray, zone: Zone, code: str) -> bool:
    """Whether the zone's top line, upright, may begin with `code` (its first CODE_CHARACTERS
    read fast: about 3 ms, where the whole zone costs about 0.1 s). A hint, no reading: no check
    digit covers it. Upside down it is not looked at (each way costs as much again)."""
    start = read_start(image, zone.boxes[0], CODE_SHARE, CODE_CHARACTERS)
    return start.strip().upper().startswith(code)  # (PP-OCR reads OCR-B's V as v at times)


def _same_lines(one: Zone, other: Zone) -> bool:
    """Whether two zones are the same boxes (to within a pixel or two): read once, not twice."""
    return one.quarter == other.quarter and len(one.boxes) == len(other.boxes) and all(
        np.abs(a - b).max() < 2 for a, b in zip(one.boxes, other.boxes, strict=True))


def _coloured(colour: np.ndarray) -> bool:
    """Whether any ink or paper of the photo has colour enough to fade in its brightest
    channel (a grey scan has none: reading it again there would read the same pixels)."""
    small = cv2.resize(colour, (64, 64), interpolation=cv2.INTER_AREA)
    spread = small.max(axis=2).astype(np.int16) - small.min(axis=2)
    return bool(np.percentile(spread, 90) >= PALE_COLOUR)


def _read_zone(image: np.ndarray, zone: Zone, best: MrzReading, today) -> MrzReading:
    """The best reading of one zone in `image` (the photo turned by the zone's quarter), or
    `best` when it reads no better."""
    first = upside_down_odds(image, zone.boxes) > 0
    ways = []
    for upside_down in (first, not first):
        fast = read_lines(image, zone.boxes, upside_down, _names(len(zone.boxes)))
        reading = _turned(best_reading(fast, today), zone, upside_down)
        best = max(best, reading, key=_rank)
        if reading.valid and not _doubtful(reading):
            return reading
        ways.append((reading, upside_down, fast))
        if _right_way_up(reading):
            break  # a zone whose check digits partly pass: the other way is only noise
    for reading, upside_down, fast in sorted(ways, key=lambda way: _rank(way[0]),
                                             reverse=True):
        if not any(mrz_like(text) for text in fast):
            continue
        finer = _turned(_read_again(image, zone, upside_down, fast, reading, today),
                        zone, upside_down)
        best = max(best, finer, key=_rank)
        if best.valid or _right_way_up(finer):
            break
    return best


def _turned(reading: MrzReading, zone: Zone, upside_down: bool) -> MrzReading:
    """The reading with how the document lies: turned clockwise by this much in the photo."""
    if reading.found:
        reading.rotation = (360 - zone.quarter + 180 * upside_down) % 360
    return reading


def _right_way_up(reading: MrzReading) -> bool:
    """A reading in the layout's shape with at least half its check digits passing: turned
    over, the same zone would read as noise (a specimen may print wrong check digits)."""
    return reading.found and 2 * sum(reading.checks.values()) >= len(reading.checks)


def _read_again(image: np.ndarray, zone: Zone, upside_down: bool, fast: list[str],
                reading: MrzReading, today) -> MrzReading:
    """A zone read at 28 px that gave no valid reading (or an unknown code), read again: at
    48 px, the lines that hold what failed (the best mix of both readings per line counts),
    then with the spare lines above and below (a faded first line, a third line)."""
    again = _lines_to_read_again(reading, len(fast))
    fine = list(fast)
    for i, text in zip(again, _read_some(image, zone.boxes, upside_down, again), strict=True):
        fine[i] = text
    mixed, chosen = _best_mix(fast, fine, today)
    reading = max(reading, mixed, key=_rank)
    if reading.valid or not zone.spares or len(reading.lines) == len(zone.boxes):
        return reading  # every line found has its place in the layout: no line is missing
    texts = dict(zip(_box_ids(zone.boxes), chosen, strict=True))
    texts.update(zip(_box_ids(zone.spares),
                     read_lines(image, zone.spares, upside_down, set(range(len(zone.spares)))),
                     strict=True))
    boxes = sorted([*zone.boxes, *zone.spares], key=lambda box: float(box[:, 1].mean()))
    order = _box_ids(boxes[::-1] if upside_down else boxes)
    more = best_reading([texts[key] for key in order], today)
    return more if _rank(more) > _rank(reading) else reading


# Which lines (in reading order) hold the characters each check digit covers, and the codes.
_LINES_OF = {
    "TD1": {"document_number": {0}, "birth_date": {1}, "expiry_date": {1}, "composite": {0, 1},
            "document_type": {0}, "issuing_country": {0}, "nationality": {1}},
    "FRA-CNI": {"document_number": {1}, "birth_date": {1}, "composite": {0, 1},
                "document_type": {0}, "issuing_country": {0}, "nationality": set()},
    "two lines": {"document_number": {1}, "birth_date": {1}, "expiry_date": {1},
                  "personal_number": {1}, "composite": {1}, "document_type": {0},
                  "issuing_country": {0}, "nationality": {1}},
}


def _lines_to_read_again(reading: MrzReading, count: int) -> list[int]:
    """The lines (in reading order) that hold a failing check or an unknown code; every line
    when the zone was not made out, or was made out of fewer lines than were found."""
    if not reading.found or len(reading.lines) != count:
        return list(range(count))
    layout = reading.variant if reading.variant == "FRA-CNI" else \
        "TD1" if reading.format == "TD1" else "two lines"
    wrong = [*reading.failed_checks,
             *({"document_type", "issuing_country", "nationality"} & set(reading.implausible))]
    lines = set().union(*(_LINES_OF[layout].get(name, set(range(count))) for name in wrong))
    return sorted(lines) or list(range(count))


def _read_some(image: np.ndarray, boxes: list[np.ndarray], upside_down: bool,
               lines: list[int]) -> list[str]:
    """Some of the zone's lines (by index in reading order) read at 48 px."""
    in_text_order = boxes[::-1] if upside_down else boxes
    picked = [in_text_order[i] for i in lines]
    names = _names(len(boxes))
    return read_lines(image, picked[::-1] if upside_down else picked, upside_down,
                      {k for k, i in enumerate(lines) if i in names}, fine=True)


def _doubtful(reading: MrzReading) -> bool:
    """A valid reading with an unknown code, which no check digit covers: a slip in the
    nationality ("<HE" for CHE), or on TD2 and TD3 a letter lost early in the first line that
    shifts the country code ("P<ANMARTIN") and the names after it."""
    return bool({"document_type", "issuing_country", "nationality"} & set(reading.implausible))


def _names(count: int) -> set[int]:
    """Which lines (in reading order) hold names: the first of two (TD2, TD3, visas), the last
    of three (TD1)."""
    return {2: {0}, 3: {2}}.get(count, set())


def _box_ids(boxes: list[np.ndarray]) -> list[bytes]:
    return [box.tobytes() for box in boxes]


def _best_mix(fast: list[str], fine: list[str], today) -> tuple[MrzReading, list[str]]:
    """The best reading over every choice, per line, between two readings of the same lines,
    and the texts it was made of; on a tie, the finer reading (no check digit covers names)."""
    best, chosen = NOT_FOUND, fine
    for choice in itertools.product((1, 0), repeat=len(fast)):
        texts = [(fast, fine)[pick][i] for i, pick in enumerate(choice)]
        reading = best_reading(texts, today)
        if _rank(reading) > _rank(best):
            best, chosen = reading, texts
    return best, chosen


def best_reading(texts: list[str], today=None) -> MrzReading:
    """The best parse over runs of consecutive MRZ-like lines: valid first, then most checks
    passed, then longest."""
    candidates = [i for i, text in enumerate(texts) if mrz_like(text)]
    best = NOT_FOUND
    for start in range(len(candidates)):
        for count in (3, 2):
            run = candidates[start:start + count]
            if len(run) < count or run[-1] - run[0] != count - 1 \
                    or not any("<" in texts[i] for i in run):
                continue
            reading = parse([texts[i] for i in run], today)
            if reading.found and _rank(reading) > _rank(best):
                best = reading
    return best


def _rank(reading: MrzReading) -> tuple:
    return (reading.found, reading.valid, sum(reading.checks.values()),
            -len(reading.implausible), len(reading.lines))

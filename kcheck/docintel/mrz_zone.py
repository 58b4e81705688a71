"""Find the MRZ in a photo and read its lines: morphology finds long, evenly spaced text
lines (fast, no model), RapidOCR's PP-OCR recogniser (ONNX, shipped in the wheel) reads only
those crops. Detection with the neural detector over the whole photo costs seconds on one
core; this costs tens of milliseconds and is what keeps the quality verdict fast."""

from __future__ import annotations

import functools
import threading

import cv2
import numpy as np

from kcheck.docintel.mrz import NOT_FOUND, MrzReading, parse

WORK_LONG_SIDE = 1400  # where lines are looked for
READ_LONG_SIDE = 2400  # where line crops are cut from (more pixels per character)
MIN_LINE_ASPECT = 11.0  # an MRZ line is at least 30 characters long: very long and thin
MAX_LINE_ASPECT = 45.0  # thinner is a rule or an edge, not a line of characters
SHORT_LINE = 0.4  # shorter lines are not part of the zone
MAX_LINES = 4
# PP-OCR reads OCR-B's wide spacing better when the strip is stretched: at 1.0 it drops
# letters ("KELLER" -> "KELER"); at 1.6 none were lost on the generated set.
STRETCH = 1.6

_lock = threading.Lock()


@functools.cache
def recognizer():
    """The PP-OCRv4 line recogniser of rapidocr-onnxruntime, one thread (one worker per core)."""
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, update_model_path
    from rapidocr_onnxruntime.utils import read_yaml

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"]
    config.update(intra_op_num_threads=1, inter_op_num_threads=1, rec_batch_num=4)
    return TextRecognizer(config)


def decode(data: bytes) -> np.ndarray | None:
    """Greyscale, reduced by the JPEG decoder itself when the photo is much larger than needed."""
    buf = np.frombuffer(data, np.uint8)
    header = cv2.imdecode(buf, cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if header is None:
        return None
    long_side = max(header.shape) * 8
    flag = cv2.IMREAD_GRAYSCALE
    for factor, reduced in ((4, cv2.IMREAD_REDUCED_GRAYSCALE_4), (2, cv2.IMREAD_REDUCED_GRAYSCALE_2)):
        if long_side / factor >= READ_LONG_SIDE:
            flag = reduced
            break
    return cv2.imdecode(buf, flag)


def find_lines(gray: np.ndarray) -> list[np.ndarray]:
    """Rotated boxes (4 points, in `gray`'s pixels) of long text lines, top to bottom."""
    scale = min(1.0, WORK_LONG_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1 else gray
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
        if h < 4 or not MIN_LINE_ASPECT <= w / h <= MAX_LINE_ASPECT \
                or w < 0.2 * max(small.shape):
            continue
        found.append((w, (cx, cy), h, angle))
    found.sort(key=lambda item: -item[0])
    if not found:
        return []
    width, centre, _, angle = found[0]
    boxes = []
    for w, (cx, cy), h, a in found[:MAX_LINES + 2]:
        if abs((a - angle + 90) % 180 - 90) > 4 or w < SHORT_LINE * width:
            continue
        # MRZ lines are equally long and aligned: a line whose fillers faded out is given
        # the extent of the longest one, shifted across to where it was found.
        theta = np.deg2rad(angle)
        across = (cx - centre[0]) * -np.sin(theta) + (cy - centre[1]) * np.cos(theta)
        mid = (centre[0] - across * np.sin(theta), centre[1] + across * np.cos(theta))
        box = cv2.boxPoints((mid, (width * 1.04 + 0.6 * h, h * 1.7), angle))
        boxes.append(box / scale)
    boxes = boxes[:MAX_LINES]
    return sorted(boxes, key=lambda b: float(b[:, 1].mean()))


def crop_line(gray: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The line straightened to a horizontal strip (RapidOCR's rotate-crop), as BGR."""
    pts = _order(box.astype(np.float32))
    width = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    height = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(pts, target)
    strip = cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_CUBIC,
                                borderMode=cv2.BORDER_REPLICATE)
    strip = cv2.resize(strip, None, fx=STRETCH * 48 / height, fy=48 / height,
                       interpolation=cv2.INTER_AREA if height > 48 else cv2.INTER_CUBIC)
    return cv2.cvtColor(strip, cv2.COLOR_GRAY2BGR)


def _order(pts: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    by_x = pts[np.argsort(pts[:, 0])]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1])]
    tr, br = right[np.argsort(right[:, 1])]
    return np.float32([tl, tr, br, bl])


def read_lines(gray: np.ndarray, boxes: list[np.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence) for each box, in order."""
    if not boxes:
        return []
    crops = [crop_line(gray, box) for box in boxes]
    with _lock:  # one ONNX session per process; RQ runs one job at a time anyway
        results, _ = recognizer()(crops)
    return [(text, float(score)) for text, score in results]


def mrz_like(text: str) -> bool:
    """Long enough and mostly made of the MRZ alphabet (a line may be full: no filler)."""
    compact = text.replace(" ", "")
    if len(compact) < 26:
        return False
    allowed = sum(c.isupper() or c.isdigit() or c in "<«" for c in compact)
    return allowed >= 0.9 * len(compact)


def read_mrz(data: bytes, today=None) -> MrzReading:
    """Find and read the MRZ in a photo (JPEG/PNG bytes). Never raises on a bad image."""
    gray = decode(data)
    if gray is None:
        return NOT_FOUND
    boxes = find_lines(gray)
    texts = [text for text, _ in read_lines(gray, boxes)]
    return best_reading(texts, today)


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
    return (reading.found, reading.valid, sum(reading.checks.values()), len(reading.lines))

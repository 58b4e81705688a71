"""Reading the lines of an MRZ once they are found (mrz_zone finds them): straighten each
line, guess which way up it reads with PP-OCR's small direction classifier, and read it with
the PP-OCRv4 line recogniser (both ONNX models ship in the rapidocr-onnxruntime wheel). The
wheel's PP-OCRv4 text detector is here too (text_boxes): this module is the only way into
onnxruntime."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator

import cv2
import numpy as np

# PP-OCR reads OCR-B's wide spacing better when a strip is stretched: at 1.0 it drops
# letters ("KELLER" -> "KELER"); at 1.6 none were lost on the generated set.
STRETCH = 1.6
# The recogniser's cost grows with its input's area, and it dominates the reading. A first
# pass reads every line at 28 px: on the calibration pictures as many zones and more names
# read right than at 32 or 48 px, for 40 % of the time of 48 px. The names line is stretched
# more (less drops doubled letters, "KELLER" -> "KELER", on the generated set); the other
# lines less, their check digits catch a slip. Lines are read again at 48 px only when the
# first pass gives no valid zone or an unknown code.
FAST = {"height": 28, "stretch": 1.3, "names_stretch": 1.8}
LINE_CHARACTERS = 44  # of a TD3 or MRV-A line (a TD2 or MRV-B line holds 36: fewer, wider)
INK_COLUMN = 0.15  # of a line's height: a character's stroke across it, not a speck
FINE = {"height": 48, "stretch": STRETCH, "names_stretch": STRETCH}
FILLERS = "<＜‹«"  # what the recogniser's alphabet offers for OCR-B's filler
MRZ_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
FILLER_ODDS = 0.1  # see _decode; misread fillers had 0.12 to 0.36, printed letters under 0.01
# A character is doubtful when the recogniser gave another character of the MRZ alphabet at
# least this probability on its time steps (see OcrLine). PP-OCR is seldom sure between
# OCR-B's O and 0: on the calibration pictures half the look-alikes read had their partner at
# 0.003 or more, a quarter at 0.01. 0.003 is the strictest that repairs every calibration
# number a repair was needed for (at 0.01, one O read as 0 stayed unrepaired).
DOUBT = 0.003
MIN_READ = 3  # characters: a line read as fewer says little of how legible it is
CHUNK = 4  # aspect of the pieces of a line shown to the direction classifier (48 x 192 px)
CHUNKS_PER_LINE = 4

_lock = threading.Lock()

# onnxruntime's Linux wheels (1.29 and later) collect telemetry: on first load they write a
# device id under ~/.cache/Microsoft and queue events for upload to a Microsoft collector.
# Nothing about a verification may leave the host, so it is switched off before rapidocr
# loads onnxruntime (it reads the variable when its environment is created); this module is
# the only way into onnxruntime. tests/unit/docintel/test_mrz_ocr.py checks that no trace is
# written.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"


class OcrLine(str):
    """A line's text as the recogniser read it, with `doubts`: for each character, the other
    characters of the MRZ alphabet it also found likely there ("" when it was sure). A check
    digit may only repair a character the recogniser was unsure of (see mrz._number)."""

    doubts: tuple[str, ...]

    def __new__(cls, text: str, doubts: tuple[str, ...]) -> OcrLine:
        line = super().__new__(cls, text)
        line.doubts = doubts
        return line


def _rapidocr_config(part: str) -> dict:
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, update_model_path
    from rapidocr_onnxruntime.utils import read_yaml

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))[part]
    config.update(intra_op_num_threads=1, inter_op_num_threads=1)  # one worker per core
    return config


@functools.cache
def recognizer(height: int):
    """The PP-OCRv4 line recogniser of rapidocr-onnxruntime at an input height, one thread."""
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer

    config = _rapidocr_config("Rec")
    config.update(rec_img_shape=[3, height, 320])
    return TextRecognizer(config)


@functools.cache
def detector():
    """The PP-OCRv4 text detector (DBNet) of rapidocr-onnxruntime, one thread."""
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector

    return TextDetector(_rapidocr_config("Det"))


def text_boxes(gray: np.ndarray, long_side: int) -> list[np.ndarray]:
    """The boxes (4 corners, `gray`'s pixels, clipped to it) of the lines of text PP-OCR's
    detector finds in a copy `long_side` pixels long (its own setting enlarges every image
    to 736 px across its short side, at several times the cost)."""
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    model = detector()
    image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    prepared = DetPreProcess(long_side, "max", model.mean, model.std)(image)
    if prepared is None:
        return []
    with _lock:
        scores = model.infer(prepared)[0]
    boxes, _ = model.postprocess_op(scores, image.shape[:2])
    return list(model.filter_tag_det_res(boxes, image.shape[:2]))


@functools.cache
def direction_classifier():
    """PP-OCR's 0/180 degree text direction classifier (mobile v2), one thread."""
    from rapidocr_onnxruntime.ch_ppocr_cls import TextClassifier

    return TextClassifier(_rapidocr_config("Cls"))


def crop_line(gray: np.ndarray, box: np.ndarray, stretch: float = STRETCH) -> np.ndarray:
    """The line straightened to a horizontal strip 48 px high (RapidOCR's rotate-crop),
    stretched along the line, as BGR."""
    pts = _order(box.astype(np.float32))
    width = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    height = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(pts, target)
    strip = cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_CUBIC,
                                borderMode=cv2.BORDER_REPLICATE)
    strip = cv2.resize(strip, None, fx=stretch * 48 / height, fy=48 / height,
                       interpolation=cv2.INTER_AREA if height > 48 else cv2.INTER_CUBIC)
    return cv2.cvtColor(strip, cv2.COLOR_GRAY2BGR)


def _order(pts: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    by_x = pts[np.argsort(pts[:, 0])]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1])]
    tr, br = right[np.argsort(right[:, 1])]
    return np.float32([tl, tr, br, bl])


def upside_down_odds(gray: np.ndarray, boxes: list[np.ndarray]) -> float:
    """How much likelier the lines read upside down than upright (-1 to 1): the direction
    classifier's mean vote on pieces of each line, against its vote on the same pieces
    turned over. A hint for which way to read first, not a verdict (OCR-B digits and fillers
    look much alike both ways)."""
    pieces = []
    for box in boxes:
        strip = crop_line(gray, box, 1.0)
        step = CHUNK * strip.shape[0]
        spacing = max(step, (strip.shape[1] - step) // (CHUNKS_PER_LINE - 1))
        pieces += [strip[:, x:x + step] for x in range(0, strip.shape[1] - step + 1, spacing)]
    if not pieces:
        return 0.0
    pieces += [cv2.rotate(piece, cv2.ROTATE_180) for piece in pieces]
    with _lock:
        _, votes, _ = direction_classifier()(pieces)
    turned = np.array([score if label == "180" else 1 - score for label, score in votes])
    half = len(pieces) // 2
    return float(turned[:half].mean() - turned[half:].mean())


def read_lines(gray: np.ndarray, boxes: list[np.ndarray], upside_down: bool = False,
               names: set[int] | None = None, fine: bool = False) -> list[OcrLine]:
    """The text of each box, top to bottom as the text reads (when upside down, each crop is
    turned over and the last box of the image is the first line of the text). `names`: the
    lines (in text order) that hold names, stretched more; `fine`: read at 48 px, not 28."""
    if not boxes:
        return []
    setting = FINE if fine else FAST
    if upside_down:
        boxes = boxes[::-1]
    names = names or set()
    crops = [crop_line(gray, box, setting["names_stretch"] if i in names else setting["stretch"])
             for i, box in enumerate(boxes)]
    if upside_down:
        crops = [cv2.rotate(crop, cv2.ROTATE_180) for crop in crops]
    model = recognizer(setting["height"])
    scores = [_scores(model, crop) for crop in crops]
    return [_decode(score, model.postprocess_op.character, filler_letters=i in names)
            for i, score in enumerate(scores)]


def read_start(gray: np.ndarray, box: np.ndarray, share: float, characters: int) -> str:
    """What the box's line (upright) begins with, read fast: its first `share` straightened, cut
    down to about `characters` characters from its first column of ink (a line holding
    LINE_CHARACTERS): the recogniser's cost grows with the width it reads."""
    top_left, top_right, bottom_right, bottom_left = _order(box.astype(np.float32))
    part = [top_left, top_left + (top_right - top_left) * share,
            bottom_left + (bottom_right - bottom_left) * share, bottom_left]
    crop = crop_line(gray, np.array(part, np.float32), FAST["stretch"])
    pitch = crop.shape[1] / (share * LINE_CHARACTERS)
    first = _first_ink(crop[:, :, 0])
    crop = crop[:, max(0, round(first - pitch / 2)):round(first + characters * pitch)]
    model = recognizer(FAST["height"])
    return str(_decode(_scores(model, crop), model.postprocess_op.character, filler_letters=False))


def _first_ink(strip: np.ndarray) -> int:
    """The first column of a straightened line holding ink: the darker side of Otsu's split
    over at least INK_COLUMN of the strip's height (0 where none does)."""
    _, dark = cv2.threshold(strip, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    inked = np.flatnonzero(dark.mean(axis=0) >= INK_COLUMN)
    return int(inked[0]) if inked.size else 0


def read_confidences(gray: np.ndarray, boxes: list[np.ndarray]) -> Iterator[float | None]:
    """For each box in turn (a generator: stop reading when enough is known), how sure the
    recogniser is of what it reads there: its mean probability over the characters it read
    (None for a line of under MIN_READ characters), each line straightened unstretched and read
    at 48 px."""
    model = recognizer(FINE["height"])
    for box in boxes:
        scores = _scores(model, crop_line(gray, box, 1.0))
        best = scores.argmax(axis=1)
        read = [step for step, index in enumerate(best) if index and (not step or index != best[step - 1])]
        yield float(scores[read, best[read]].mean()) if len(read) >= MIN_READ else None


def _scores(model, crop: np.ndarray) -> np.ndarray:
    """The recogniser's (time steps x characters) scores for one straightened line. One line per
    call: a batch would pad every line to the widest."""
    with _lock:  # one ONNX session per process and height; RQ runs one job at a time anyway
        return model.session(model.resize_norm_img(crop, crop.shape[1] / crop.shape[0])
                             [np.newaxis].astype(np.float32))[0][0]


def _decode(scores: np.ndarray, alphabet: list[str], filler_letters: bool) -> OcrLine:
    """Greedy CTC decoding of one line's (time steps x characters) scores. With
    `filler_letters` (a names line), a letter that the recogniser also gave a fair chance of
    being a filler is read as one: PP-OCR reads OCR-B's '<' as 'K' (MARTIN<<CHRISTELLE ->
    MARTINKKCHRISTELLE), and then still gives '<' at least FILLER_ODDS, where a printed letter
    gives it next to nothing. No check digit covers names to catch it otherwise."""
    best = scores.argmax(axis=1)
    if filler_letters:  # (the alphabet is PP-OCR's 6,600 characters: 0.6 ms to look through)
        fillers = scores[:, [i for i, char in enumerate(alphabet) if char in FILLERS]].sum(axis=1)
    text, spans = [], []
    for step, index in enumerate(best):
        if index == 0 or (step and index == best[step - 1]):
            if index and spans:
                spans[-1][1] = step + 1  # the same character over several time steps
            continue  # CTC blank
        char = alphabet[index]
        if filler_letters and char.isalpha() and fillers[step] >= FILLER_ODDS:
            char = "<"
        text.append(char)
        spans.append([step, step + 1])
    return OcrLine("".join(text), tuple(_doubts(scores[start:end], alphabet, char)
                                        for char, (start, end) in zip(text, spans, strict=True)))


def _doubts(steps: np.ndarray, alphabet: list[str], char: str) -> str:
    """The other MRZ characters (upper case) given at least DOUBT on a character's steps."""
    likely = np.flatnonzero(steps.max(axis=0) >= DOUBT)
    others = {alphabet[i].upper() for i in likely if i and i < len(alphabet)}
    return "".join(sorted(c for c in others if c != char.upper() and c in MRZ_ALPHABET))

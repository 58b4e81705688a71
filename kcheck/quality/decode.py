"""Decode a photo straight to the working size the checks use (never at full resolution), and
again somewhat larger where the checks need a closer look (closer_gray)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageOps

from kcheck.quality.formats import ImageRejected, open_header, require_allowed

# Long side of the image the checks work on. The thresholds in the other modules are
# calibrated at this size, so it is a constant, not a knob.
WORK_LONG_SIDE = 1000
_REDUCED_FLAGS = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
    (1, cv2.IMREAD_COLOR),
)
_GRAY_FLAGS = {
    cv2.IMREAD_REDUCED_COLOR_8: cv2.IMREAD_REDUCED_GRAYSCALE_8,
    cv2.IMREAD_REDUCED_COLOR_4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
    cv2.IMREAD_REDUCED_COLOR_2: cv2.IMREAD_REDUCED_GRAYSCALE_2,
    cv2.IMREAD_COLOR: cv2.IMREAD_GRAYSCALE,
}


@dataclass(frozen=True)
class WorkingImage:
    """A photo at working size plus what is needed to map back to original pixels."""

    bgr: np.ndarray | None  # None when decoded without colour
    gray: np.ndarray
    original_width: int
    original_height: int
    source_format: str
    data: bytes = field(default=b"", repr=False)  # the photo as sent, for a closer look

    @property
    def scale(self) -> float:
        """Original pixels per working pixel."""
        return max(self.original_width, self.original_height) / max(self.gray.shape[:2])


def closer_gray(image: WorkingImage, long_side: int) -> tuple[np.ndarray, float] | None:
    """The photo in grey decoded again up to `long_side` (never larger than sent) and its pixels
    per working pixel, or None where the working image already holds the photo as sent: the closer
    look a reader takes where the working size is too coarse to read the print."""
    if image.scale <= 1.0 or not image.data:
        return None
    try:
        gray = decode_working(image.data, long_side, colour=False).gray
    except ImageRejected:  # (bytes that decoded once do; a closer look is never worth a crash)
        return None
    return gray, max(gray.shape[:2]) / max(image.gray.shape[:2])


def reduced_flag(width: int, height: int, long_side: int = WORK_LONG_SIDE) -> int:
    """The cv2.imdecode flag whose DCT scaling lands closest above ~0.8 x long_side."""
    longest = max(width, height)
    for factor, flag in _REDUCED_FLAGS:
        if longest / factor >= 0.8 * long_side:
            return flag
    return cv2.IMREAD_COLOR


def decode_working(data: bytes, long_side: int = WORK_LONG_SIDE, colour: bool = True) -> WorkingImage:
    """Decode at reduced scale (JPEG DCT scaling) and resize to `long_side` if still larger.

    Without `colour` only the grey image is decoded (cheaper; `bgr` is None).
    Raises ImageRejected when the bytes are not an allowlisted, decodable image.
    """
    fmt = require_allowed(data)
    header = open_header(data, fmt)
    width, height = header.size
    pixels = None
    if fmt != "heif":
        flag = reduced_flag(width, height, long_side)
        pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flag if colour else _GRAY_FLAGS[flag])
    if pixels is None:
        pixels = _decode_with_pillow(header, long_side)
        if not colour:
            pixels = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    if _is_transposed(header):
        width, height = height, width
    pixels, _ratio = shrink_to(pixels, long_side)
    if not colour:
        return WorkingImage(None, pixels, width, height, fmt, data)
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    return WorkingImage(pixels, gray, width, height, fmt, data)


def shrink_to(pixels: np.ndarray, long_side: int, to_look_at: bool = False) -> tuple[np.ndarray, float]:
    """`pixels` resized to `long_side` when more than 1.2 x larger (a little larger is kept as
    it is), and the ratio applied (1.0 when kept).

    Pixels that are measured are averaged over each area. `to_look_at` (a preview) samples
    them linearly when shrinking by at most half: every pixel still counts, it looks the same
    and costs a seventh (area averaging by an uneven ratio is OpenCV's slow path).
    """
    longest = max(pixels.shape[:2])
    if longest <= 1.2 * long_side:
        return pixels, 1.0
    ratio = long_side / longest
    size = (round(pixels.shape[1] * ratio), round(pixels.shape[0] * ratio))
    interpolation = cv2.INTER_LINEAR if to_look_at and ratio >= 0.5 else cv2.INTER_AREA
    return cv2.resize(pixels, size, interpolation=interpolation), ratio


def _decode_with_pillow(image: Image.Image, long_side: int) -> np.ndarray:
    try:
        image.draft("RGB", (long_side, long_side))
        image.load()
        image.thumbnail((long_side, long_side))
        rgb = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected("not_an_image", "the photo data is damaged or incomplete") from exc
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _is_transposed(image: Image.Image) -> bool:
    """True when EXIF orientation swaps width and height (cv2 applies it when decoding)."""
    try:
        return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    except Exception:  # a broken EXIF block must not make a readable photo unusable
        return False

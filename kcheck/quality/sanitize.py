"""Make an upload safe to store (allowlisted format, bounded size, no metadata) and make the
stored copy (downscaled, upright, re-encoded) that reviewers and checks use."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageOps

from kcheck.quality.formats import (
    MIN_UPLOAD_SHORT_SIDE,
    ImageRejected,
    open_header,
    require_allowed,
)
from kcheck.quality.metadata import strip_jpeg, strip_png, strip_webp

JPEG_QUALITY = 90
# The stored copy keeps about 1500 px on its short side (2000 x 1500 from a 12 MP phone photo):
# plenty for a reviewer and for the MRZ, and JPEG's DCT-domain scaling makes the decode of a
# large photo 3-4x cheaper than a full decode, which is most of an upload's cost.
STORED_SHORT_SIDE = 1500
ORIENTATION = 0x0112
# EXIF orientation -> the transpose that shows the photo upright (as ImageOps.exif_transpose).
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}
# ...the same transposes of an array of pixels
_TURN = {2: lambda a: cv2.flip(a, 1), 3: lambda a: cv2.rotate(a, cv2.ROTATE_180),
         4: lambda a: cv2.flip(a, 0), 5: cv2.transpose,
         6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
         7: lambda a: cv2.flip(cv2.transpose(a), -1),
         8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE)}
# JPEG's DCT scaling by the factor Pillow's draft picks, decoded straight to BGR (OpenCV), EXIF
# orientation left to the caller (a stripped upload has none: it was read at intake).
_REDUCED_BGR = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                8: cv2.IMREAD_REDUCED_COLOR_8}


@dataclass(frozen=True)
class SanitizedImage:
    """Bytes fit to store: the upload without metadata (`sanitize_upload`) or the downscaled,
    upright JPEG copy (`stored_copy`)."""

    data: bytes
    width: int
    height: int
    source_format: str
    # EXIF orientation (1-8) read before the metadata went; the stored copy applies it.
    orientation: int = 1
    # The stored copy's upright BGR pixels before encoding, so the worker draws the
    # reviewer's preview without decoding the copy again.
    pixels: np.ndarray | None = field(default=None, compare=False, repr=False)


def sanitize_upload(data: bytes, declared_type: str | None = None) -> SanitizedImage:
    """Check an upload and remove its metadata, or raise ImageRejected. No pixel is decoded
    for JPEG and PNG (the web tier stays cheap; the worker makes the stored copy).

    The format is sniffed from the bytes; `declared_type` (the client's Content-Type)
    is not trusted and only kept for the caller's logs.
    """
    fmt = require_allowed(data)
    image = open_header(data, fmt)
    if getattr(image, "is_animated", False):
        raise ImageRejected("unsupported_format", "animated images are not accepted")
    if min(image.size) < MIN_UPLOAD_SHORT_SIDE:
        raise ImageRejected(
            "low_resolution", f"{image.width}x{image.height} is below {MIN_UPLOAD_SHORT_SIDE} px"
        )
    if fmt == "jpeg":
        return SanitizedImage(strip_jpeg(data), *image.size, fmt, _orientation(image))
    if fmt == "png":
        return SanitizedImage(strip_png(data), *image.size, fmt, _orientation(image))
    if fmt == "webp":  # what a gallery holds for pictures saved from the web or a chat
        return SanitizedImage(strip_webp(data), *image.size, fmt, _orientation(image))
    # HEIF keeps its metadata in item boxes of the container; rare from browsers (they send
    # JPEG), so it is re-encoded here rather than rewritten.
    return _encoded_copy(image, fmt, None)


def stored_copy(data: bytes, orientation: int | None = 1) -> SanitizedImage:
    """The copy kept for reviewers and checks: about STORED_SHORT_SIDE px on its short side,
    upright (`orientation` as read at intake; None reads the file's own EXIF), re-encoded as
    a JPEG without metadata. Raises ImageRejected for data that cannot be decoded."""
    fmt = require_allowed(data)
    image = open_header(data, fmt)
    if fmt == "jpeg" and image.mode in ("RGB", "L") and orientation is not None:
        return _jpeg_copy(data, image, orientation)
    return _encoded_copy(image, fmt, orientation, keep_pixels=True)


def _jpeg_copy(data: bytes, image: Image.Image, orientation: int) -> SanitizedImage:
    """`_encoded_copy` of a JPEG (colour or grey) without Pillow: OpenCV's libjpeg-turbo decodes
    the same pixels at the same DCT scale and encodes the same bytes, straight from and to a
    NumPy array (Pillow's own copies between its buffers and NumPy's cost a tenth of the copy)."""
    scale = _draft_scale(image.size)
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), _REDUCED_BGR[scale] | cv2.IMREAD_IGNORE_ORIENTATION)
    if bgr is None:
        raise ImageRejected("not_an_image", "the photo data is damaged or incomplete")
    if orientation in _TURN:
        bgr = _TURN[orientation](bgr)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:  # pragma: no cover - encoding an in-memory BGR array does not fail
        raise RuntimeError("could not encode the stored copy")
    return SanitizedImage(encoded.tobytes(), bgr.shape[1], bgr.shape[0], "jpeg", pixels=bgr)


def _draft_scale(size: tuple[int, int]) -> int:
    """The DCT scaling Pillow's draft picks for STORED_SHORT_SIDE (`_reduced`): the largest of
    8, 4, 2 and 1 that keeps both sides at least STORED_SHORT_SIDE."""
    fits = min(size[0] // STORED_SHORT_SIDE, size[1] // STORED_SHORT_SIDE)
    return next(scale for scale in (8, 4, 2, 1) if fits >= scale or scale == 1)


def _encoded_copy(image: Image.Image, fmt: str, orientation: int | None,
                  keep_pixels: bool = False) -> SanitizedImage:
    rgb = _decode_upright_rgb(_reduced(image), orientation)
    out = io.BytesIO()
    # No exif=/icc_profile= arguments: location, device and timestamps are dropped.
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return SanitizedImage(out.getvalue(), rgb.width, rgb.height, fmt,
                          pixels=cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR) if keep_pixels else None)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not refuse a readable photo
        return 1
    return value if value in _TRANSPOSE or value == 1 else 1


def _reduced(image: Image.Image) -> Image.Image:
    """Shrink by an integer factor towards STORED_SHORT_SIDE, never below it."""
    if image.format == "JPEG":
        image.draft("RGB", (STORED_SHORT_SIDE, STORED_SHORT_SIDE))
        return image
    factor = min(image.size) // STORED_SHORT_SIDE
    if factor < 2:
        return image
    try:
        return image.reduce(factor)
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected("not_an_image", "the photo data is damaged or incomplete") from exc


def _decode_upright_rgb(image: Image.Image, orientation: int | None) -> Image.Image:
    try:
        image.load()
        if orientation is None:
            upright = ImageOps.exif_transpose(image)
        elif orientation in _TRANSPOSE:
            upright = image.transpose(_TRANSPOSE[orientation])
        else:
            upright = image
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            background = Image.new("RGB", upright.size, (255, 255, 255))
            background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
            return background
        if upright.mode.startswith("I;16") or upright.mode in ("I", "F"):
            upright = upright.point(lambda v: v / 256).convert("L")
        return upright if upright.mode == "RGB" else upright.convert("RGB")  # convert copies
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageRejected("not_an_image", "the photo data is damaged or incomplete") from exc

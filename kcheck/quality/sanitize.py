"""Make an upload safe to store: allowlisted format, bounded size, upright, no metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from kcheck.quality.formats import (
    MIN_UPLOAD_SHORT_SIDE,
    ImageRejected,
    open_header,
    require_allowed,
)

JPEG_QUALITY = 90
# The stored copy keeps about 1500 px on its short side (2000 x 1500 from a 12 MP phone photo):
# plenty for a reviewer and for the MRZ, and JPEG's DCT-domain scaling makes the decode of a
# large photo 3-4x cheaper than a full decode, which is most of an upload's cost.
STORED_SHORT_SIDE = 1500


@dataclass(frozen=True)
class SanitizedImage:
    """The re-encoded JPEG to store in place of the uploaded bytes."""

    jpeg: bytes
    width: int
    height: int
    source_format: str


def sanitize_upload(data: bytes, declared_type: str | None = None) -> SanitizedImage:
    """Check an upload and re-encode it as a metadata-free JPEG, or raise ImageRejected.

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
    rgb = _decode_upright_rgb(_reduced(image))
    out = io.BytesIO()
    # No exif=/icc_profile= arguments: location, device and timestamps are dropped.
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return SanitizedImage(out.getvalue(), rgb.width, rgb.height, fmt)


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


def _decode_upright_rgb(image: Image.Image) -> Image.Image:
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            background = Image.new("RGB", upright.size, (255, 255, 255))
            background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
            return background
        if upright.mode.startswith("I;16") or upright.mode in ("I", "F"):
            upright = upright.point(lambda v: v / 256).convert("L")
        return upright.convert("RGB")
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageRejected("not_an_image", "the photo data is damaged or incomplete") from exc

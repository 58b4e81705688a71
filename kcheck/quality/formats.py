"""Which files are accepted: format sniffing from the bytes, size limits, rejections."""

from __future__ import annotations

import functools
import io
import warnings

from PIL import Image

MAX_PIXELS = 40_000_000
# Below this the file is refused at upload: nothing useful can be read from it (an ID card
# filling a 200 px frame has its 2 mm print about 7 px high, just over the check's "surely
# illegible" text height of 6 px). Above it, the check judges whether the print is legible (text
# height), not the photo's size: a real card specimen scanned at 358 x 224 is legible, and 63 of
# the 112 good real photos in datasets/photos have a short side between 240 and 480 px.
MIN_UPLOAD_SHORT_SIDE = 200

ALLOWED_FORMATS = ("jpeg", "png", "heif", "webp")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_KNOWN_UNSUPPORTED = (
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"8BPS", "psd"),
    (b"\xff\x0a", "jxl"),
    (b"\x00\x00\x00\x0cJXL ", "jxl"),
)

_HTTP_STATUS = {
    "not_an_image": 415,
    "unsupported_format": 415,
    "too_large": 413,
    "low_resolution": 422,
}


class ImageRejected(Exception):
    """The uploaded file cannot be used as a photo; `code` is a reason code."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail or code
        self.http_status = _HTTP_STATUS[code]


def sniff_format(data: bytes) -> str | None:
    """Name the format the bytes really are (not what the client declared), or None."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "heif"
        return "avif" if brand.startswith(b"avi") else "isobmff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    for magic, name in _KNOWN_UNSUPPORTED:
        if head.startswith(magic):
            return name
    return None


def require_allowed(data: bytes) -> str:
    """Return the sniffed format if it is in the allowlist, else raise ImageRejected."""
    fmt = sniff_format(data)
    if fmt in ALLOWED_FORMATS:
        return fmt
    if fmt is not None:
        raise ImageRejected("unsupported_format", f"{fmt} images are not accepted")
    raise ImageRejected("not_an_image", "the file is not a photo")


@functools.cache
def register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (done once, on first need rather than at import)."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def open_header(data: bytes, fmt: str) -> Image.Image:
    """Open lazily (header only) and enforce the pixel limit before anything is decoded."""
    if fmt == "heif":
        register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("too_large", "the image has too many pixels") from exc
    except Exception as exc:  # Pillow raises many types for garbage input
        raise ImageRejected("not_an_image", "the file could not be read as a photo") from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRejected("too_large", f"{width}x{height} is more than {MAX_PIXELS} pixels")
    if width <= 0 or height <= 0:
        raise ImageRejected("not_an_image", "the image has no pixels")
    return image

"""Small hostile and plain images for API tests (the labelled document set lives in fixtures/)."""

from __future__ import annotations

import io
import zlib

import numpy as np
from PIL import Image


def plain_jpeg(width: int = 1200, height: int = 900, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85)
    return out.getvalue()


GPS_IFD = 0x8825
ORIENTATION = 0x0112
# What a phone leaves in a photo; none of it may reach storage.
PHONE_METADATA = (b"PhoneMaker", b"Exif", b"http://ns.adobe.com/xap", b"shot at home",
                  b"MotionPhoto", b"ICC_PROFILE")


def camera_jpeg(width: int = 1200, height: int = 900, orientation: int = 6,
                progressive: bool = False) -> bytes:
    """A phone photo: left half red, right half blue (orientation is visible in the pixels),
    with EXIF (maker, GPS, orientation), XMP, a comment, an ICC profile and a trailer after
    the end marker (as motion photos carry)."""
    from PIL import ImageCms

    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (220, 30, 30)
    pixels[:, width // 2:] = (30, 30, 220)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (46.0, 31.0, 12.5), 3: "E", 4: (6.0, 37.0, 58.1)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.fromarray(pixels).save(
        out, "JPEG", quality=92, exif=exif.tobytes(), icc_profile=icc, comment=b"shot at home",
        xmp=b'<x:xmpmeta xmlns:x="http://ns.adobe.com/xap/1.0/">GPS 46.52,6.63</x:xmpmeta>',
        progressive=progressive)
    return out.getvalue() + b"MotionPhoto_Data" + bytes(range(256)) * 4


def html_as_jpeg() -> bytes:
    return b"<!doctype html><html><script>alert(1)</script></html>"


def truncated_jpeg() -> bytes:
    data = plain_jpeg()
    return data[: len(data) // 3]


def svg_with_script() -> bytes:
    return (b'<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="2000">'
            b"<script>alert(1)</script></svg>")


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (800, 600), c) for c in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0)
    return out.getvalue()


def png_bomb(side: int = 30000) -> bytes:
    """A tiny PNG that claims side x side pixels: decoding it whole would need gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + \
        chunk(b"IEND", b"")


def read_qr(png: bytes) -> str:
    """The text of the QR code in an image, read as a phone camera would: with a white margin,
    at a few sizes and with OpenCV's two detectors (each misses some codes that the other
    reads).
    Empty when no size reads it."""
    import cv2

    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    image = cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for scale in (1, 2, 3, 0.75):
            sized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
            text = detector.detectAndDecode(sized)[0]
            if text:
                return text
    return ""

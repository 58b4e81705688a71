"""sanitize_upload: only real, reasonably sized photos get stored, upright and without metadata."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from kcheck.quality import ImageRejected, SanitizedImage, check_photo, sanitize_upload
from tests.fixtures.documents import make_document

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _jpeg(width=1200, height=900, **save_kwargs) -> bytes:
    # Left half red, right half blue, so orientation can be checked from pixels.
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (220, 30, 30)
    pixels[:, width // 2 :] = (30, 30, 220)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=92, **save_kwargs)
    return out.getvalue()


def _rejected(data, declared=None) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        sanitize_upload(data, declared)
    return info.value


def test_a_camera_jpeg_is_re_encoded():
    data = make_document("id_front", None, seed=0)
    result = sanitize_upload(data, "image/jpeg")
    assert isinstance(result, SanitizedImage)
    assert (result.width, result.height, result.source_format) == (2000, 1500, "jpeg")
    image = Image.open(io.BytesIO(result.jpeg))
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (2000, 1500)


def test_exif_orientation_is_applied_and_gps_is_removed():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # camera held upright: rotate 90 degrees clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (46.0, 31.0, 12.5), 3: "E", 4: (6.0, 37.0, 58.1)})
    data = _jpeg(exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the input has GPS

    result = sanitize_upload(data, "image/jpeg")
    image = Image.open(io.BytesIO(result.jpeg)).convert("RGB")
    assert (result.width, result.height) == image.size == (900, 1200)
    # Rotated clockwise: the red left half is now on top.
    top = np.asarray(image)[:100].reshape(-1, 3).mean(axis=0)
    bottom = np.asarray(image)[-100:].reshape(-1, 3).mean(axis=0)
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
    exif_out = Image.open(io.BytesIO(result.jpeg)).getexif()
    assert not exif_out.get_ifd(GPS_IFD)
    assert ORIENTATION not in exif_out and 0x010F not in exif_out
    assert b"Exif" not in result.jpeg[:4096] and b"PhoneMaker" not in result.jpeg


def test_html_renamed_to_jpg_is_not_an_image():
    error = _rejected(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "image/jpeg")
    assert (error.code, error.http_status) == ("not_an_image", 415)


def test_svg_with_script_is_not_an_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _rejected(svg, "image/svg+xml").code == "not_an_image"


def test_plain_text_is_not_an_image():
    assert _rejected(b"just some text, not a photo" * 100).code == "not_an_image"


def test_truncated_jpeg_is_not_an_image():
    data = make_document("id_back", None, seed=0)
    error = _rejected(data[: len(data) // 2], "image/jpeg")
    assert (error.code, error.http_status) == ("not_an_image", 415)


def test_animated_gif_is_unsupported():
    frames = [Image.new("RGB", (800, 600), colour) for colour in ("red", "green")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    error = _rejected(out.getvalue(), "image/gif")
    assert (error.code, error.http_status) == ("unsupported_format", 415)


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF"])
def test_other_image_formats_are_unsupported(fmt):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, fmt)
    assert _rejected(out.getvalue()).code == "unsupported_format"


def _bomb_png(width: int, height: int) -> bytes:
    """A 1-bit PNG of width x height that is only a few kilobytes on disk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_decompression_bomb_png_is_too_large_without_being_decoded():
    bomb = _bomb_png(20000, 20000)  # 400 megapixels
    assert len(bomb) < 100_000
    error = _rejected(bomb, "image/png")
    assert (error.code, error.http_status) == ("too_large", 413)


def test_over_40_megapixels_is_too_large():
    assert _rejected(_bomb_png(8000, 6000)).code == "too_large"  # 48 MP, under Pillow's limit


def test_a_tiny_photo_is_low_resolution():
    error = _rejected(_jpeg(640, 400))
    assert (error.code, error.http_status) == ("low_resolution", 422)


def test_png_with_transparency_becomes_an_rgb_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(out, "PNG")
    result = sanitize_upload(out.getvalue(), "image/png")
    image = Image.open(io.BytesIO(result.jpeg))
    assert result.source_format == "png" and image.mode == "RGB"
    assert np.asarray(image).mean() > 240  # transparent areas are white, not black


def test_declared_type_is_not_trusted():
    png = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(png, "PNG")
    assert sanitize_upload(png.getvalue(), "image/gif").source_format == "png"


def test_heic_round_trip():
    import pillow_heif  # a locked dependency whose wheel carries the HEVC encoder

    pillow_heif.register_heif_opener()
    source = Image.open(io.BytesIO(make_document("id_front", None, seed=0)))
    heic = io.BytesIO()
    source.save(heic, "HEIF", quality=80)
    result = sanitize_upload(heic.getvalue(), "image/heic")
    assert result.source_format == "heif"
    assert (result.width, result.height) == source.size
    assert Image.open(io.BytesIO(result.jpeg)).format == "JPEG"
    # The worker can also check the HEIC directly (Pillow decode path, not cv2).
    assert check_photo(heic.getvalue(), "id_front").verdict == "pass"

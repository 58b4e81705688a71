"""sanitize_upload: only real, reasonably sized photos get stored, without metadata;
stored_copy: the downscaled, upright copy the worker keeps."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image, ImageOps

from kcheck.quality import (
    ImageRejected,
    SanitizedImage,
    check_photo,
    check_upload,
    sanitize_upload,
    stored_copy,
)
from tests import images
from tests.fixtures.documents import make_document
from tests.images import GPS_IFD, ORIENTATION, PHONE_METADATA, camera_jpeg


def _rejected(data, declared=None) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        sanitize_upload(data, declared)
    return info.value


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_metadata_is_removed_and_the_pixels_are_untouched(progressive):
    data = camera_jpeg(progressive=progressive)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the input has GPS
    result = sanitize_upload(data, "image/jpeg")
    assert isinstance(result, SanitizedImage)
    assert (result.width, result.height, result.source_format) == (1200, 900, "jpeg")
    assert result.orientation == 6  # kept as a field for the stored copy
    for marker in PHONE_METADATA:
        assert marker not in result.data, marker
    assert np.array_equal(_pixels(result.data), _pixels(data))  # lossless: same decode
    assert result.data.endswith(b"\xff\xd9")  # the motion-photo trailer is gone


def test_a_jfif_thumbnail_is_dropped_and_the_header_kept():
    data = images.plain_jpeg()
    thumbnail = bytes(range(256)) * 3  # 16 x 16 RGB
    segment = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x10\x10" + thumbnail
    assert data[2:4] == b"\xff\xe0"  # Pillow writes a JFIF header: replace it
    rest = data[4 + int.from_bytes(data[4:6], "big"):]
    with_thumb = data[:2] + b"\xff\xe0" + (len(segment) + 2).to_bytes(2, "big") + segment + rest
    stripped = sanitize_upload(with_thumb).data
    assert stripped.startswith(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    assert thumbnail not in stripped
    assert np.array_equal(_pixels(stripped), _pixels(data))


def test_the_stored_copy_is_downscaled_and_re_encoded():
    data = make_document("id_front", None, seed=0, long_side=4000)
    result = stored_copy(sanitize_upload(data).data)
    assert (result.width, result.height) == (2000, 1500)
    image = Image.open(io.BytesIO(result.data))
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (2000, 1500)


def test_the_stored_copy_applies_the_orientation_read_at_intake():
    upload = sanitize_upload(camera_jpeg(orientation=6))
    assert Image.open(io.BytesIO(upload.data)).getexif() == {}  # nothing says how to turn it
    result = stored_copy(upload.data, upload.orientation)
    image = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert (result.width, result.height) == image.size == (900, 1200)
    # Rotated clockwise: the red left half is now on top.
    top = np.asarray(image)[:100].reshape(-1, 3).mean(axis=0)
    bottom = np.asarray(image)[-100:].reshape(-1, 3).mean(axis=0)
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
    assert not Image.open(io.BytesIO(result.data)).getexif()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_stored_copy_is_upright_for_every_exif_orientation(orientation):
    """The copy (shrunk by JPEG's DCT scaling) shows what a viewer shows for the upload."""
    quarters = np.zeros((3000, 4000, 3), np.uint8)
    quarters[:1500, :2000], quarters[:1500, 2000:] = (220, 30, 30), (30, 220, 30)
    quarters[1500:, :2000], quarters[1500:, 2000:] = (30, 30, 220), (230, 230, 230)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    out = io.BytesIO()
    Image.fromarray(quarters).save(out, "JPEG", quality=90, exif=exif.tobytes())
    upload = sanitize_upload(out.getvalue())
    copy = stored_copy(upload.data, upload.orientation)
    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))
    assert (copy.width, copy.height) == (shown.width // 2, shown.height // 2)
    expected = np.asarray(shown.reduce(2), int)
    assert np.abs(_pixels(copy.data).astype(int) - expected).mean() < 3


def test_png_text_and_exif_chunks_are_removed_losslessly():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "shot at home")
    info.add_itxt("XML:com.adobe.xmp", "http://ns.adobe.com/xap GPS 46.52,6.63")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = 3
    rgba = np.zeros((600, 800, 4), np.uint8)
    rgba[:, :400] = (200, 10, 10, 255)  # the right half stays transparent
    out = io.BytesIO()
    Image.fromarray(rgba).save(out, "PNG", pnginfo=info, exif=exif.tobytes())
    result = sanitize_upload(out.getvalue(), "image/png")
    assert result.source_format == "png" and result.orientation == 3
    for marker in (b"PhoneMaker", b"shot at home", b"xap", b"eXIf", b"tEXt", b"iTXt"):
        assert marker not in result.data, marker
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(result.data))), rgba)


def _webp_with_metadata(source: Image.Image, **options) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = 6
    exif.get_ifd(GPS_IFD)[2] = (46.0, 31.0, 12.0)
    out = io.BytesIO()
    source.save(out, "WEBP", exif=exif.tobytes(), icc_profile=b"ICCPROFILE" * 10,
                xmp=b"<x:xmpmeta>GPS 46.52,6.63 shot at home</x:xmpmeta>", **options)
    return out.getvalue()


@pytest.mark.parametrize("lossless", [False, True], ids=["lossy", "lossless"])
def test_webp_exif_xmp_and_icc_are_removed_and_the_pixels_are_untouched(lossless):
    # A gallery pick (accept="image/*"): pictures saved from the web or a chat are often WebP.
    data = _webp_with_metadata(Image.open(io.BytesIO(make_document("id_front", None, seed=0))),
                               lossless=lossless)
    assert b"PhoneMaker" in data and b"shot at home" in data
    result = sanitize_upload(data, "image/webp")
    assert result.source_format == "webp" and result.orientation == 6
    for marker in (b"PhoneMaker", b"shot at home", b"ICCPROFILE", b"EXIF", b"XMP ", b"ICCP"):
        assert marker not in result.data, marker
    assert np.array_equal(_pixels(result.data), _pixels(data))
    assert not Image.open(io.BytesIO(result.data)).getexif()


def test_a_webp_document_photo_is_checked_like_the_jpeg():
    jpeg = make_document("id_front", None, seed=0)
    webp = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(webp, "WEBP", quality=90)
    assert check_upload(webp.getvalue(), "id_front").verdict == "pass"
    assert check_upload(jpeg, "id_front").verdict == "pass"


def test_a_webp_cut_short_is_not_an_image():
    data = _webp_with_metadata(Image.new("RGB", (800, 600), "white"))
    assert _rejected(data[: len(data) // 2], "image/webp").code == "not_an_image"


def test_png_with_a_bad_checksum_is_not_an_image():
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "PNG")
    data = bytearray(out.getvalue())
    data[-20] ^= 0xFF  # inside the last IDAT chunk
    assert _rejected(bytes(data), "image/png").code == "not_an_image"


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


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
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
    error = _rejected(images.plain_jpeg(300, 180))
    assert (error.code, error.http_status) == ("low_resolution", 422)


def test_png_with_transparency_becomes_an_rgb_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(out, "PNG")
    result = stored_copy(sanitize_upload(out.getvalue(), "image/png").data)
    image = Image.open(io.BytesIO(result.data))
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
    # HEIF keeps metadata in container boxes: re-encoded at intake (rare: browsers send JPEG).
    assert Image.open(io.BytesIO(result.data)).format == "JPEG"
    # The worker can also check the HEIC directly (Pillow decode path, not cv2).
    assert check_photo(heic.getvalue(), "id_front").verdict == "pass"

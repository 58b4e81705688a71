"""Lossless metadata removal: the same compressed pixels, without EXIF, XMP, GPS, comments,
thumbnails or trailers. Works on the byte structure only (no decode), so it costs a copy.

JPEG keeps what decoding needs (quantisation and Huffman tables, frame and scan headers,
restart intervals), a JFIF header without its thumbnail and the Adobe marker (it says how
CMYK/YCCK data is coded). ICC profiles go too: the stored copy never carried one.
PNG keeps the critical chunks and tRNS (transparency is pixel data). WebP keeps its bitstream
and alpha chunks, with the extended header's ICC/EXIF/XMP flags cleared.
"""

from __future__ import annotations

import re
import zlib

from kcheck.quality.formats import ImageRejected

_DAMAGED = "the photo data is damaged or incomplete"
_SOI, _EOI, _SOS, _TEM = 0xD8, 0xD9, 0xDA, 0x01
_RST = range(0xD0, 0xD8)
_APP0, _APP14, _COM = 0xE0, 0xEE, 0xFE
_APP = range(0xE0, 0xF0)
# In entropy-coded data 0xFF is followed by 0x00 (a stuffed byte) or a restart marker;
# anything else starts the next segment.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"}
_WEBP_KEPT = {b"VP8X", b"ALPH", b"VP8 ", b"VP8L"}
_WEBP_BITSTREAMS = {b"VP8 ", b"VP8L"}
_VP8X_METADATA_FLAGS = 0x20 | 0x08 | 0x04  # ICC profile, EXIF, XMP (WebP container spec)


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG without metadata segments or anything after its end marker.

    Raises ImageRejected("not_an_image") for a broken structure or a file cut short."""
    if data[:2] != b"\xff\xd8":
        raise ImageRejected("not_an_image", _DAMAGED)
    out = [b"\xff\xd8"]
    pos, size, frame = 2, len(data), False
    while pos < size:
        if data[pos] != 0xFF:
            raise ImageRejected("not_an_image", _DAMAGED)
        while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= size:
            break
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            if not frame:
                break
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _RST or marker in (_SOI, _TEM):
            continue  # stray standalone markers carry nothing
        if pos + 2 > size:
            break
        end = pos + int.from_bytes(data[pos:pos + 2], "big")
        if end > size or end < pos + 2:
            break
        if marker in _APP or marker == _COM:
            out.append(_kept_app(marker, data[pos + 2:end]))
        else:
            out.append(data[pos - 2:end])
            frame = frame or 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)
        pos = end
        if marker == _SOS:
            found = _SCAN_END.search(data, pos)
            scan_end = found.start() if found else size
            out.append(data[pos:scan_end])
            pos = scan_end
    raise ImageRejected("not_an_image", _DAMAGED)


def _kept_app(marker: int, payload: bytes) -> bytes:
    if marker == _APP0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
        body = payload[:12] + b"\x00\x00"  # version, units, density; no thumbnail
    elif marker == _APP14 and payload.startswith(b"Adobe") and len(payload) >= 12:
        body = payload[:12]
    else:
        return b""
    return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body


def strip_png(data: bytes) -> bytes:
    """The PNG with its critical chunks and tRNS only (no eXIf, tEXt, iTXt, zTXt, ...).

    Raises ImageRejected("not_an_image") for a bad checksum or a file cut short."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ImageRejected("not_an_image", _DAMAGED)
    out = [_PNG_SIGNATURE]
    pos, size = len(_PNG_SIGNATURE), len(data)
    while pos + 12 <= size:
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > size:
            break
        crc = int.from_bytes(data[end - 4:end], "big")
        if zlib.crc32(data[pos + 4:end - 4]) != crc:
            break
        if kind in _PNG_KEPT:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end
    raise ImageRejected("not_an_image", _DAMAGED)


def strip_webp(data: bytes) -> bytes:
    """The still WebP with its VP8X, ALPH and bitstream chunks only (no EXIF, XMP, ICCP or
    unknown chunks, nothing after the RIFF end); VP8X no longer announces the metadata.

    Raises ImageRejected("not_an_image") for a file cut short or without a bitstream."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ImageRejected("not_an_image", _DAMAGED)
    size = 8 + int.from_bytes(data[4:8], "little")
    if size > len(data):
        raise ImageRejected("not_an_image", _DAMAGED)
    out, pos, bitstream = [b"WEBP"], 12, False
    while pos + 8 <= size:
        kind = data[pos:pos + 4]
        length = int.from_bytes(data[pos + 4:pos + 8], "little")
        end = pos + 8 + length
        if end > size:
            raise ImageRejected("not_an_image", _DAMAGED)
        if kind in _WEBP_KEPT:
            chunk = bytearray(data[pos:end] + b"\x00" * (length & 1))  # chunks are even-sized
            if kind == b"VP8X" and length >= 1:
                chunk[8] &= ~_VP8X_METADATA_FLAGS & 0xFF
            out.append(bytes(chunk))
            bitstream = bitstream or kind in _WEBP_BITSTREAMS
        pos = end + (length & 1)
    if not bitstream:
        raise ImageRejected("not_an_image", _DAMAGED)
    body = b"".join(out)
    return b"RIFF" + len(body).to_bytes(4, "little") + body

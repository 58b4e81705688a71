"""A good photo sent again the way another phone or scanner would (smaller, re-encoded) is not
told to retake for what the change did to a measure, and a photo too small to read still is."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from kcheck.quality import check_photo
from tests.fixtures.documents import _font, _portrait, scanned

INK = (120, 130, 150)  # print on a pale blue card that the line finder misses at a small size


def _card_scanned_at(long_side: int) -> bytes:
    """An ID card front (its portrait and five lines of grey print on pale blue) scanned on white,
    sent `long_side` pixels long (its outline clear on the white lid), as a JPEG."""
    card = Image.new("RGB", (856, 540), (200, 214, 226))
    card.paste(_portrait(230, 290, False), (40, 150))
    draw = ImageDraw.Draw(card)
    for row, words in enumerate(["IDENTITY CARD", "MUSTER", "ANNA MARIA", "01.01.1985", "UTOPIA"]):
        draw.text((320, 90 + 70 * row), words, fill=INK, font=_font(34))
    page = cv2.imdecode(np.frombuffer(scanned(np.asarray(card).astype(np.float32)), np.uint8),
                        cv2.IMREAD_COLOR)
    factor = long_side / max(page.shape[:2])
    small = cv2.resize(page, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()


def test_a_card_whose_outline_fills_a_small_photo_is_not_sure_too_small_to_read():
    """440 x 300 px, the card's whole outline found but its print not: the outline shows a
    document as print would, so the photo's short side is a doubt for the reviewer, not a retake
    (before, the same card was sure too small where its print was found and not its outline)."""
    verdict = check_photo(_card_scanned_at(440), "id_front")
    assert verdict.metrics["document_area_fraction"] >= 0.6  # the outline was found
    assert verdict.metrics["text_lines"] < 2  # ...and no print to measure
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes)["low_resolution"] == 0.5


@pytest.mark.parametrize("long_side", [290, 250])
def test_the_same_card_under_300_px_long_is_still_too_small(long_side):
    verdict = check_photo(_card_scanned_at(long_side), "id_front")
    assert verdict.verdict == "retake" and "low_resolution" in verdict.reasons, verdict.metrics

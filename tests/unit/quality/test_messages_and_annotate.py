"""Localized retake messages and the reviewer preview."""

import io

import pytest
from PIL import Image

from kcheck.quality import REASONS, annotate, annotate_pixels, check_photo, message_for, stored_copy
from tests.fixtures.documents import PHONE_12MP, make_document, make_selfie

LOCALES = ("en", "fr", "de", "it")
QUALITY_REASONS = [r for r in REASONS if not r.startswith("mrz_")]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_reason_has_its_own_message_in_each_language(locale):
    texts = {reason: message_for([reason], locale) for reason in QUALITY_REASONS}
    texts["pass"] = message_for([], locale)
    assert all(text.strip() for text in texts.values())
    assert len(set(texts.values())) == len(texts)  # no two reasons share a text


@pytest.mark.parametrize("reason", QUALITY_REASONS)
def test_each_language_says_it_differently(reason):
    assert len({message_for([reason], locale) for locale in LOCALES}) == 4


def test_the_most_important_reason_is_the_one_explained():
    assert message_for(["glare", "too_dark"], "en") == message_for(["too_dark"], "en")
    assert "lamp" in message_for(["glare"], "en")


@pytest.mark.parametrize(
    ("locale", "expected"), [("fr-CH", "fr"), ("de_CH", "de"), ("IT", "it"), ("rm", "en"), (None, "en")]
)
def test_locale_variants_and_fallback(locale, expected):
    assert message_for(["blurry"], locale) == message_for(["blurry"], expected)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_passport_sent_back_for_the_wrong_page_is_told_to_open_it_at_the_photo_page(locale):
    """A passport has no other side to turn to: its cover, a visa or another page is shown."""
    passport = message_for(["wrong_document_side"], locale, "passport_page")
    card = message_for(["wrong_document_side"], locale, "id_front")
    assert "<<<" in passport and "<<<" not in card
    assert card == message_for(["wrong_document_side"], locale)  # a card is turned over
    assert message_for(["glare"], locale, "passport_page") == message_for(["glare"], locale)


def test_unknown_reason_still_gets_a_message():
    assert message_for(["mrz_unreadable"], "de").strip()


def _pixel(image, xy):
    return image.getpixel((round(xy[0]), round(xy[1])))


def test_preview_is_a_small_jpeg_with_the_document_outline():
    data = make_document("id_front", None, seed=0, long_side=PHONE_12MP[0])
    verdict = check_photo(data, "id_front")
    preview = annotate(data, verdict)
    assert len(preview) < len(data)
    image = Image.open(io.BytesIO(preview))
    assert image.format == "JPEG"
    assert max(image.size) <= 1280
    # The outline is drawn in green at the (scaled) corners of the detected quad.
    scale = max(image.size) / max(PHONE_12MP)
    corner = [v * scale for v in verdict.document_quad[0]]
    r, g, b = _pixel(image.convert("RGB"), corner)
    assert g > 150 and r < 120 and b < 120


def test_the_workers_preview_from_the_copys_pixels_is_the_one_its_bytes_give():
    """The worker draws the preview from the stored copy's pixels it still holds (no decode):
    same size, same outline, same picture as drawn from the copy's JPEG."""
    import numpy as np

    copy = stored_copy(make_document("id_front", None, seed=0, long_side=PHONE_12MP[0]))
    verdict = check_photo(copy.data, "id_front")
    from_bytes = Image.open(io.BytesIO(annotate(copy.data, verdict))).convert("RGB")
    from_pixels = Image.open(io.BytesIO(annotate_pixels(copy.pixels, verdict)))
    assert from_pixels.format == "JPEG" and from_pixels.size == from_bytes.size
    from_pixels = from_pixels.convert("RGB")
    scale = max(from_pixels.size) / max(copy.width, copy.height)
    r, g, b = _pixel(from_pixels, [v * scale for v in verdict.document_quad[0]])
    assert g > 150 and r < 120 and b < 120
    difference = np.abs(np.asarray(from_pixels, int) - np.asarray(from_bytes, int)).mean()
    assert difference < 3


def test_preview_draws_face_boxes_on_a_selfie():
    data = make_selfie(None, seed=1)
    verdict = check_photo(data, "selfie")
    assert verdict.faces
    image = Image.open(io.BytesIO(annotate(data, verdict, max_side=800))).convert("RGB")
    assert max(image.size) <= 800
    x, y, w, h = verdict.faces[0]
    scale = max(image.size) / max(verdict.metrics["width"], verdict.metrics["height"])
    r, g, b = _pixel(image, (x * scale + w * scale / 2, y * scale))  # top edge of the box
    assert b > 180 and r < 100

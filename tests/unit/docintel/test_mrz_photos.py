"""Reading MRZs from photos: OCR-B documents in perspective with blur and noise."""

from datetime import date

import pytest

from kcheck.docintel import read_mrz
from kcheck.docintel.mrz import parse
from tests.fixtures.documents import make_photo
from tests.fixtures.mrz_documents import make_mrz_photo

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("fmt", "seed"), [("TD1", 1), ("TD2", 5), ("TD3", 7), ("TD3", 11)])
def test_a_photographed_zone_is_read_with_every_field(fmt, seed):
    jpeg, spec = make_mrz_photo(fmt, seed)
    reading = read_mrz(jpeg, TODAY)
    assert reading.valid, reading.checks
    assert reading.format == fmt
    assert reading.fields == parse(spec.lines(), TODAY).fields


@pytest.mark.parametrize(("fmt", "check"), [("TD1", "birth_date"), ("TD3", "document_number"),
                                            ("TD2", "expiry_date")])
def test_a_photographed_zone_with_a_wrong_check_digit_is_invalid_and_names_it(fmt, check):
    jpeg, _ = make_mrz_photo(fmt, 4, broken_check=check)
    reading = read_mrz(jpeg, TODAY)
    assert reading.found and not reading.valid
    assert check in reading.failed_checks


def test_a_strongly_blurred_photo_is_not_reported_valid():
    jpeg, _ = make_mrz_photo("TD3", 2)
    from tests.fixtures.mrz_documents import photograph, random_spec, render_document

    blurred = photograph(render_document(random_spec("TD3", 2)), 2, blur=9.0)
    assert read_mrz(jpeg, TODAY).valid
    assert not read_mrz(blurred, TODAY).valid


def test_a_document_side_without_a_zone_and_garbage_are_not_found():
    assert not read_mrz(make_photo("id_front", seed=1), TODAY).found
    assert not read_mrz(b"not an image", TODAY).found


def turned(jpeg: bytes, degrees: float, long_side: int | None = None) -> bytes:
    """The photo turned clockwise (quarter turns exact, other angles on a grown canvas) and
    optionally scaled down, as a JPEG: a document photographed sideways or as a small scan."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    quarter = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
               270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if degrees in quarter:
        image = cv2.rotate(image, quarter[degrees])
    elif degrees:
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
        image = cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if long_side:
        scale = long_side / max(image.shape[:2])
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


@pytest.mark.parametrize(("fmt", "seed", "degrees"), [("TD3", 7, 90), ("TD1", 1, 180),
                                                      ("TD2", 5, 270), ("TD3", 11, 180)])
def test_a_document_photographed_sideways_or_upside_down_is_read_and_says_how_it_lay(
        fmt, seed, degrees):
    jpeg, spec = make_mrz_photo(fmt, seed)
    reading = read_mrz(turned(jpeg, degrees), TODAY)
    assert reading.valid, reading.checks
    assert reading.fields == parse(spec.lines(), TODAY).fields
    assert reading.rotation == degrees


@pytest.mark.parametrize("degrees", [6, -8])
def test_a_skewed_document_is_read(degrees):
    jpeg, spec = make_mrz_photo("TD3", 7)
    reading = read_mrz(turned(jpeg, degrees), TODAY)
    assert reading.valid and reading.rotation == 0
    assert reading.fields == parse(spec.lines(), TODAY).fields


def test_a_small_scan_is_read():
    jpeg, spec = make_mrz_photo("TD1", 1)
    reading = read_mrz(turned(jpeg, 0, long_side=700), TODAY)
    assert reading.valid
    assert reading.fields == parse(spec.lines(), TODAY).fields


def test_a_zone_with_a_red_ring_drawn_round_it_is_read():
    # Someone circled the zone in red pen before taking the photo.
    import cv2

    from tests.fixtures.mrz_documents import photograph, random_spec, render_document

    spec = random_spec("TD3", 7)
    # A photocopy of the page: the zone's two lines at y 820-905, x 126-1244 of 1370 x 1000.
    card = cv2.copyMakeBorder(render_document(spec), 60, 60, 60, 60, cv2.BORDER_CONSTANT,
                              value=(245, 245, 245))
    cv2.ellipse(card, ((685, 863), (1290, 250), 0), (220, 20, 20), 6)
    jpeg = photograph(card, 7)
    reading = read_mrz(jpeg, TODAY)
    assert reading.valid, reading.checks
    assert reading.fields == parse(spec.lines(), TODAY).fields


def _without_names(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in ("surname", "given_names")}


def test_a_zone_under_a_coloured_specimen_stamp_is_found_whole():
    # A pink SPECIMEN stamp over the start of both lines: lightened, its letters left faint
    # outlines (JPEG blends their rim with the paper) that cut the zone's lines short.
    from tests.fixtures.mrz_documents import photograph, random_spec, render_document, stamp

    spec = random_spec("TD3", 7)
    jpeg = photograph(stamp(render_document(spec), (255, 60, 120)), 7)
    reading = read_mrz(jpeg, TODAY)
    assert reading.valid, reading.checks
    assert _without_names(reading.fields) == _without_names(parse(spec.lines(), TODAY).fields)


def test_a_zone_a_stamp_makes_unreadable_in_grey_is_read_in_the_brightest_channel(monkeypatch):
    # A red stamp over the zone: in grey its ink is as dark as some glyphs; in each pixel's
    # brightest channel it is as light as the paper, and the black print stays dark.
    from kcheck.docintel import mrz_zone
    from tests.fixtures.mrz_documents import photograph, random_spec, render_document, stamp

    spec = random_spec("TD3", 3)
    jpeg = photograph(stamp(render_document(spec), (255, 30, 60)), 3)
    reading = read_mrz(jpeg, TODAY)
    assert reading.valid, reading.checks
    assert _without_names(reading.fields) == _without_names(parse(spec.lines(), TODAY).fields)
    monkeypatch.setattr(mrz_zone, "_coloured", lambda colour: False)
    assert not read_mrz(jpeg, TODAY).valid  # grey alone



@pytest.mark.parametrize(("fmt", "seed"), [("TD1", 7), ("TD2", 3)])
def test_a_zone_under_a_pale_pink_stamp_is_read(fmt, seed):
    # Too pale to count as coloured ink where lines are looked for, dark enough to join or cut
    # them there: the zone is looked for again in each pixel's brightest channel.
    from tests.fixtures.mrz_documents import LAYOUTS, photograph, random_spec, render_document, stamp

    spec = random_spec(fmt, seed)
    height = LAYOUTS[fmt][0][1]
    card = stamp(render_document(spec), (255, 160, 200), size=150,
                 at=(40, height - 60 - 50 * LAYOUTS[fmt][2]))
    reading = read_mrz(photograph(card, seed), TODAY)
    assert reading.valid, reading.checks
    assert _without_names(reading.fields) == _without_names(parse(spec.lines(), TODAY).fields)

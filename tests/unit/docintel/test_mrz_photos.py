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

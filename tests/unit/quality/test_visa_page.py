"""A visa in the passport slot is the wrong page: it looks like a data page (a portrait, fields,
two lines of MRZ), but its MRZ, read with every check digit passing, says V. The person is asked
for the data page; the data page itself passes, without a doubt of its side."""

import pytest

from kcheck.quality import check_upload
from tests.fixtures.mrz_documents import mrz_lines, photograph, random_spec, render_document, visa_lines


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_visa_photographed_for_the_passport_page_is_the_wrong_page(seed):
    spec = random_spec("TD3", seed)
    data = photograph(render_document(spec, variant=seed, lines=visa_lines(spec)), seed)
    verdict = check_upload(data, "passport_page")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics
    assert verdict.metrics["mrz_document_code"] == "V"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_data_page_drawn_the_same_way_passes(seed):
    spec = random_spec("TD3", seed)
    data = photograph(render_document(spec, variant=seed, lines=mrz_lines(spec)), seed)
    verdict = check_upload(data, "passport_page")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "wrong_document_side" not in dict(verdict.notes), verdict.notes


def test_a_visa_whose_check_digits_fail_is_left_to_the_reviewer():
    """A zone read with a check digit failing may be misread: a visa's code alone is not sure."""
    spec = random_spec("TD3", 4)
    lines = visa_lines(spec)
    broken = lines[1][:19] + str((int(lines[1][19]) + 3) % 10) + lines[1][20:]  # the birth date's
    data = photograph(render_document(spec, variant=4, lines=[lines[0], broken]), 4)
    verdict = check_upload(data, "passport_page")
    assert "wrong_document_side" not in verdict.reasons, verdict.metrics

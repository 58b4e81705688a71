"""A card as pale as the desk under it, its outline not found, is still a card: its portrait
with the lines of its fields beside it (found by PP-OCR's detector in a window round the face,
also on a card lying on its side) leave "no document" a doubt for the reviewer. A portrait with
no card stays a sure retake."""

import pytest

from kcheck.quality import check_upload
from tests.fixtures.variety import make_varied_document, make_varied_selfie


@pytest.mark.parametrize(
    "seed",
    [
        1007,  # a pale green card on a green desk, a ruled sheet beside it outlined instead
        2016,  # a dark green card on a green desk, lying on its side (its print runs up the photo)
    ],
)
def test_a_card_whose_outline_is_lost_in_the_desk_passes(seed):
    verdict = check_upload(make_varied_document("id_front", None, seed), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert ("document_not_found", 0.5) in verdict.notes


@pytest.mark.parametrize("seed", [1000, 1003])
def test_a_portrait_without_a_card_is_still_no_document(seed):
    verdict = check_upload(make_varied_selfie("no_document", seed), "id_front")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics


def test_such_a_card_whose_fields_run_off_the_frame_is_cut_off():
    """The same evidence, the lines beside the portrait running into the frame's edge with
    their characters cut (a dark green card on its side, cut at the left and bottom)."""
    verdict = check_upload(make_varied_document("id_front", "cut_off", 2005), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_a_reflection_on_such_a_card_is_measured_against_the_card_not_the_frame():
    """A grey page on its side on a brick wall, a lamp's reflection over its MRZ: known by the
    print beside its portrait, the page is small in the frame, and the reflection is glare
    against the print's surroundings (against the whole frame it was a speck)."""
    verdict = check_upload(make_varied_document("passport_page", "glare", 2005), "passport_page")
    assert verdict.verdict == "retake" and "glare" in verdict.reasons, verdict.metrics

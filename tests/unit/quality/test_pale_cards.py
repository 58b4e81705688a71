"""A card as pale as the desk under it, its outline not found, is still a card: its portrait
with the lines of its fields beside it (found by PP-OCR's detector in a window round the face,
also on a card lying on its side) leave "no document" a doubt for the reviewer. A portrait with
no card stays a sure retake. A card as grey as the desk but not of its hue is outlined in
colour."""

import cv2
import numpy as np
import pytest

from kcheck.quality import check_photo, check_upload
from tests.fixtures.documents import _card_corners, _encode, _finish, _paste_warped, in_grey, render_card
from tests.fixtures.variety import make_varied_document, make_varied_selfie


@pytest.mark.parametrize(
    "seed",
    [
        1007,  # a pale green card on a green desk, a ruled sheet beside it outlined instead
        2016,  # a dark green card on a green desk, lying on its side (its print runs up the photo)
    ],
)
def test_a_card_whose_outline_is_lost_in_the_desk_passes(seed):
    # In grey, so that the outline stays lost: in colour seed 2016's card is outlined by its hue.
    verdict = check_upload(in_grey(make_varied_document("id_front", None, seed)), "id_front")
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


def _on_a_desk_of_its_grey(variant: int) -> tuple[bytes, np.ndarray]:
    """A pale card's front (a 1600 x 1200 photo, the card 0.55 of its width) on a plain mint-green
    desk of the card's own grey level, in even light with no shadow: its edge has no contrast in
    grey, only in hue. Returns the JPEG and the card's corners in the photo."""
    card = render_card("id1", "front", variant).astype(np.float32)
    rng = np.random.default_rng(variant)
    grey = float(cv2.cvtColor(card.astype(np.uint8), cv2.COLOR_RGB2GRAY).mean())
    green = np.array([0.75, 1.12, 0.8], np.float32)
    green *= grey / float(np.dot([0.299, 0.587, 0.114], green))  # the card's grey (BT.601 luma)
    frame = (1600, 1200)
    scene = np.empty((frame[1], frame[0], 3), np.float32)
    scene[:] = green
    corners = _card_corners(frame, (card.shape[1], card.shape[0]), 0.55, rng)
    _paste_warped(scene, card, corners)
    return _encode(_finish(scene, rng, frame[0])), corners


@pytest.mark.parametrize("variant", [1, 2])
def test_a_card_as_grey_as_the_desk_is_outlined_in_its_hue(variant):
    """The good front passes and the reviewer's view of the photo shows the card's outline where
    the card is. Found in grey alone there was none (its print let it pass, with no outline to
    show)."""
    data, corners = _on_a_desk_of_its_grey(variant)
    verdict = check_photo(data, "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert verdict.document_quad is not None, verdict.metrics
    found = np.array(verdict.document_quad, np.float32)
    # Each corner of the card lies near one of the outline's (the outline may start at any corner).
    reach = 0.05 * float(np.linalg.norm(corners[1] - corners[0]))
    assert all(np.linalg.norm(found - corner, axis=1).min() < reach for corner in corners), found


@pytest.mark.parametrize(
    ("slot", "defect", "seed"),
    [
        ("id_back", "wrong_side", 9002),  # a grey-blue front on a green cloth, a sheet over its corner
        ("id_back", "wrong_side", 2002),
        ("passport_page", None, 2003),  # a good page
    ],
)
def test_a_card_outlined_only_in_its_hue_is_judged_whole(slot, defect, seed):
    """Outlined in grey alone these had no outline at all, and the print alone did not tell: the
    fronts sent for the back passed, the good page was sent back as the wrong page."""
    verdict = check_upload(make_varied_document(slot, defect, seed), slot)
    assert verdict.metrics["document_area_fraction"] > 0.1, verdict.metrics
    if defect is None:
        assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    else:
        assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics

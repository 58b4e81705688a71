"""Decisions that must hold on photos real uploads resemble: a white card whose paper the
camera clips, a part of the card taken for the card, and the same photo saved another way."""

import pytest

from kcheck.quality import check_photo
from tests.fixtures.variety import _make, make_varied_document


def test_a_white_card_with_dark_print_is_not_too_bright():
    """A white card in good light: its paper is clipped to white, its print as dark as ink (a
    reviewer reads every field), so being bright is at most a note."""
    verdict = check_photo(make_varied_document("id_back", None, 1006), "id_back")
    assert verdict.metrics["clipped_white_fraction"] >= 0.6  # the paper is white
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("too_bright", 0) <= 0.5


@pytest.mark.parametrize("slot, seed", [("id_back", 1001), ("passport_page", 1001), ("id_back", 0)])
def test_an_over_exposed_card_whose_print_the_light_lifted_is_still_too_bright(slot, seed):
    verdict = check_photo(make_varied_document(slot, "bright", seed), slot)
    assert verdict.verdict == "retake" and "too_bright" in verdict.reasons, verdict.metrics


@pytest.mark.parametrize("seed", [2000, 2002])
def test_an_over_exposed_front_whose_portrait_the_light_paled_is_no_sure_wrong_side(seed):
    """Bright light pales the portrait past what the detector finds, and (without the card's
    outline) its stacked print reads as a band: neither is evidence of the back. The print is
    legible, so the photo passes; the side is left to the reviewer."""
    verdict = check_photo(make_varied_document("id_front", "bright", seed), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("wrong_document_side", 0) <= 0.5


@pytest.mark.parametrize("seed", [2000, 2001, 2005])
def test_the_back_sent_as_the_front_stays_a_retake(seed):
    """A back's MRZ, with or without the card's outline, is still evidence of the back."""
    verdict = check_photo(make_varied_document("id_front", "wrong_side", seed), "id_front")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


@pytest.mark.parametrize("slot, seed", [("id_front", 1001), ("passport_page", 1022)])
def test_the_portraits_outline_is_not_taken_for_the_card(slot, seed):
    """A card close in colour to its desk shows no outline, but its portrait photo's edges stand
    out: that small outline is not the document (neither too small nor blurred: a portrait is
    soft), the print beside it is."""
    verdict = check_photo(make_varied_document(slot, None, seed), slot)
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "document_too_small" not in dict(verdict.notes)


def test_a_card_cut_by_the_frame_beside_its_portrait_is_still_cut_off():
    """Only a whole small outline is taken for a portrait: a card cut by the frame whose visible
    part is mostly its portrait stays a cut-off document."""
    verdict = check_photo(make_varied_document("id_front", "cut_off", 1001), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_a_passports_other_page_with_a_white_mrz_band_stays_the_wrong_page():
    """A dark page whose MRZ sits on a light band clipped to white: on a passport page the
    missing portrait is the only evidence of the other side, so the white does not soften it."""
    verdict = check_photo(make_varied_document("passport_page", "wrong_side", 1002), "passport_page")
    assert verdict.metrics["clipped_white_fraction"] >= 0.03
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def test_a_front_known_by_its_portraits_outline_in_the_back_slot_is_the_wrong_side():
    verdict = check_photo(make_varied_document("id_back", "wrong_side", 2000), "id_back")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def test_a_reflection_beside_the_portraits_outline_is_glare():
    """The reflection lies among the print beside the portrait, inside the box round both."""
    verdict = check_photo(make_varied_document("id_front", "glare", 2001), "id_front")
    assert verdict.verdict == "retake" and "glare" in verdict.reasons, verdict.metrics


def test_a_reflection_clear_of_the_print_is_labelled_usable():
    """The generated reflection lies on the card's plain ground, clear of every line of print (seen:
    every field of variety/id_back/glare/2003 legible): the photo is usable and labelled so."""
    labelled = _make(("id_back", "glare", 2003))
    assert isinstance(labelled, tuple) and labelled[1] == "pass"
    assert labelled[0] == make_varied_document("id_back", "glare", 2003)


@pytest.mark.parametrize("slot, seed", [("id_front", 2001), ("id_back", 1004)])
def test_a_reflection_that_print_runs_into_stays_a_retake(slot, seed):
    """Lines of print end at the reflection: nobody can tell whether they run on under it."""
    assert isinstance(_make((slot, "glare", seed)), bytes)


def test_a_passports_other_page_on_white_paper_with_dark_print_is_the_wrong_page():
    """A white page under bright light (its paper clipped, its print still as dark as ink, the
    light a note at most) with an MRZ and no portrait: the light hid no portrait, so the missing
    one still shows the other page."""
    verdict = check_photo(make_varied_document("passport_page", "wrong_side", 3000), "passport_page")
    assert verdict.metrics["clipped_white_fraction"] >= 0.5
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics

"""Decisions that must hold on photos real uploads resemble: a white card whose paper the
camera clips, a part of the card taken for the card, and the same photo saved another way."""

import pytest

from kcheck.quality import check_photo
from tests.fixtures.variety import make_varied_document


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

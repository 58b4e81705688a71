"""Cards that are not identity documents, sent for an ID slot: what a careful reviewer would send
back, because words printed on them say so, while identity cards without a portrait or an MRZ
in view (a licence's back) still pass."""

import numpy as np
import pytest

from kcheck.quality import check_photo
from tests.fixtures.documents import scanned
from tests.fixtures.other_cards import render_other_card
from tests.fixtures.variety import make_card_photo, render_licence_back


@pytest.mark.parametrize(("kind", "seed"), [("business", 0), ("business", 1), ("insurance", 0)])
def test_a_card_whose_words_show_it_is_no_identity_document_is_sent_back(kind, seed):
    """Lines of print on a card, no portrait and no MRZ, as on a licence's back: only its words
    (an e-mail address, "HEALTH INSURANCE", "RxBIN") tell it apart, and they are sure."""
    verdict = check_photo(make_card_photo(render_other_card(kind), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == {"business": "business_card", "insurance": "insurance_card"}[kind]


def test_an_insurance_card_scanned_for_the_front_is_sent_back():
    """Scanned to the frame, its missing portrait alone is only a doubt (a scan's portrait may be
    missed); its words make the retake sure."""
    verdict = check_photo(scanned(render_other_card("insurance").astype(np.float32)), "id_front")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics


@pytest.mark.parametrize("seed", [0, 1])
def test_a_licence_back_photographed_the_same_way_passes(seed):
    """Its print (a road authority, phone numbers, a web address) is read too and names no
    other card."""
    verdict = check_photo(make_card_photo(render_licence_back(np.random.default_rng(seed)), seed), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "other_card" not in verdict.metrics

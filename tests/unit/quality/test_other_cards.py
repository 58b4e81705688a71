"""Cards that are not identity documents, sent for an ID slot: what a careful reviewer would send
back, because words printed on them say so, while identity cards without a portrait or an MRZ
in view (a licence's back) still pass."""

import cv2
import numpy as np
import pytest

from kcheck.quality import check_photo
from kcheck.quality.check import CARD_MRZ_GLYPHS, Findings, _identity_unproven, _mrz_like
from kcheck.quality.evidence import Searches, TextEvidence
from kcheck.quality.other_cards import kind_of_card, ssn_line
from tests.fixtures.documents import scanned
from tests.fixtures.other_cards import render_other_card
from tests.fixtures.variety import make_card_photo, render_licence_back


@pytest.mark.parametrize(("kind", "seed"), [("business", 0), ("business", 1), ("insurance", 0),
                                            ("health_plan", 0), ("health_plan", 1)])
def test_a_card_whose_words_show_it_is_no_identity_document_is_sent_back(kind, seed):
    """Lines of print on a card, no portrait and no MRZ, as on a licence's back: only its words
    (an e-mail address, "HEALTH INSURANCE", "RxBIN", a health plan's "Payer ID") tell it apart,
    and they are sure."""
    verdict = check_photo(make_card_photo(render_other_card(kind), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == {"business": "business_card"}.get(kind, "insurance_card")


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


@pytest.mark.parametrize(("quarters", "seed"), [(1, 0), (3, 1)])
def test_a_business_card_lying_a_quarter_turned_is_sent_back(quarters, seed):
    """Its lines run down the photo: they are read with the photo turned a quarter each way (which
    way is not known), and its e-mail address tells it is no identity document."""
    card = np.ascontiguousarray(np.rot90(render_other_card("business"), quarters))
    verdict = check_photo(make_card_photo(card, seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "business_card"


@pytest.mark.parametrize(("quarters", "seed"), [(1, 0), (3, 1)])
def test_a_licence_back_lying_a_quarter_turned_passes(quarters, seed):
    """Read both ways, its print still names no other card."""
    card = np.ascontiguousarray(np.rot90(render_licence_back(np.random.default_rng(seed)), quarters))
    verdict = check_photo(make_card_photo(card, seed), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "other_card" not in verdict.metrics


@pytest.mark.parametrize(("kind", "seed"), [("social_security", 1), ("social_security_number", 0),
                                            ("social_security_number", 1)])
def test_a_social_security_card_is_sent_back(kind, seed):
    """No portrait, no MRZ, no barcode, as on a licence's back: its title ("SOCIAL SECURITY"), or
    where the title is not read (it arches across a real card) its number alone on a line
    (NNN-NN-NNNN), tells it is no identity document."""
    verdict = check_photo(make_card_photo(render_other_card(kind), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "social_security_card"


@pytest.mark.parametrize("seed", [0, 1])
def test_a_payment_card_is_sent_back_by_its_number(seed):
    """No portrait, no MRZ, and no word of its network or terms read: its number, four groups of
    four digits on a row of their own, tells it is no identity document."""
    verdict = check_photo(make_card_photo(render_other_card("payment"), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "payment_card"


@pytest.mark.parametrize("seed", [0, 5])
def test_a_payment_card_whose_number_is_found_in_pieces_is_sent_back(seed):
    """Its four groups printed wide apart: the line finder finds the first and the last as lines
    and misses the two between, so the number is read again whole where PP-OCR's detector boxes
    it, though the pieces found span the box from end to end."""
    verdict = check_photo(make_card_photo(render_other_card("payment_wide"), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "payment_card"


@pytest.mark.parametrize("seed", [0, 1])
def test_a_card_titled_credit_card_is_sent_back(seed):
    """Light print on a dark card, its number not read: its title says what it is."""
    verdict = check_photo(make_card_photo(render_other_card("credit"), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "payment_card"


@pytest.mark.parametrize(("kind", "seed"), [("payment_expiry", 0), ("payment_expiry", 1), ("payment_thru", 0),
                                            ("payment_thru", 1)])
def test_a_payment_card_is_sent_back_by_the_labels_of_its_dates(kind, seed):
    """No number read and no network named (as on real renders whose embossed number is read in
    broken groups): "MONTH/YEAR" under its dates, or "THRU" read as a line of its own, says it
    is a payment card. No identity document labels its dates so."""
    verdict = check_photo(make_card_photo(render_other_card(kind), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "payment_card"


@pytest.mark.parametrize("seed", [0, 1])
def test_a_back_whose_date_is_labelled_day_month_year_passes(seed):
    """"DAY/MONTH/YEAR" holds a payment card's "MONTH/YEAR": it names no other card."""
    verdict = check_photo(make_card_photo(render_other_card("id_back_dates"), seed), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "other_card" not in verdict.metrics


def test_a_backs_band_of_short_lines_does_not_stop_its_words_being_read():
    """A payment card's embossed number and name may be found as a band of two MRZ-like lines (a
    real render in light print on black was). On the back slot, whose MRZ lines are counted, only
    lines full of characters prove an identity document: the card's words are still read. On the
    front slot, where they are not counted, the band found still counts."""
    box = np.array([[0, 0], [300, 0], [300, 20], [0, 20]], np.float32)
    text = TextEvidence(lines=(), mrz_lines=(box, box + [0, 30]), line_height=20.0, region=None,
                        at_edge=False)
    assert _identity_unproven("id_back", [], text, 0, Findings())
    assert not _identity_unproven("id_back", [], text, 2, Findings())
    assert not _identity_unproven("id_front", [], text, None, Findings())


@pytest.mark.parametrize(("line", "mrz_like"), [
    ("IDUTOD231458907<<<<<<<<<<<<<<<", True),
    ("Tel 02-3272-1003            Fax 070-7595-7180", False),
    ("e-Mail: office@example.com            Site: www.example.co.kr", False),
])
def test_a_business_cards_contact_lines_are_not_taken_for_an_mrz(line, mrz_like):
    """A business card's stacked contact lines hold as many characters as an MRZ line, and were
    taken for a band that proved an identity document, so its e-mail address went unread (a
    real card scanned flat). An MRZ line runs end to end; they break into fields with wide
    blanks between."""
    gray = np.full((60, 1000), 235, np.uint8)
    cv2.putText(gray, line, (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2, cv2.LINE_AA)
    (width, height), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
    box = np.array([[6, 36 - height], [14 + width, 36 - height], [14 + width, 46], [6, 46]], np.float32)
    assert _mrz_like(Searches(gray), 0, box, CARD_MRZ_GLYPHS) is mrz_like


def test_a_payment_card_scanned_for_the_front_is_sent_back():
    """Scanned to the frame, its missing portrait alone is only a doubt; its number makes the
    retake sure."""
    verdict = check_photo(scanned(render_other_card("payment").astype(np.float32)), "id_front")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics


def test_a_date_after_a_fields_number_is_no_social_security_number():
    """A licence's "4 12-05-2020" read without its spaces has a Social Security number's shape."""
    assert ssn_line("123-45-6789") and ssn_line("000-00-0000")
    assert not ssn_line("412-05-2020") and not ssn_line("123-45-67890")


@pytest.mark.parametrize(("kind", "named"), [("business_office", "business_card"), ("gift", "gift_card")])
@pytest.mark.parametrize("seed", [0, 1])
def test_other_cards_are_known_by_what_real_ones_showed(kind, named, seed):
    """Read on real cards of the calibration split: a business card naming its head office (no
    e-mail address), a gift card's value on a line of its own."""
    verdict = check_photo(make_card_photo(render_other_card(kind), seed), "id_back")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == named


@pytest.mark.parametrize("seed", [0, 1])
def test_a_back_with_two_eight_digit_fields_side_by_side_passes(seed):
    """Sixteen digits in two groups of eight, as a real payment card's number was once read: a
    Thai licence prints two such fields on a row, and its re-sent copies were sent back as a
    payment card when that counted. Only four groups of four are a card's number."""
    verdict = check_photo(make_card_photo(render_other_card("id_back_eight_digit_pairs"), seed), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "other_card" not in verdict.metrics


def test_a_business_cards_telephone_and_fax_labels_in_chinese_print_name_it():
    """As read on real Taiwanese business cards (the recogniser mixes traditional and simplified
    forms): no identity document labels a telephone or fax number."""
    assert kind_of_card(["新北市新店區安和路一段13号", "電话：（02）8666-8800"], []) == "business_card"
    assert kind_of_card(["传真：（02）2976-1389"], []) == "business_card"
    assert kind_of_card(["新北市三重區重新路二段10号", "1980.05.12"], []) is None


def test_a_payment_networks_logo_read_alone_names_a_payment_card():
    """As read on a real Visa render whose number was read in two groups of eight: "VISA" alone
    on a line is the network's logo; in a residence permit's title it is no evidence."""
    assert kind_of_card(["07/14", "VISA", "ANITAKUMAR"], []) == "payment_card"
    assert kind_of_card(["RESIDENCE PERMIT", "VISA TYPE D"], []) is None


@pytest.mark.parametrize("seed", [0, 1])
def test_a_back_printing_its_authoritys_help_desk_address_passes(seed):
    """An Aadhaar card's back prints its authority's e-mail and web addresses at a government's
    domain ("help@uidai.gov.in"): an identity card's back, not a business card's e-mail."""
    verdict = check_photo(make_card_photo(render_other_card("id_back_help_desk"), seed), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "other_card" not in verdict.metrics


def test_an_e_mail_address_at_a_government_domain_names_no_business_card():
    assert kind_of_card(["help@uidai.gov.in", "www.uidai.gov.in"], []) is None
    assert kind_of_card(["info@dmv.ca.gov", "Tel 1 800 777 0133"], []) is None
    assert kind_of_card(["office@example.com", "Tel 02 3272 1003"], []) == "business_card"
    assert kind_of_card(["sales@gov-supplies.com"], []) == "business_card"

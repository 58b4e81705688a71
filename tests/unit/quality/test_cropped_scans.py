"""Scans cropped to the card whose print the line finder misses: the check is not sure there is
no document (a false retake costs more than a reviewer's second look), while a portrait photo
cropped to a card's shape stays a sure retake."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from kcheck.quality import check_photo
from kcheck.quality.check import (
    TEXT_HEIGHT,
    _cropped_card,
    _held_print_sliced,
    _mrz_line,
    _print_by_portrait,
    _print_past_frame,
)
from kcheck.quality.evidence import Searches, TextEvidence, cut_by_edge
from tests.fixtures.cropped_scans import (
    bold_card_close_up,
    bold_card_front,
    bordered_card_back,
    card_front_portrait_to_edge,
    card_front_under_a_lid_edge,
    numbered_card_close_up,
    pale_card_on_paper,
    portrait_cropped_like_a_card,
    small_passport_page_scan,
)
from tests.fixtures.documents import _font, render_card
from tests.unit.quality.test_robustness import _page_scan


def _notes(verdict) -> dict:
    return dict(verdict.notes)


def test_a_card_front_in_large_bold_print_on_a_guilloche_passes():
    """A large portrait beside large bold fields: find_text sees hardly a line of it."""
    verdict = check_photo(bold_card_front(), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _notes(verdict)["document_not_found"] <= 0.5


def test_a_card_back_inside_its_printed_border_passes():
    """A barcode and a tight paragraph of endorsements inside the card's printed border."""
    verdict = check_photo(bordered_card_back(), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _notes(verdict).get("document_not_found", 0) <= 0.5


@pytest.mark.parametrize("portrait_width", [260, 240])
def test_a_card_scan_whose_portrait_is_smaller_passes(portrait_width):
    """Its portrait's face 0.156 and 0.131 of the card's long side (a real residence permit's
    measured 0.157, a US resident card's 0.13): an identity portrait still, so the print beside it
    makes the missed outline a doubt."""
    verdict = check_photo(bold_card_front(portrait_width=portrait_width), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _notes(verdict)["document_not_found"] <= 0.5


@pytest.mark.parametrize("long_side", [None, 700])
def test_a_card_front_scanned_to_the_card_for_the_back_is_the_wrong_side(long_side):
    """Its print missed, the frame is still one card, and an identity portrait with print beside
    it is on it: the front, sent for the back (a back's ghost image is under a tenth of the
    frame)."""
    verdict = check_photo(bold_card_front(long_side), "id_back")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def _licence_back(variant: int) -> bytes:
    """A drawn card back scanned to the card, most of it a licence back's category table (the EU
    licence's: a ruled grid of categories and dates) instead of an MRZ."""
    card = Image.fromarray(render_card("id1", "back", variant))
    width, height = card.size
    draw = ImageDraw.Draw(card)
    x0, y0, x1, y1 = int(0.3 * width), int(0.04 * height), int(0.98 * width), int(0.96 * height)
    draw.rectangle((x0, y0, x1, y1), fill=(236, 226, 214), outline=(60, 40, 120), width=3)
    for i, category in enumerate(("A1", "A", "B", "C1", "C", "D1", "D", "BE", "C1E", "CE", "D1E", "DE", "M"),
                                 start=1):
        y = y0 + (y1 - y0) * i // 14
        draw.line((x0, y, x1, y), fill=(60, 40, 120), width=2)
        draw.text((x0 + 10, y + 4), category, fill=(60, 40, 120), font=_font(26))
        if i % 2:
            draw.text((x0 + 260, y + 4), "10.06.82", fill=(30, 30, 30), font=_font(26))
    for x in (x0 + 230, x0 + 470, x0 + 620):
        draw.line((x, y0, x, y1), fill=(60, 40, 120), width=2)
    return cv2.imencode(".png", cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR))[1].tobytes()


@pytest.mark.parametrize("variant", [0, 1])
def test_a_licence_back_scanned_to_the_card_for_the_front_is_the_wrong_side(variant):
    """No MRZ and no barcode show the back, but the frame is one card (its shape) and no face that
    may be a portrait is found in it, upright or upside down: the front's portrait is not there.
    ec69f2a's check passed it with the side a doubt (0.5), as it did a real German licence back
    (calibration)."""
    verdict = check_photo(_licence_back(variant), "id_front")
    assert verdict.metrics["portrait_faces"] == 0
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


_INSURANCE_FIELDS = (("Name", "MUSTER"), ("Vorname", "LAURA ANNA"), ("Kasse", "AOK UTOPIA"),
                     ("Versichertennummer", "A123456780"), ("Geburtsdatum", "15.04.2004"),
                     ("Gultig bis", "19.04.2032"))


def test_an_insurance_card_scanned_the_same_way_is_sent_back():
    """A portrait as large as an ID card's does not make a card an identity document (a carte
    Vitale carries one): the words on it say it is an insurance card."""
    verdict = check_photo(bold_card_front(fields=_INSURANCE_FIELDS), "id_front")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics
    assert verdict.metrics["other_card"] == "insurance_card"


@pytest.mark.parametrize("long_side", [450, 640])
def test_a_small_card_scan_with_a_box_drawn_on_it_passes_with_notes(long_side):
    """A 450 px scan a person reads: its size and the missed outline are notes, not a retake."""
    verdict = check_photo(bold_card_front(long_side, boxed=True), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _notes(verdict)["low_resolution"] <= 0.5


def test_legibility_is_measured_on_letters_not_on_thin_strips_beside_them():
    """The lid's dark edge broken in strips along the frame stacks with the title: its thin
    strips are no print, and the title is large."""
    verdict = check_photo(card_front_under_a_lid_edge(), "id_front")
    assert verdict.metrics["text_height_px"] >= TEXT_HEIGHT[0]
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


@pytest.mark.parametrize("slot", ["id_front", "id_back"])
def test_a_portrait_photo_cropped_like_a_card_is_still_a_sure_retake(slot):
    verdict = check_photo(portrait_cropped_like_a_card(), slot)
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics


def test_a_small_passport_page_scan_is_known_by_its_smaller_portrait():
    """A passport page cropped to the frame and saved at 400 px: its face is a seventh of the
    page's width, smaller for the page than an ID card's portrait is for the card, and it is
    still the page's portrait (the print beside it is legible)."""
    gray = cv2.imdecode(np.frombuffer(small_passport_page_scan(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert _cropped_card(Searches(gray), "passport_page", {})


@pytest.mark.parametrize("sigma", [2.5, 4.0])
def test_a_blurred_card_scan_whose_print_the_line_finder_misses_is_a_retake_for_its_blur(sigma):
    """Known as a card by its frame and portrait, the frame is the card: its blur is the card's
    (a reviewer cannot read a blurred card however it was recognised)."""
    card = cv2.imdecode(np.frombuffer(bold_card_front(), np.uint8), cv2.IMREAD_COLOR)
    data = cv2.imencode(".png", cv2.GaussianBlur(card, (0, 0), sigma))[1].tobytes()
    verdict = check_photo(data, "id_front")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def test_a_card_scan_whose_portrait_runs_to_its_edge_is_not_cut_off():
    """The portrait's box touching the frame is a box on the card, not the card running off:
    nearly all the card's print lies beside it, inside the frame."""
    verdict = check_photo(card_front_portrait_to_edge(), "id_front")
    assert "document_cut_off" not in _notes(verdict), verdict.metrics
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def test_the_same_card_cut_through_its_portrait_is_still_a_retake():
    """Cut through the portrait and the print beside it, the frame is no longer the card. Since
    stop 36 the reason given is "no document", not "cut off": the cut portrait's box, running off
    the frame, was what made it cut off, and it holds none of the card's print, as a patch of desk
    beside a whole card does (such patches made real phone frames of whole cards "cut off"); the
    half face is no portrait to the detector, and the print's title stops 3 px short of the edge."""
    card = cv2.imdecode(np.frombuffer(card_front_portrait_to_edge(), np.uint8), cv2.IMREAD_COLOR)
    cut = card[:, 200:900]
    verdict = check_photo(cv2.imencode(".png", cut)[1].tobytes(), "id_front")
    assert verdict.verdict == "retake", verdict.metrics
    assert {"document_cut_off", "document_not_found"} & set(verdict.reasons), verdict.reasons


def test_a_close_up_cutting_through_the_cards_print_is_a_retake():
    """The card fills most of the frame, so its outline running off the edge alone is a doubt (a
    close-up cropped to the card looks the same); but the edge slices the characters of its
    fields: part of the card is missing."""
    verdict = check_photo(bold_card_close_up(0.7), "id_front")
    assert verdict.metrics["document_area_fraction"] >= 0.6 and not verdict.metrics["text_at_edge"]
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_a_close_up_to_the_cards_own_edge_is_only_a_doubt():
    """The same card whole, its own edge at the frame's: no character is cut."""
    verdict = check_photo(bold_card_close_up(), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _notes(verdict)["document_cut_off"] < 0.5


def test_a_close_up_whose_cards_number_runs_to_its_own_edge_passes():
    """The whole card in a close-up, its number printed up to the card's edge (the frame's): the
    line of print reaching the edge is no sign of a cut while the card fills the frame and no
    character of it is sliced."""
    verdict = check_photo(numbered_card_close_up(), "id_front")
    assert verdict.metrics["text_at_edge"] and verdict.metrics["document_area_fraction"] >= 0.6
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def test_the_same_close_up_cutting_through_the_number_is_a_retake():
    verdict = check_photo(numbered_card_close_up(0.95), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_a_pale_card_running_off_the_frame_through_its_print_is_a_retake():
    """No outline of the card is found whole or cut (only its thin rim sets it apart from the
    paper), but the rim's two corners in the frame and sides running off it, with the card's
    print cut by the edge, show the card runs off the frame."""
    verdict = check_photo(pale_card_on_paper(0.65), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_the_same_pale_card_whole_to_the_frames_edge_passes():
    verdict = check_photo(pale_card_on_paper(), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)



def _on_lid(data: bytes) -> bytes:
    """The scan with the scanner's lid round it above and below, of its own border's colour (so
    no outline shows): the frame, 4:3, no longer has the card's shape, as when a scan is sent
    turned or uncropped."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    height, width = image.shape[:2]
    pad = (round(width * 3 / 4) - height) // 2
    framed = cv2.copyMakeBorder(image, pad, pad, 0, 0, cv2.BORDER_REPLICATE)
    return cv2.imencode(".jpg", framed, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def test_a_page_on_its_lid_is_known_by_its_portrait_and_its_mrz_line():
    """Without the page's shape the frame says nothing (good real scans sent turned a few degrees
    were told "no document"); the portrait with lines of print clear of it and a line of the MRZ,
    two pieces of evidence still there, make the missed outline a doubt."""
    data = _on_lid(_page_scan([(380, 60 + 70 * i, "MUSTER") for i in range(3)]))
    searches = Searches(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE))
    assert _mrz_line(searches)
    assert _print_by_portrait(searches, {}) is not None
    verdict = check_photo(data, "passport_page")
    assert "document_not_found" not in verdict.reasons, verdict.metrics


def test_a_portrait_photo_on_the_same_lid_is_still_a_sure_retake():
    """A face with hardly any print beside it is one piece of evidence, not two."""
    verdict = check_photo(_on_lid(portrait_cropped_like_a_card()), "id_front")
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics


def _id2_shaped(data: bytes, blank: tuple[int, int, int, int] | None = None) -> bytes:
    """The scan resized to an ID-2 card's shape (105 x 74 mm, an old French identity card),
    `blank`: a box (x0, y0, x1, y1) of it painted white first."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if blank is not None:
        cv2.rectangle(image, blank[:2], blank[2:], (255, 255, 255), -1)
    width = image.shape[1]
    resized = cv2.resize(image, (width, round(width * 74 / 105)), interpolation=cv2.INTER_AREA)
    return cv2.imencode(".png", resized)[1].tobytes()


def test_an_id2_sized_card_back_scanned_to_the_frame_passes():
    """A back without a barcode or a face, whose paragraph and fields the line finder misses,
    scanned to an ID-2 card's frame (as the old French card's back): its many lines of print make
    the missed outline a doubt, as on an ID-1 card's frame."""
    verdict = check_photo(_id2_shaped(bordered_card_back(), blank=(50, 100, 750, 470)), "id_back")
    assert verdict.metrics["loose_text_lines"] >= 8
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _notes(verdict)["document_not_found"] <= 0.5


@pytest.mark.parametrize("slot", ["id_front", "id_back"])
def test_a_portrait_photo_of_that_shape_is_still_a_sure_retake(slot):
    """A press photo's frame (the square root of 2) has an ID-2 card's shape: with a face there,
    the frame's shape is no evidence."""
    verdict = check_photo(_id2_shaped(portrait_cropped_like_a_card()), slot)
    assert verdict.verdict == "retake" and "document_not_found" in verdict.reasons, verdict.metrics


_MRZ_SIDES = [("id1", "back", "id_back"), ("id3", "front", "passport_page")]  # a TD1 back, a TD3 page


def _cropped_to(kind: str, side: str, top: float) -> bytes:
    """A card or page cropped to itself, the `top` share of its height (the side away from its
    MRZ) outside the frame."""
    card = cv2.cvtColor(render_card(kind, side, 0), cv2.COLOR_RGB2BGR)
    return cv2.imencode(".png", card[round(top * card.shape[0]) :])[1].tobytes()


@pytest.mark.parametrize(("kind", "side", "slot"), _MRZ_SIDES)
def test_a_scan_cut_between_the_lines_above_its_mrz_is_a_retake(kind, side, slot):
    """The frame cuts the card's (or page's) upper third away between two lines of print, so no
    character is cut; the MRZ left whole along its bottom shows how tall the document is, and
    the frame holds too little of it above the band."""
    verdict = check_photo(_cropped_to(kind, side, 0.35), slot)
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


@pytest.mark.parametrize(("kind", "side", "slot"), _MRZ_SIDES)
def test_the_same_scan_whole_passes(kind, side, slot):
    verdict = check_photo(_cropped_to(kind, side, 0.0), slot)
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def _page_with_fields(last: tuple[int, str] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """A pale page (900 x 600 gray) with three fields of print well inside it, and their boxes;
    `last`: one more line at (x, 330), which the frame's right edge cuts when x is far enough
    right (its box then ends at the edge)."""
    page = Image.new("L", (900, 600), 245)
    draw = ImageDraw.Draw(page)
    fields = [(120, 150, "Surname / Nom: MUSTER"), (120, 210, "Given names: ANNA"),
              (120, 270, "Born: 10.01.1960")]
    if last is not None:
        fields.append((last[0], 330, last[1]))
    boxes = []
    for x, y, words in fields:
        left, top, right, bottom = draw.textbbox((x, y), words, font=_font(30))
        draw.text((x, y), words, fill=20, font=_font(30))
        right = min(right + 2, 899)
        corners = [[left - 2, top - 2], [right, top - 2], [right, bottom + 2], [left - 2, bottom + 2]]
        boxes.append(np.array(corners, np.float32))
    return page, boxes


def test_print_whose_box_reaches_past_the_frame_with_only_a_mark_at_the_edge_is_a_doubt():
    """The print's box reaches past the frame and a line found runs into the edge, but that line
    is a scanner's shadow mark, no letters, and every line of letters stays 4 line heights inside:
    not sure cut off (two real scans re-sent at gamma 0.8 or mixed were sure so)."""
    page, boxes = _page_with_fields()
    ImageDraw.Draw(page).rectangle((869, 420, 899, 427), fill=40)
    mark = np.array([[869, 419], [899, 419], [899, 428], [869, 428]], np.float32)
    text = TextEvidence((*boxes, mark), (), 30.0, None, at_edge=True)
    metrics = {"print_past_frame": 1.2}
    assert _print_past_frame(np.asarray(page), text, metrics, "id_front") == 0.5
    assert metrics["print_to_edge"] < -3


def test_print_running_into_the_edge_with_its_letters_cut_is_sure():
    page, boxes = _page_with_fields((780, "CARTAGENA"))
    text = TextEvidence(tuple(boxes), (), 30.0, None, at_edge=True)
    assert _print_past_frame(np.asarray(page), text, {"print_past_frame": 1.2}, "id_front") == 1.0


@pytest.mark.parametrize(("slot", "sure"), [("id_front", 0.5), ("id_back", 0.5), ("passport_page", 1.0)])
def test_print_running_into_the_edge_of_a_card_shaped_frame_is_a_doubt(slot, sure):
    """The same page widened on its left to an ID card's shape (952 x 600): in the card slots the
    frame is a scan cropped to the card, whose print may run to its own edge, so print running
    into it is a doubt (a Belgian back scanned to the card was sure cut off once re-sent at 0.6
    scale); in the passport slot that frame has no page's shape and the cut stays sure."""
    page, boxes = _page_with_fields((780, "CARTAGENA"))
    widened = np.pad(np.asarray(page), ((0, 0), (52, 0)), constant_values=245)
    text = TextEvidence(tuple(box + [52, 0] for box in boxes), (), 30.0, None, at_edge=True)
    assert _print_past_frame(widened, text, {"print_past_frame": 1.2}, slot) == sure


@pytest.mark.parametrize(("side", "share"), [("left", 0.2), ("left", 0.4), ("bottom", 0.3)])
def test_a_card_scan_cut_through_its_portraits_face_is_cut_off(side, share):
    """A card front scanned to the card, the frame cutting `share` of the portrait's face away:
    the face's box reaches the frame's edge, and the card round the portrait goes on past it.
    Stop 36's check passed all three: the print beside the portrait, inside the frame, hid the
    cut."""
    card = render_card("id1", "front", 0)
    face_left, face_top, face = 82, 168, 156  # the portrait's face on this card (dlib's box)
    if side == "left":
        cut = card[:, face_left + round(share * face):]
    else:
        cut = card[: face_top + round((1 - share) * face)]
    verdict = check_photo(cv2.imencode(".png", cut)[1].tobytes(), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def _card_with_lower_fields(place: str, authority: str) -> bytes:
    """A card front scanned to the card with two more fields in smaller print under its main
    ones, beside the portrait: the first look for print finds the main block only."""
    card = render_card("id1", "front", 0)
    image = Image.fromarray(cv2.cvtColor(card, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    draw.text((320, 392), f"Place of birth / Lieu de naissance: {place}", fill=(60, 40, 40), font=_font(22))
    draw.text((320, 428), f"Issuing authority / Autorite: {authority}", fill=(60, 40, 40), font=_font(22))
    return cv2.imencode(".png", cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR))[1].tobytes()


def test_a_card_scan_whose_lower_fields_run_off_the_frame_is_cut_off():
    """Both lower fields run past the frame's right edge, their letters cut: the frame cuts the
    card. f733990's check passed it: the block of print it measured stays clear of the edge."""
    card = _card_with_lower_fields("UTOPIA CITY NORTH", "CITY HALL OF UTOPIA NORTH")
    verdict = check_photo(card, "id_front")
    assert verdict.verdict == "retake" and verdict.reasons == ("document_cut_off",), verdict.metrics


def test_the_same_card_with_its_lower_fields_whole_passes():
    verdict = check_photo(_card_with_lower_fields("UTOPIA", "CITY HALL"), "id_front")
    assert verdict.verdict == "pass", verdict.metrics


def _card_on_desk(kind: str, side: str, keep: float = 1.0, frame_aspect: float | None = None,
                  margin: int = 16, keep_across: float = 1.0) -> bytes:
    """A card (or page) on a dark desk `margin` px wide round it. The frame keeps the `keep` share
    of its height from the top (cut straight through it below; at 1.0 the card's bottom edge is
    the frame's) and, below 1.0, the `keep_across` share of its width from the left; or it is
    widened to `frame_aspect` with the card in its middle."""
    card = render_card(kind, side, 0)
    height, width = card.shape[:2]
    canvas_width = width + 2 * margin
    if frame_aspect is not None:
        canvas_width = round(frame_aspect * (height + 2 * margin))
    canvas = np.full((height + 2 * margin, canvas_width, 3), 60, np.uint8)
    left = (canvas_width - width) // 2
    canvas[margin : margin + height, left : left + width] = card
    right = canvas_width if keep_across == 1.0 else left + round(keep_across * width)
    return cv2.imencode(".png", canvas[: margin + round(keep * height), :right])[1].tobytes()


@pytest.mark.parametrize(("kind", "side", "slot", "keep"),
                         [("id1", "front", "id_front", 0.6), ("id1", "back", "id_back", 0.5),
                          ("id1", "front", "id_front", 0.5)])
def test_a_strip_of_a_card_cut_between_its_lines_is_cut_off(kind, side, slot, keep):
    """The frame keeps the card's upper half or so, cut straight between two lines of print: no
    letter is cut, but the card's outline spans a frame far wider than a card, which no whole
    card fills. 42aced3's check passed all three (a derived Swedish back cut so, too)."""
    verdict = check_photo(_card_on_desk(kind, side, keep), slot)
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_a_whole_card_filling_the_height_of_a_wide_frame_passes():
    """The same card whole in a frame 2.2 times wider than high (a phone's 20:9 shot) fills most of
    it, but a card of its shape fits it: no strip."""
    verdict = check_photo(_card_on_desk("id1", "front", frame_aspect=2.2), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert verdict.metrics["strip_overhang"] < 1.1


@pytest.mark.parametrize(("kind", "side", "slot"), [("id1", "front", "id_front"), ("id1", "back", "id_back")])
def test_a_whole_card_lying_up_to_the_frames_edge_is_not_cut_off(kind, side, slot):
    """The card's bottom edge is the frame's: its outline runs along that edge, but it has the
    card's shape and all its corners in the frame. 42aced3's check said cut off, sure."""
    verdict = check_photo(_card_on_desk(kind, side, margin=150), slot)
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


@pytest.mark.parametrize(("keep", "keep_across"), [(0.88, 1.0), (0.92, 0.92), (0.85, 0.85)])
def test_a_card_cut_along_its_side_or_at_its_corner_is_still_cut_off(keep, keep_across):
    """Cut along one side the card is shorter than its shape; cut at a corner (as much off both
    ways, its shape kept) it meets two of the frame's edges. (Under 0.6 of the frame: a card
    filling more of it is a close-up, whose outline at the edge is a doubt.)"""
    card = _card_on_desk("id1", "front", keep, margin=300, keep_across=keep_across)
    verdict = check_photo(card, "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def _held_card(left: int, ruler: bool) -> np.ndarray:
    """A card front lying `left` px from the left edge of a grey desk, running off its right edge
    when far enough right; with `ruler`, two lines of a ruler's figures running off that edge
    above the card, well clear of its portrait."""
    card = cv2.resize(cv2.cvtColor(render_card("id1", "front", 0), cv2.COLOR_BGR2GRAY), None, fx=0.8, fy=0.8,
                      interpolation=cv2.INTER_AREA)
    desk = np.full((1000, 1000), 120, np.uint8)
    height, width = card.shape
    shown = min(width, 1000 - left)
    desk[450 : 450 + height, left : left + shown] = card[:, :shown]
    image = Image.fromarray(desk)
    if ruler:
        draw = ImageDraw.Draw(image)
        draw.text((700, 40), "0 1 2 3 4 5 6 7 WMWMWMWMWM", fill=20, font=_font(30))
        draw.text((720, 100), "SCALE MEASURE WMWMWMWMWM", fill=20, font=_font(30))
    return np.asarray(image)


def test_print_round_a_held_card_cut_by_the_frame_is_not_the_card_cut():
    """A card known by its portrait and the print found loosely round it (no outline, too few
    lines for a document): the frame's edge cuts two lines of a ruler across the desk, far from
    the portrait. 42aced3's check counted every line found that the edge cuts and said cut off,
    sure (a real Croatian licence on a cluttered desk, re-sent smaller, so)."""
    gray = _held_card(100, ruler=True)
    searches = Searches(gray)
    lines = tuple(searches.detected_lines)
    assert sum(cut_by_edge(gray, box) for box in lines) >= 2  # what was counted before
    assert _held_print_sliced(searches, lines) == 0


@pytest.mark.parametrize("left", [520, 560])
def test_a_held_card_running_off_the_frame_through_its_fields_is_cut(left):
    searches = Searches(_held_card(left, ruler=False))
    assert _held_print_sliced(searches, tuple(searches.detected_lines)) >= 2


def _card_cut_across(side: str, keep: float, variant: int = 0) -> bytes:
    """A scan of a card with only the `keep` share of its width kept from the left: the frame cuts
    straight down through the card and, on the front, through its lines of fields."""
    card = cv2.cvtColor(render_card("id1", side, variant), cv2.COLOR_RGB2BGR)
    return cv2.imencode(".png", card[:, : round(keep * card.shape[1])])[1].tobytes()


@pytest.mark.parametrize("variant", [0, 1])
def test_a_card_scan_cut_down_through_its_fields_is_cut_off(variant):
    """No outline (the card fills the frame), its portrait whole, no letter sliced along the
    edge: only the fields running into the frame's right edge, their characters cut, show the cut,
    in a frame far from a card's shape. ec69f2a's check passed it with cut off a doubt (0.35), as
    it did a derived Finnish front cut so (calibration)."""
    verdict = check_photo(_card_cut_across("front", 0.65, variant), "id_front")
    # No outline of the card (in colour a box on it may be outlined, too small to be the card).
    assert verdict.metrics["document_area_fraction"] < 0.05 and verdict.metrics["portrait_faces"] == 1
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics
    assert verdict.metrics["frame_sliced"] >= 1


@pytest.mark.parametrize("side", ["front", "back"])
def test_the_same_card_scan_whole_passes(side):
    """Cropped to the card's own edge, its print ends inside it."""
    verdict = check_photo(_card_cut_across(side, 1.0), f"id_{side}")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "document_cut_off" not in _notes(verdict)

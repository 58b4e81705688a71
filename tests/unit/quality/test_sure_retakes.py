"""Bad photos the check is sure of though the usual measures miss them: a page smeared along the
line of its print by a moving camera, a lamp's reflection on a coloured card wiping out print,
a card scanned for the passport page that has neither a portrait nor an MRZ; and a card that only
looks blurred (a soft printed pattern, sharp print) that is not a retake."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from kcheck.quality import check_photo
from tests.fixtures.documents import (
    _encode,
    _font,
    _motion_blur,
    _paste_warped,
    citizen_card,
    render_card,
    scanned,
)
from tests.fixtures.variety import make_card_photo, make_varied_document, render_licence_back


def _page_scan(shake_px: int = 0, angle: float = 0.0) -> bytes:
    """A passport data page cropped to the frame (1250 px wide, no outline: known by its print),
    smeared by a camera that moved `shake_px` pixels along `angle` degrees."""
    page = render_card("id3", "front", 0).astype(np.float32)
    return _encode(_motion_blur(page, shake_px, angle) if shake_px else page)


@pytest.mark.parametrize("shake_px", [19, 25])
def test_a_page_smeared_along_its_lines_of_print_is_blurry(shake_px):
    """Smeared along its lines, the print still reads as lines and the re-blur measure of the
    page is a doubt; the frame is far softer along the motion than across it."""
    verdict = check_photo(_page_scan(shake_px), "passport_page")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def test_the_same_page_held_still_passes():
    verdict = check_photo(_page_scan(), "passport_page")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert verdict.metrics["shake"] < 0.1


def test_a_round_reflection_over_print_on_a_coloured_page_is_glare():
    """Its light does not visibly spread over the mauve card (the halo share falls just short),
    but it is round, the card's print and pattern surround it, and lines of print run into it."""
    verdict = check_photo(make_varied_document("passport_page", "glare", 1005), "passport_page")
    assert verdict.verdict == "retake" and "glare" in verdict.reasons, verdict.metrics


def test_a_round_reflection_the_first_look_missed_is_judged_without_failing():
    """A card back whose reflection only the second, round-patch look finds (the first found
    no patch at all): the check judges it by that patch (it raised a TypeError, failing the
    worker's job, when the hull test looked at the first look's missing box)."""
    verdict = check_photo(make_varied_document("id_back", "glare", 1008), "id_back")
    assert verdict.verdict == "retake" and "glare" in verdict.reasons, verdict.metrics


def test_a_licence_back_scanned_for_the_passport_page_is_the_wrong_document():
    """No face anywhere on it and no MRZ: two lines of print stacked like a band stop far short
    of its ends, where an MRZ line runs characters and fillers end to end."""
    card = render_licence_back(np.random.default_rng(0)).astype(np.float32)
    verdict = check_photo(scanned(card), "passport_page")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def test_a_data_page_scanned_the_same_way_passes():
    verdict = check_photo(scanned(render_card("id3", "front", 1).astype(np.float32)), "passport_page")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


@pytest.mark.parametrize("seed", [4000, 4003])
def test_a_passport_page_whose_only_faces_are_on_its_mrz_is_the_wrong_page(seed):
    """A page with an MRZ and no portrait: the detector's weak "faces" lie on the band's rows of
    repeated characters (upright, or with the page turned a quarter), where no portrait sits."""
    verdict = check_photo(make_varied_document("passport_page", "wrong_side", seed), "passport_page")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def test_a_pattern_turned_a_quarter_on_a_page_lying_upright_is_no_portrait():
    """The page's print runs along its flattened outline: it lies as flattened, so a weak face
    found turned a quarter (its rosette) is no portrait lying on its side."""
    verdict = check_photo(make_varied_document("passport_page", "wrong_side", 4005), "passport_page")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def _page_cut_under_portrait(variant: int) -> np.ndarray:
    """A passport data page whose photo ends just under its portrait: its MRZ is out of the frame."""
    page = render_card("id3", "front", variant).astype(np.float32)
    unit = page.shape[1] / 856  # render_card's portrait is 316 units high from 90 units down
    return page[: round((90 + 316 + 12) * unit)]


@pytest.mark.parametrize("upside_down", [False, True])
def test_a_page_cut_under_its_portrait_is_cut_off(upside_down):
    """No MRZ band anywhere, and the frame ends right under the portrait (above it, the page
    upside down), where the data page prints its MRZ: the frame cut it away."""
    page = _page_cut_under_portrait(3)
    verdict = check_photo(_encode(page[::-1, ::-1] if upside_down else page), "passport_page")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


@pytest.mark.parametrize("upside_down", [False, True])
def test_the_whole_page_with_its_mrz_under_the_portrait_passes(upside_down):
    page = render_card("id3", "front", 3).astype(np.float32)
    verdict = check_photo(_encode(page[::-1, ::-1] if upside_down else page), "passport_page")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def _blurred(data: bytes, sigma: float) -> bytes:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.imencode(".jpg", blurred, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def test_a_card_printed_with_soft_stripes_but_sharp_print_is_not_a_retake_for_blur():
    """Broad pale stripes printed over the card read as blurred over the whole card, but its print
    is sharp: a note for the reviewer, not a retake (the photo is labelled pass)."""
    verdict = check_photo(make_varied_document("id_front", "bright", 1002), "id_front")
    assert "blurry" not in verdict.reasons, verdict.metrics
    assert "blurry" in dict(verdict.notes), verdict.notes


def test_the_same_striped_card_out_of_focus_is_blurry():
    verdict = check_photo(_blurred(make_varied_document("id_front", "bright", 1002), 4), "id_front")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def _defocused(slot: str, seed: int, share: float) -> bytes:
    """A generated card photo put out of focus by a blur of `share` of its long side."""
    photo = cv2.imdecode(np.frombuffer(make_varied_document(slot, None, seed), np.uint8), cv2.IMREAD_COLOR)
    return _encode(cv2.GaussianBlur(photo.astype(np.float32), (0, 0), share * max(photo.shape[:2])))


def test_a_card_blurred_past_finding_is_blurry_not_passed():
    """Out of focus, the card's outline and print are no longer found: only scattered print, a
    doubt of "no document". The whole frame, its sharpest edges too, is blurred: a retake for
    blur (it passed, with "no document" as a reviewer's note)."""
    verdict = check_photo(_defocused("id_front", 1009, 0.009), "id_front")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def test_the_same_card_in_focus_passes():
    verdict = check_photo(make_varied_document("id_front", None, 1009), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def test_a_shaken_card_whose_print_reads_not_one_line_is_blurry():
    """A small card back smeared by a moving camera, its outline not found: the frame measures
    blurred only a little past a doubt (most of it is a plain desk), but its strongest edges are
    smeared and not one line of its print reads confidently, however it is looked at. A retake
    (it passed with blur as a reviewer's note)."""
    verdict = check_photo(make_varied_document("id_back", "motion_blur", 1000), "id_back")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics
    assert verdict.metrics["legible_lines"] == 0


_FIELDS = ("Surname: MARTIN", "Given names: ANNA", "Born: 10.01.1985", "Nationality: UTOPIAN",
           "Document no: C4051230", "Expires: 02.03.2031", "Issued: CAPITAL")


def _soft_card(print_size: int) -> bytes:
    """A pale card of seven fields printed `print_size` px high (on an 856 px card), photographed on
    a desk out of focus (a blur of 4 px in the 2000 px photo): edges and print both soft."""
    card = Image.new("RGB", (856, 540), (232, 236, 240))
    draw = ImageDraw.Draw(card)
    for row, field in enumerate(_FIELDS):
        draw.text((50, 40 + row * 65), field, fill=(20, 20, 30), font=_font(print_size))
    return _blurred(make_card_photo(np.asarray(card)[..., ::-1]), 4)


def test_a_soft_photo_of_a_card_whose_print_still_reads_is_not_a_retake_for_blur():
    """Large print read confidently line after line: blurred to the measures (the card and its
    strongest edges, as MIDV-500's legible phone frames were), legible to the reviewer. A note,
    not a retake (a sure retake before)."""
    verdict = check_photo(_soft_card(40), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "blurry" in dict(verdict.notes), verdict.notes
    assert verdict.metrics["edge_blur"] >= 0.2


def test_the_same_soft_photo_of_a_card_in_small_print_is_blurry():
    verdict = check_photo(_soft_card(16), "id_back")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def _card_rows(first: int, last: int) -> bytes:
    """An ID card front cropped to the frame on every side (no outline), keeping only its rows
    `first` to `last` of 540 px."""
    return _encode(render_card("id1", "front", 0).astype(np.float32)[first:last])


@pytest.mark.parametrize(("first", "last"), [(0, 322), (100, 540)], ids=["bottom", "top"])
def test_a_card_cut_through_a_row_of_its_print_is_cut_off(first, last):
    """The frame's edge runs through a row of the card's print, slicing its letters: without an
    outline that is the sure sign a part of the card is missing (both passed before)."""
    verdict = check_photo(_card_rows(first, last), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def test_the_whole_card_cropped_close_over_its_first_row_passes():
    """Cropped 2 px over its title's letters (rows 31-52): they end short of the edge, and
    nothing of the card is missing."""
    verdict = check_photo(_card_rows(29, 540), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert verdict.metrics["rows_sliced"] == 0


@pytest.mark.parametrize("seed", [0, 3])
def test_a_sheet_running_off_the_frame_beside_a_whole_card_is_not_the_card_cut_off(seed):
    """A card with three lines of print and its portrait on a wooden desk, a plain white sheet
    below it running off the frame: the sheet is the largest straight outline, and running off
    the frame it was taken for the card cut off, bare of print ("no document" and "cut off", both
    sure). None of the print lies on it, all of it beside: it is not the document. (Real phone
    frames of MIDV-500 had a patch of desk or clutter round a whole card so taken.)"""
    rng = np.random.default_rng([5, seed])
    scene = np.empty((1200, 1600, 3), np.float32)
    scene[:] = (120, 95, 70)
    cv2.rectangle(scene, (100, 700), (1550, 1250), (232, 232, 228), -1)
    card = cv2.cvtColor(citizen_card(3, 856), cv2.COLOR_BGR2RGB).astype(np.float32)
    corners = np.array([[300, 180], [1000, 180], [1000, 621], [300, 621]], np.float32)
    _paste_warped(scene, card, corners + rng.uniform(-20, 20, (4, 2)).astype(np.float32))
    scene += rng.normal(0, 2.0, scene.shape).astype(np.float32)
    verdict = check_photo(_encode(np.clip(scene, 0, 255)), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)

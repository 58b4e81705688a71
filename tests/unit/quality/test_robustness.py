"""Decisions that must hold on photos real uploads resemble: a white card whose paper the
camera clips, a part of the card taken for the card, and the same photo saved another way."""

from dataclasses import replace

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from kcheck.quality import check_photo, check_upload
from kcheck.quality.check import CLOSER_LONG_SIDE, _no_page_evidence
from kcheck.quality.decode import closer_gray, decode_working
from kcheck.quality.evidence import Searches
from tests.fixtures.documents import _card_scene, _encode, _finish, _font, _portrait, render_card
from tests.fixtures.variety import _make, make_card_photo, make_varied_document


def _page_scan(rows: list[tuple[int, int, str]], paper=(226, 232, 240), ink=(40, 40, 60)) -> bytes:
    """A passport page scanned to its edges (1250 x 880): a portrait, lines of print at
    (x, y) and a two-line MRZ, on `paper` in `ink`, as a JPEG."""
    page = Image.new("RGB", (1250, 880), paper)
    page.paste(_portrait(300, 380, False), (40, 200))
    draw = ImageDraw.Draw(page)
    for x, y, words in rows:
        draw.text((x, y), words, fill=ink, font=_font(34))
    draw.text((40, 700), "P<UTOMUSTER<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<", fill=ink, font=_font(40))
    draw.text((40, 770), "X4051230<8UTO8501017F3012315<<<<<<<<<<<<<<06", fill=ink, font=_font(40))
    bgr = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def test_a_white_card_with_dark_print_is_not_too_bright():
    """A white card in good light: its paper is clipped to white, its print as dark as ink (a
    reviewer reads every field), so being bright is at most a note."""
    verdict = check_photo(make_varied_document("id_back", None, 1006), "id_back")
    assert verdict.metrics["clipped_white_fraction"] >= 0.6  # the paper is white
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("too_bright", 0) <= 0.5


def test_a_white_card_in_print_too_large_for_the_line_finder_is_not_too_bright():
    """A white card back scanned to its edges, four lines of large black print (about 35 px
    high, past the line finder's tallest line): its paper is clipped to white, and its print is
    found by PP-OCR's detector and measured as dark as ink (three real Utopia page variants of
    the robustness bench were sure too bright when no line was found to measure)."""
    card = Image.new("RGB", (1000, 630), (255, 255, 255))
    draw = ImageDraw.Draw(card)
    for i, words in enumerate(["ISSUED 01.02.2020", "AUTHORITY UTO CITY", "HEIGHT 172 CM", "EYES BROWN"]):
        draw.text((60, 60 + i * 130), words, fill=(10, 10, 10), font=_font(48))
    bgr = cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR)
    verdict = check_photo(cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes(), "id_back")
    assert verdict.metrics["clipped_white_fraction"] >= 0.9 and verdict.metrics["brightness_p05"] >= 100
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("too_bright", 0) <= 0.5


def test_a_pale_card_with_thin_print_on_a_dark_desk_is_not_too_bright():
    """A pale card in good light on a dark desk: its paper clipped to white and its thin print
    under 5 % of it (so the card's darkest 5 % is paper), the print itself still dark. The desk
    round it is not lifted, as over-exposure would lift it: bright is at most a note."""
    verdict = check_photo(make_varied_document("id_back", None, 2006), "id_back")
    assert verdict.metrics["brightness_p05"] >= 120  # the card's darkest 5 % is its paper
    assert verdict.metrics["print_ink"] < 90  # ...its print still dark
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("too_bright", 0) <= 0.5


@pytest.mark.parametrize("slot, seed", [("id_back", 1001), ("passport_page", 1001), ("id_back", 0),
                                        ("id_back", 2001)])
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


def test_print_stepping_down_a_whole_page_is_not_cut_off():
    """A page scanned to its edges whose top lines step down to the right (a header, then
    fields further right each line): the box round them tilts and reaches four line heights
    past the frame, but every line stays well inside it (real page scans re-encoded at another
    JPEG quality did this). Without a line of print at the edge that is no sure cut-off."""
    rows = [(380, 30, "NORGE  NOREG  NORGA  NORWAY"), (900, 90, "C4051230"), (980, 150, "MUSTER"),
            (1060, 210, "ANNA")]
    verdict = check_photo(_page_scan(rows), "passport_page")
    assert verdict.metrics["print_past_frame"] >= 1.0  # the box reaches past the frame
    assert verdict.metrics["print_to_edge"] < -1  # the lines stay inside it
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def test_a_white_page_with_dark_grey_print_is_not_too_bright():
    """A white page scanned with its paper clipped to white and its print a dark grey (80): the
    darkest 5 % of the page is over 100, as on good real scans turned a few degrees on a white
    lid (their print 67-73), but the print is still dark, where over-exposed photos lifted theirs
    to 109 and more or wiped it out. A reviewer reads every line: bright is at most a note."""
    fields = ["Surname / Nom: MUSTER", "Given names / Prenoms: ANNA", "Born / Ne le: 10.01.1960",
              "Nationality: UTOPIAN", "Document no: C4051230", "Issued / Delivre: 01.02.2020",
              "Expires / Expire: 01.02.2030", "Authority: UTO CITY"]
    rows = [(380, 40 + 70 * i, words) for i, words in enumerate(fields)]
    verdict = check_photo(_page_scan(rows, paper=(255, 255, 255), ink=(80, 80, 80)), "passport_page")
    assert verdict.metrics["clipped_white_fraction"] >= 0.8
    assert 100 <= verdict.metrics["brightness_p05"] < 120
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("too_bright", 0) <= 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_open_passport_standing_upright_on_a_desk_is_the_data_page(seed):
    """An open passport photographed upright, the page above the data page: its outline is
    flattened lying on its side, so its portrait lies turned a quarter (a real two-page spread
    scan turned 3 degrees on a lid was told "wrong page"). The portrait is found that way."""
    page = render_card("id3", "front", 0)
    upper = np.full_like(page, 232)
    cv2.putText(upper, "VISAS", (500, 440), cv2.FONT_HERSHEY_SIMPLEX, 3, (150, 150, 170), 5)
    verdict = check_photo(make_card_photo(np.vstack([upper, page]), seed), "passport_page")
    assert verdict.metrics["document_area_fraction"] > 0  # known by its outline
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "wrong_document_side" not in dict(verdict.notes)


def _open_passport(data_page: bool) -> bytes:
    """An open passport photographed from above: the page above the data page (white, lines of
    print) on a dark desk, outlined whole; the data page below it lying on a sheet of its own
    colour, so it has no outline of its own. `data_page=False`: the upper page alone."""
    page = render_card("id3", "front", 0)
    height, width = page.shape[:2]
    upper = np.full_like(page, 245)
    for i in range(9):
        cv2.putText(upper, "THIS PAGE IS RESERVED FOR OFFICIAL OBSERVATIONS"[: 30 + 2 * i],
                    (60, 90 + 80 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (60, 60, 90), 3)
    frame = np.full((int(2.25 * height), int(1.3 * width), 3), 60, np.uint8)
    left, top = int(0.15 * width), int(0.08 * height)
    if data_page:
        frame[top + height :] = page[5:40, 5:40].reshape(-1, 3).mean(axis=0)
        frame[top + height + 4 : top + 2 * height + 4, left : left + width] = page
    frame[top : top + height, left : left + width] = upper
    small = cv2.resize(frame, None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA)
    return cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def test_an_open_passport_whose_upper_page_is_outlined_shows_the_data_page_below():
    """The outline found is the page above the data page (the real UK passport held open, scaled
    to 0.6, was told "wrong page"): a confident portrait in the photo beside that page leaves the
    missing portrait on it a doubt."""
    verdict = check_photo(_open_passport(data_page=True), "passport_page")
    assert verdict.metrics["document_area_fraction"] > 0 and verdict.metrics["portrait_faces"] == 0
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


def test_the_upper_page_alone_is_the_wrong_page():
    verdict = check_photo(_open_passport(data_page=False), "passport_page")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def test_a_whole_page_beside_a_paper_running_off_the_frame_is_judged_as_the_page():
    """A passport's other page lying whole on a desk, a striped paper under its corner running
    off the frame's bottom: the page and the paper make an outline running off the frame 1.26
    times the page's. The page's own outline lies on edges all round and that one does not, so
    the page is the document found (not a document cut off, filling the frame), and no portrait
    on it is sure: the wrong page (it passed before, its cut-off a note)."""
    verdict = check_photo(make_varied_document("passport_page", "wrong_side", 4004), "passport_page")
    assert 0.5 < verdict.metrics["document_area_fraction"] < 0.6  # the page, not page and paper
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


def test_a_reflection_clear_of_the_print_is_labelled_usable():
    """The generated reflection lies on the card's plain ground, clear of every line of print (seen:
    every field of variety/id_back/glare/2003 legible): the photo is usable and labelled so."""
    labelled = _make(("id_back", "glare", 2003))
    assert isinstance(labelled, tuple) and labelled[1] == "pass"
    assert labelled[0] == make_varied_document("id_back", "glare", 2003)


@pytest.mark.parametrize("seed", [2001, 2005, 4004])
def test_an_over_exposed_card_whose_print_faded_into_it_is_labelled_a_retake(seed):
    """White print on a dark card the light lifted to a pale one: under a quarter of the card
    clipped, but the print and portrait are barely there (labelled pass before)."""
    assert isinstance(_make(("id_front", "bright", seed)), bytes)


@pytest.mark.parametrize("seed", [1002, 3004])
def test_a_pale_card_whose_print_still_shows_is_labelled_usable(seed):
    labelled = _make(("id_front", "bright", seed))
    assert isinstance(labelled, tuple) and labelled[1] == "pass"


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


@pytest.mark.parametrize("slot, seed", [("passport_page", 1003), ("passport_page", 2001)])
def test_a_white_patch_is_sure_glare_by_its_size_alone_only_where_it_saturates(slot, seed):
    """A reflection over the ends of a page's fields (the line finder found none of the lines it
    cut) is sure glare by its size and the print beside it only where the light saturated the
    sensor (255 at its core). The same patch three levels under that is a near-white part of the
    design as well (a real card back's pale gradient measured 251-253, moving across the clip
    level as the photo was re-encoded): a note for the reviewer."""
    data = make_varied_document(slot, "glare", seed)
    reflection = check_photo(data, slot)
    assert reflection.verdict == "retake" and "glare" in reflection.reasons, reflection.metrics
    assert reflection.metrics["glare_core"] == 255
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    pale = check_photo(cv2.imencode(".png", np.minimum(image, 252))[1].tobytes(), slot)
    assert pale.verdict == "pass", (pale.reasons, pale.metrics)
    assert dict(pale.notes)["glare"] == 0.5


@pytest.mark.parametrize("slot, seed", [("id_front", 1001), ("id_front", 1005), ("id_back", 2003)])
def test_a_large_reflection_clear_of_the_print_is_only_a_note(slot, seed):
    """A lamp's reflection on the card's plain ground, a line or more away from every line of
    print and the portrait (every field legible; labelled pass by the generator), however large,
    hides nothing a reviewer reads: before, its size alone (over 3.5 % of the card) asked for a
    retake."""
    labelled = _make((slot, "glare", seed))
    assert isinstance(labelled, tuple) and labelled[1] == "pass"
    verdict = check_upload(labelled[0], slot)  # as the accuracy bench judges it
    assert verdict.metrics["glare_fraction"] >= 0.035 and verdict.metrics["glare_core"] == 255
    assert verdict.metrics["glare_ink_near"] == 0
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes)["glare"] == 0.5


@pytest.mark.parametrize("slot, seed", [("id_front", 2003), ("id_back", 2000), ("passport_page", 2002)])
def test_a_reflection_with_print_or_the_portrait_up_to_it_is_glare(slot, seed):
    """A saturated reflection on the portrait's edge (id_front), or one of 1-3.5 % of the card
    with lines of print running into it that the line finder did not find (a note before), hides
    part of what a reviewer reads."""
    verdict = check_upload(make_varied_document(slot, "glare", seed), slot)
    assert verdict.metrics["glare_ink_near"] >= 20
    assert verdict.verdict == "retake" and "glare" in verdict.reasons, verdict.metrics


def test_a_white_strip_is_no_lamps_reflection():
    """A saturated patch of 1-3.5 % of the document with print beside it is sure glare only when
    compact: good real scans re-sent turned 3 degrees had white strips along the page's edge
    (boxes 42 x 318 and 12 x 134 px) with print beside them, and were told to retake."""
    from kcheck.quality.check import _compact

    assert _compact((0, 0, 123, 132)) and _compact((0, 0, 186, 157))  # generated reflections
    assert not _compact((10, 232, 42, 318)) and not _compact((469, 132, 12, 134))


def _sparse_front(portrait_blur: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """An ID card's front cropped to its edges, its portrait photo softened by `portrait_blur`
    (a Gaussian sigma, as a printed portrait is soft) and one line of print beside it; and the
    portrait's box (x, y, width, height)."""
    card = render_card("id1", "front", 0).copy()
    height, width = card.shape[:2]
    unit = width / 856
    x, y, w, h = int(40 * unit), int(90 * unit), int(250 * unit), int(316 * unit)
    card[:, x + w + 10 :] = card[5:15, width - 10 :].reshape(-1, 3).mean(axis=0).astype(np.uint8)
    card[y : y + h, x : x + w] = cv2.GaussianBlur(card[y : y + h, x : x + w], (0, 0), portrait_blur)
    page = Image.fromarray(card)
    ImageDraw.Draw(page).text((int(330 * unit), int(120 * unit)), "MUSTER ANNA", fill=(30, 30, 60),
                              font=_font(int(40 * unit)))
    return np.asarray(page), (x, y, w, h)


def test_the_portraits_outline_on_a_card_filling_the_frame_is_not_measured_as_the_card(monkeypatch):
    """A card scan re-encoded lost its card's edge at the frame, and the outline found was its
    portrait photo's, a sixth of the frame (more than a document too small to read covers): the
    soft portrait was measured as the card and told blurred. A face filling the outline makes
    it the portrait at that size too, and the card is measured instead."""
    from kcheck.quality import check as quality_check
    from kcheck.quality.document import NOT_FOUND, with_quad

    card, (x, y, w, h) = _sparse_front(1.0)
    portrait = np.array([[x, y], [x, y + h], [x + w, y + h], [x + w, y]], np.float32)  # long side first

    def portrait_outline(gray, aspects):
        return with_quad(NOT_FOUND, portrait * gray.shape[1] / card.shape[1], gray.shape)

    monkeypatch.setattr(quality_check, "find_document", portrait_outline)
    bgr = cv2.cvtColor(card, cv2.COLOR_RGB2BGR)
    verdict = check_photo(cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes(), "id_front")
    assert verdict.metrics["document_area_fraction"] > 0.1  # the outline found: the portrait's
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert dict(verdict.notes).get("blurry", 0) <= 0.5


def _soft_phone_photo(variant: int, sigma: float) -> bytes:
    """A phone photo (1080 x 1920) of an ID card front 0.6 of the frame wide, focused softly:
    the whole frame blurred by `sigma` pixels (1.3: every field still legible at this size)."""
    rng = np.random.default_rng(variant)
    scene, _corners = _card_scene((1080, 1920), render_card("id1", "front", variant), 0.6, rng)
    return _encode(cv2.GaussianBlur(_finish(scene, rng, 1920), (0, 0), sigma))


@pytest.mark.parametrize("variant", [0, 2, 3])
def test_a_soft_card_legible_at_the_photos_own_size_is_not_blurry(variant):
    """Soft focus on a card a reviewer reads at the photo's own size is no reason to retake,
    though at working size (half of it) its print is too small to read: legibility is read on
    the photo decoded again, as large as CLOSER_LONG_SIDE (the previous code read the working
    size and sent all three back as blurry). Real MIDV-500 frames of cards a third of the frame
    wide were so."""
    verdict = check_photo(_soft_phone_photo(variant, 1.3), "id_front")
    assert verdict.metrics["edge_blur"] >= 0.2  # soft enough to be looked at twice
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


@pytest.mark.parametrize("variant", [0, 2, 3])
def test_the_same_card_blurred_past_reading_is_blurry(variant):
    verdict = check_photo(_soft_phone_photo(variant, 3.5), "id_front")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def test_a_closer_look_at_bytes_that_no_longer_decode_is_no_look():
    """The closer look decodes the photo's bytes a second time; should that fail, the check keeps
    what it read at working size instead of failing the upload."""
    image = decode_working(_soft_phone_photo(0, 1.3))
    gray, factor = closer_gray(image, CLOSER_LONG_SIDE)
    assert max(gray.shape) == 1920 and factor == 2.0  # the photo as sent, twice the working size
    assert closer_gray(replace(image, data=image.data[:600]), CLOSER_LONG_SIDE) is None


def test_a_card_turned_a_quarter_and_cut_through_its_fields_is_still_cut_off():
    """A card lying on its side, its lines running up the frame, cut by the frame's bottom edge:
    known by its portrait turned a quarter and the print beside it, four of its lines cut by the
    edge. (Counting only PP-OCR's lines beside an upright face, as 9835af6 did, found none.)"""
    verdict = check_photo(make_varied_document("id_front", "cut_off", 2005), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics


def _sheet(portrait: bool = False, mrz: bool = False) -> np.ndarray:
    """A grey photo of a sheet of paper with three rows of a form's labels, and,
    where asked, a portrait photo on it or the two lines of a passport's MRZ."""
    page = Image.new("RGB", (1100, 1450), (238, 236, 230))
    draw = ImageDraw.Draw(page)
    for i, fields in enumerate((("Surname", "Given names", "Date"), ("Street", "Number", "Town"),
                                ("Telephone", "E-mail", "Signature"))):
        for j, label in enumerate(fields):  # a row of labels, each over its blank column
            draw.text((80 + 330 * j, 150 + i * 250), label, fill=(25, 25, 25), font=_font(36))
    if portrait:
        page.paste(_portrait(300, 380, False), (700, 800))
    if mrz:
        for y, line in ((1250, "P<UTOMUSTER<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<"),
                        (1320, "X4051230<8UTO8501017F3012315<<<<<<<<<<<<<<06")):
            draw.text((40, y), line, fill=(25, 25, 25), font=_font(40))
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2GRAY)


def test_print_with_neither_a_portrait_nor_an_mrz_shows_no_data_page():
    """A passport's data page always carries a portrait and an MRZ: print without either (a form
    on a desk, whose print is too scattered to outline a page) is sure to be no data page, while
    either of them leaves it one."""
    assert _no_page_evidence(Searches(_sheet()))
    assert not _no_page_evidence(Searches(_sheet(portrait=True)))
    assert not _no_page_evidence(Searches(_sheet(mrz=True)))

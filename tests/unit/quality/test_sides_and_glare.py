"""The side of a card told by what each side carries (a front its identity portrait, a back its
MRZ or barcode), a reflection on a card known by scattered evidence or across a white card's
MRZ, and a small but legible card scan checked rather than refused."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from kcheck.quality import check_photo, check_upload
from kcheck.quality.evidence import Searches, lines_faded_into_glare, lines_fading_into
from kcheck.quality.measures import GLARE_LEVEL
from tests.fixtures.cropped_scans import bold_card_front
from tests.fixtures.documents import render_card
from tests.fixtures.variety import make_card_photo, make_varied_document, render_licence_back


def _jpeg(rgb: np.ndarray, quality: int = 90) -> bytes:
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def _with_reflection(data: bytes, x: float, y: float, radius: float) -> bytes:
    """A lamp's reflection on the photo: a hard white core fading out over about one radius
    (`radius` x the short side), centred at (x, y) as shares of the frame."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).astype(np.float32)
    height, width = image.shape[:2]
    sigma = radius * min(height, width)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    light = np.clip(2.5 * np.exp(-((xx - x * width) ** 2 + (yy - y * height) ** 2) / (2 * sigma**2)), 0, 1)
    lit = image * (1 - light[..., None]) + 255.0 * light[..., None]
    return _jpeg(cv2.cvtColor(np.clip(lit, 0, 255).astype(np.uint8), cv2.COLOR_BGR2RGB), 92)


@pytest.mark.parametrize("seed", [0, 2])
def test_a_licence_back_cropped_to_the_card_for_the_front_is_the_wrong_side(seed):
    """No face at all and a licence back's barcode: the back, sent for the front (a real US
    licence back sample passed with only a doubt)."""
    back = _jpeg(render_licence_back(np.random.default_rng(seed)))
    verdict = check_photo(back, "id_front")
    assert verdict.verdict == "retake" and verdict.reasons == ("wrong_document_side",), verdict.metrics
    assert check_photo(back, "id_back").verdict == "pass"  # in its own slot it is fine


@pytest.mark.parametrize("variant", [0, 1])
def test_a_document_with_a_two_line_mrz_beside_its_portrait_for_the_back_is_the_front(variant):
    """A two-line MRZ does not show a card's back (a Romanian identity card prints it on the
    front, beside the portrait): the portrait is still looked for, and found."""
    page = _jpeg(render_card("id3", "front", variant))
    verdict = check_photo(page, "id_back")
    assert verdict.verdict == "retake" and "wrong_document_side" in verdict.reasons, verdict.metrics


@pytest.mark.parametrize("variant", [0, 1])
def test_a_card_front_cropped_to_the_card_still_passes_in_the_front_slot(variant):
    verdict = check_photo(_jpeg(render_card("id1", "front", variant)), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)


@pytest.mark.parametrize(("x", "y", "radius"), [(0.5, 0.5, 0.08), (0.6, 0.4, 0.1)])
def test_a_reflection_on_a_card_known_only_by_scattered_evidence_is_glare(x, y, radius):
    """A card scanned to the frame whose print the line finder misses (large bold print on a
    guilloche) is known by its portrait and print found loosely, not by an outline: a saturated
    reflection over its print is still sure glare (real card backs known this way passed with a
    lamp over their address or text), where the same scan without it passes."""
    card = bold_card_front()
    assert check_photo(card, "id_front").verdict == "pass"
    verdict = check_photo(_with_reflection(card, x, y, radius), "id_front")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics


def _white_back(variant: int) -> np.ndarray:
    """A card back on white paper (clipped to 255 round its print, as a render or a bright scan)."""
    card = render_card("id1", "back", variant).copy()
    card[card.min(axis=2) > 150] = 255
    return card


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_a_reflection_across_the_mrz_of_a_white_card_is_glare(variant):
    """On a white card the reflection merges with the paper (no patch of its own), but the MRZ's
    lines are broken by it, their characters fading into it on both sides (real German and
    Colombian backs with a lamp over their zone passed); the same card without it passes."""
    card = _jpeg(_white_back(variant))
    assert check_photo(card, "id_back").verdict == "pass"
    verdict = check_photo(_with_reflection(card, 0.45, 0.82, 0.08), "id_back")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics
    assert verdict.metrics["lines_faded_into_glare"] >= 2


def test_two_columns_of_print_on_white_paper_are_no_reflection():
    """Field names and values in two columns: the clipped paper between them breaks each line
    as a reflection would, but the letters beside it are as dark as the others."""
    page = Image.new("RGB", (1000, 420), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(30)
    for row, (name, value) in enumerate([("Height", "1.72 m"), ("Eyes", "GREEN"), ("Issued", "01.03.2021"),
                                         ("Authority", "BERN BE"), ("Place", "LUZERN")]):
        draw.text((40, 40 + 70 * row), name, fill=(20, 20, 40), font=font)
        draw.text((520, 40 + 70 * row), value, fill=(20, 20, 40), font=font)
    image = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    assert lines_faded_into_glare(Searches(gray), image.min(axis=2)) == 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_round_reflection_over_a_licence_backs_barcode_is_glare(seed):
    """A licence back with only its barcodes: a lamp's round reflection over the linear barcode
    hides its data as one over print would (a real Ontario back with a reflection over its
    barcodes passed); the same back without it passes."""
    back = _jpeg(render_licence_back(np.random.default_rng(seed), words=False))
    assert check_photo(back, "id_back").verdict == "pass"
    verdict = check_photo(_with_reflection(back, 0.6, 0.13, 0.06), "id_back")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics


@pytest.mark.parametrize(("slot", "seed"), [("id_back", 3005), ("id_back", 2001), ("passport_page", 3000)])
def test_a_round_reflection_whose_edge_print_bites_into_is_glare(slot, seed):
    """A lamp's reflection over the MRZ or the fields: the characters half wiped out at its edge
    make its outline ragged, but its convex hull stays round (these passed, glare_fraction 0)."""
    verdict = check_upload(make_varied_document(slot, "glare", seed), slot)
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics


def test_a_reflection_on_a_dark_card_whose_light_spreads_is_glare():
    """On a dark card the ring round a reflection stays under 200 grey levels more often: one whose
    light visibly spreads counts with less of that halo (variety id_front/glare/3005 passed)."""
    verdict = check_upload(make_varied_document("id_front", "glare", 3005), "id_front")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics


@pytest.mark.parametrize(("slot", "seed"), [("id_front", 1001), ("id_back", 3001)])
def test_a_reflection_clear_of_the_print_still_passes(slot, seed):
    """Reflections the generator labels pass (clear of the print, every field legible)."""
    assert check_upload(make_varied_document(slot, "glare", seed), slot).verdict == "pass"


def _washed_out_card(peak: int) -> bytes:
    """A pale mauve card photographed with its top right corner washed out toward `peak` in every
    channel (a phone's exposure on a pale card, not a lamp's reflection), its print running across
    the washed-out paper."""
    yy, xx = np.mgrid[0:540, 0:856].astype(np.float32)
    light = np.clip(1 - np.hypot(xx - 856, yy) / 500, 0, 1)[..., None] ** 0.7
    pale = np.float32([230, 206, 214])
    card = Image.fromarray(np.clip(pale + (peak - pale) * light * 1.6, 0, peak).astype(np.uint8))
    draw = ImageDraw.Draw(card)
    fields = ("Surname: MARTIN", "Given names: ANNA", "Born: 10.01.1985", "Nationality: UTOPIAN",
              "Document no: C4051230", "Expires: 02.03.2031", "Issued: CAPITAL")
    font = ImageFont.load_default(30)
    for row, field in enumerate(fields):
        draw.text((50 + row % 2 * 350, 40 + row * 65), field, fill=(60, 30, 40), font=font)
    return make_card_photo(cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR))


def test_print_across_a_pale_cards_washed_out_corner_is_no_sure_reflection():
    """Near white but short of saturating the sensor (a MIDV-500 licence washed out so measured
    252): print running into it is pale paper, not print a reflection wiped out. A note, not a
    retake (a sure retake before)."""
    verdict = check_photo(_washed_out_card(252), "id_back")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "glare" in dict(verdict.notes), verdict.notes
    assert verdict.metrics["glare_core"] < 254


def test_a_small_card_scan_whose_print_is_legible_is_checked_not_refused():
    """358 x 226 px (a real Serbian specimen at 358 x 224 was refused as too small, its print
    legible): its lines of print are 7.5 px high, so it passes, with a note for the reviewer."""
    front = render_card("id1", "front", 0)
    size = (358, round(358 * front.shape[0] / front.shape[1]))
    small = cv2.resize(front, size, interpolation=cv2.INTER_AREA)
    verdict = check_upload(_jpeg(small), "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert "low_resolution" in dict(verdict.notes)



def _fields_by_a_reflection(wiped: bool) -> tuple[Searches, tuple[int, int, int, int]]:
    """Five fields of print on a pale card and a lamp's reflection: `wiped`, one over the middle
    of the lines whose light fades out over about its radius (the letters fading into it), else
    a clipped disc with a hard edge just past the ends of shorter lines; and the box of the
    clipped patch."""
    page = Image.new("RGB", (1000, 520), (226, 232, 240))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(30)
    fields = ["DATE OF BIRTH 08.10.1975", "PLACE OF BIRTH RICANY", "NATIONALITY CZE", "ISSUED 10.01.2012",
              "AUTHORITY PRAHA"]
    for row, text in enumerate(fields):
        draw.text((40, 60 + 80 * row), f"{text} {text}" if wiped else text, fill=(20, 20, 40), font=font)
    image = np.asarray(page).astype(np.float32)
    yy, xx = np.mgrid[0:520, 0:1000].astype(np.float32)
    if wiped:
        light = np.clip(2.5 * np.exp(-(np.hypot(xx - 560, yy - 230) ** 2) / (2 * 90.0**2)), 0, 1)
    else:
        light = (np.hypot(xx - 600, yy - 230) < 150) * 1.0
    lit = np.clip(image * (1 - light[..., None]) + 255.0 * light[..., None], 0, 255).astype(np.uint8)
    box = cv2.boundingRect(cv2.inRange(lit.min(axis=2), GLARE_LEVEL, 255))
    return Searches(cv2.cvtColor(lit, cv2.COLOR_RGB2GRAY)), box


def test_lines_fading_out_into_a_reflection_are_print_it_wiped():
    """A real Czech front with a lamp over its birth date and place passed: the first look's lines
    stopped short of the clipped core, its light faded the letters out well past it."""
    searches, box = _fields_by_a_reflection(wiped=True)
    assert lines_fading_into(searches, box) >= 2


def test_lines_ending_beside_a_hard_edged_reflection_keep_their_ink():
    searches, box = _fields_by_a_reflection(wiped=False)
    assert lines_fading_into(searches, box) == 0


def test_a_back_on_its_side_beside_its_print_for_the_front_is_the_wrong_side():
    """A card back lying on its side on a busy desk: no outline, its print found beside the MRZ
    (not around it), the MRZ found turned a quarter. Lines of an ID card's MRZ length in separate
    characters are its band though they lie off that print (it passed the front slot with only a
    doubt); in its own slot it passes."""
    back = make_varied_document("id_front", "wrong_side", 2002)
    verdict = check_photo(back, "id_front")
    assert verdict.verdict == "retake" and verdict.reasons == ("wrong_document_side",), verdict.metrics
    assert check_photo(back, "id_back").verdict == "pass"


@pytest.mark.parametrize("variant", [0, 1, 2])
@pytest.mark.parametrize(("x", "y", "radius"), [(0.5, 0.85, 0.2), (0.45, 0.8, 0.22)])
def test_a_reflection_over_the_zone_reaching_the_cards_edge_is_glare(variant, x, y, radius):
    """A lamp's light over a card back's MRZ, so large that it reaches the card's bottom edge,
    runs off the region looked at: it is still a reflection the edge cuts, not white background
    (the real Bosnian, Estonian and Luxembourg specimen backs with one passed)."""
    card = _jpeg(render_card("id1", "back", variant))
    assert check_photo(card, "id_back").verdict == "pass"
    verdict = check_photo(_with_reflection(card, x, y, radius), "id_back")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_the_paper_between_both_sides_of_a_card_on_one_scan_is_no_reflection(variant):
    """Both sides scanned on one white page: the paper between them runs across the frame, from
    edge to edge. No glare note for the reviewer, in either slot."""
    front, back = render_card("id1", "front", variant), render_card("id1", "back", variant)
    height, width = back.shape[:2]
    gap = int(0.3 * height)
    page = np.full((2 * height + gap, width, 3), 255, np.uint8)
    page[:height], page[height + gap :] = front, back
    for slot in ("id_front", "id_back"):
        verdict = check_photo(_jpeg(page), slot)
        assert verdict.verdict == "pass" and "glare" not in dict(verdict.notes), (slot, verdict.notes)


@pytest.mark.parametrize("variant", [0, 1, 2])
@pytest.mark.parametrize("radius", [0.14, 0.17])
def test_a_reflection_merging_with_the_white_round_a_card_filling_the_frame_is_glare(variant, radius):
    """A card back scanned on white, filling most of the frame, with a lamp's light over its MRZ
    reaching its bottom edge: over the whole frame the light merges with the white round the card,
    so it is looked for on the card alone too (the real Belgian back scanned so passed)."""
    card = render_card("id1", "back", variant)
    height, width = card.shape[:2]
    margin = int(0.06 * width)
    page = np.full((height + 2 * margin, width + 2 * margin, 3), 255, np.uint8)
    page[margin : margin + height, margin : margin + width] = card
    scan = _jpeg(page)
    assert check_photo(scan, "id_back").verdict == "pass"
    verdict = check_photo(_with_reflection(scan, 0.5, 0.8, radius), "id_back")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics


def _pale_back_in_white_rim(variant: int) -> bytes:
    """A card back on a pale lavender ground (not white: under WHITE_PAGE clipped), scanned with
    the card's white rim round it."""
    card = render_card("id1", "back", variant).copy()
    pale = card.min(axis=2) > 150
    card[pale] = (0.3 * card[pale] + 0.7 * np.array([236, 232, 242])).astype(np.uint8)
    height, width = card.shape[:2]
    rim = 10
    page = np.full((height + 2 * rim, width + 2 * rim, 3), 255, np.uint8)
    page[rim : rim + height, rim : rim + width] = card
    return _jpeg(page)


@pytest.mark.parametrize("variant", [0, 1, 2])
@pytest.mark.parametrize(("x", "y", "radius"), [(0.5, 0.85, 0.2), (0.45, 0.8, 0.25)])
def test_a_reflection_over_a_pale_cards_mrz_merging_with_its_white_rim_is_glare(variant, x, y, radius):
    """The light over the MRZ reaches the card's white rim and merges with it, so no patch of its
    own is found; the MRZ's lines broken by it, their characters fading into it, still show it
    (a real Swedish back with a reflection over its zone, 41 % clipped, passed). 42aced3's check
    passed all six: it looked for such lines on white documents only."""
    card = _pale_back_in_white_rim(variant)
    assert check_photo(card, "id_back").verdict == "pass"
    verdict = check_photo(_with_reflection(card, x, y, radius), "id_back")
    assert verdict.verdict == "retake" and verdict.reasons == ("glare",), verdict.metrics
    assert verdict.metrics["lines_faded_into_glare"] >= 2

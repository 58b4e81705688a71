"""check_photo: decode at working size, measure, and grade each reason by how sure it is.

Every case is decided by a person, so a reason asks for a retake only when the check is
sure the photo is unusable (confidence >= the retake threshold); a doubt is passed on to
the reviewer as a note. Confidences come from `graded`: 0 on the good side of a doubt
point, rising from NOTE_FLOOR at the doubt point to 1 at the point where no usable photo
was seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

import cv2
import numpy as np

from kcheck.docintel import mrz_ocr, mrz_zone
from kcheck.quality import evidence, measures
from kcheck.quality.decode import WorkingImage, closer_gray, decode_working
from kcheck.quality.document import (
    ASPECT_TOLERANCE,
    FLAT_WIDTH,
    ID1_ASPECT,
    ID3_ASPECT,
    NOT_FOUND,
    DocumentFinding,
    find_document,
    flatten,
    frame_contact,
    order_corners,
    quad_aspect,
    quad_mask,
    side_lengths,
    with_quad,
)
from kcheck.quality.evidence import (
    MIN_LINES,
    TEXT_LONG_SIDES,
    TextEvidence,
    find_text,
    lettered,
    lines_inside,
    lines_within,
    print_lines,
)
from kcheck.quality.faces import WEAKEST, WINDOW, Face, detect_faces, faces_on_document, load_detector
from kcheck.quality.formats import ImageRejected
from kcheck.quality.other_cards import other_card
from kcheck.quality.verdict import DEFAULT_RETAKE_CONFIDENCE, SLOTS, QualityVerdict

NOTE_FLOOR = 0.3  # the confidence of a reason right at its doubt point

# (doubt, sure) points of each measurement, calibrated on the real calibration split and
# the synthetic sets at the working size (decode.py).
DOCUMENT_BLUR = (0.3, 0.37)  # blur_score of the document (0 sharp .. 1 blurred)
# ...measured on the lines of print alone (no outline found), which read as softer
PRINT_BLUR = (0.34, 0.45)
# ...and over the whole frame where no document was found but some print was: a card blurred
# past finding (real cards given a blur of 0.6 % of the long side or shaken by 4.5 % of it
# measured 0.47-0.76, their edges 0.63-0.89) is blurry, not missing. Good real photos that find no
# document measured 0.29 at most, their strongest edges 0.13. (A frame with no print at all, a
# blank wall, is no document, not blurred.)
FRAME_BLUR = (0.4, 0.46)
# Camera shake, over a frame the document fills (a moving camera smears everything in it): how
# much blurrier its worst direction is than the one across it (measures.shake). Over the whole
# frame good real photos and scans measured 0.09 at most, real pages shaken by 31 and more
# pixels 0.18 and 0.37 (a card on a desk of soft wood grain 0.25, hence only a filled frame).
SHAKE = (0.1, 0.16)
# A blurred document is sure only where its strongest edges (the top EDGE_SHARE % of steps between
# neighbours on the flattened document: print, the portrait's outline) are smeared too: their
# blur_score at least EDGE_BLUR. A card printed with a soft pattern (broad pale stripes) reads as
# blurred over the whole card though its print is sharp (variety id_front/bright/1002: 0.371 over
# the card, 0.15 on its edges). Sharp generated fronts measured 0.15-0.19 on their edges; blurred
# and shaken cards 0.22-0.79 (synthetic id_back/motion_blur/4 0.221, variety fronts and backs with
# large print 0.31-0.34, at 0.4 they passed). A thin margin: the rule only spares a card whose
# edges are as sharp as a sharp card's.
EDGE_SHARE = 3
EDGE_BLUR = 0.2
# ...and is sure only where its print cannot be read (evidence.legible_lines) in the photo decoded
# again up to this long side: a card a third of a 1080 x 1920 phone frame wide has print about
# 8 px high at working size, too small to read however sharp, and 17 px in the photo as sent.
CLOSER_LONG_SIDE = 2000
# ...and, known by its print alone (no outline), sure whatever its blur_score once not one line
# of the photo reads confidently there, its strongest edges smeared (EDGE_BLUR): a small card
# shaken on a plain desk, the frame measured only a little past a doubt (variety
# id_back/motion_blur/1000: 0.66, 0 lines read).
ILLEGIBLE_BLUR = 0.85
SHAKE_WORST = 0.4  # ...sure only where the worst direction is that blurred (good photos: 0.3)
SHAKE_FRAME_SHARE = 0.6  # ...measured only where the document fills this much of the frame
FACE_BLUR = (0.5, 0.62)  # blur_score of the selfie face at 96 px
DARK_P50 = (60, 35)  # median brightness of the document or face
DARK_P95 = (90, 60)  # ...or its brightest 5 %
BRIGHT_CLIPPED = (0.3, 0.6)  # share of the region clipped to white
# Print still as dark as ink (the darkest 5 % of its lines): the light did not lift it, so paper
# clipped to white round it is a white card or page, not an over-exposed photo. A white card in
# good light measured 37; over-exposed cards 66 and more (their ink lifted with the paper).
INK_LEVEL = 50
# The darkest 5 % of the document under DARK_PRINT with its lines of print darker than LIFTED_INK:
# the print still shows dark, so clipped paper is pale, not sure over-exposed. Good real scans
# measured up to 88 (114 turned 3 degrees on a white lid, their print 67-73); over-exposed photos
# and a reflection over a white card 124 and more (print 57 on that card, 109+ or none left on
# the others).
DARK_PRINT = 120
LIFTED_INK = 90
# ...or the frame round the document (this share of it at least) has its darkest 5 % under
# DARK_PRINT: the light did not lift the desk. A pale card with thin print on a dark desk
# (variety id_back/good/2006: print 74, its darkest 5 % 160, the desk 89) was sure too bright;
# over-exposed generated photos lift the whole frame's darkest 5 % to 151 and more.
SURROUNDINGS_SHARE = 0.3
INK_SHARE = 5  # percent
GLARE = (0.01, 0.035)  # largest specular reflection, as a share of the document
# A sure reflection (by its size, or with print running into it) has a saturated core
# (measures.patch_core): real and generated reflections 255 at every JPEG quality, scale and
# gamma; the near-white design of a real card back (a pale gradient) 251-253, across
# GLARE_LEVEL as the photo is re-encoded, and a pale card washed out by a phone's exposure
# (MIDV-500 hrv-licence 26-02, print running into its pale corner) 252.
SATURATED = 254
GLARE_OVER_PRINT = 0.9  # a reflection of at least GLARE's doubt size that lines of print run into
# A reflection sure by its size alone hides print only with ink (print, the portrait's edges)
# within this many line heights of its clipped patch (the generator's label rule: clipped pixels
# within 0.05 card widths of print, about a line and its spacing). Generated reflections the
# label calls a retake had 25-44 pixels of ink there, those on a plain ground 0.
GLARE_PRINT_REACH = 1.5
# ...or with this many of PP-OCR's lines fading out into its side (evidence.lines_fading_into):
# a real Czech front with a reflection over its birth date and place, 5 lines at 50-68 and no
# ink within 1.5 lines of the clipped core (its light fades the print well past it); generated
# reflections the label calls usable, none.
FADING_LINES = 2
# ...and one of GLARE's doubt size (1-3.5 %) is sure that way only if compact: real good scans
# re-sent turned 3 degrees or at gamma 1.25 (robustness bench: ind-passport-scan,
# usa-mi-dl-sample-render) had white strips of 1.2-1.6 % along the page's edge, 7-11 times longer
# than wide, with print beside them; the generated reflections are round (box 1.0-1.3).
GLARE_COMPACT = 3.0
# A clipped patch filling less of its convex hull than this is white print threaded with ink (a
# stamp over a white field), not sure to be a reflection: generated reflections over print filled
# 0.78-1.0 of theirs, real ones 0.95-0.99, the white of a real passport's design 0.62-0.69.
GLARE_HULL_FILL = 0.72
WHITE_PAGE = 0.5  # share of the document clipped to white: a white page (scan), glare unsure
DOCUMENT_AREA = (0.1, 0.065)  # share of the frame the document covers
# Height of a line of text in original pixels (legibility). Sure only below 5 px: a card 318 px
# across in a 600 x 800 photo, its fields 6.8-7 px high, is still read by a reviewer who zooms in
# (generated variety draws), and no real calibration photo to retake for its resolution measured
# between 5 and 8 px (those too small to read were refused as files; the smallest good page: 8.0).
TEXT_HEIGHT = (11.0, 5.0)
# ...of the lines of letters at this percentile: a page's small field captions (half its lines on
# a passport page) are not what a reviewer reads, its fields are. At the median, a legible page
# of 600 px re-encoded measured 8.0 then 6.4 px (its captions) and was sure too small to read.
PRINT_HEIGHT_SHARE = 75
# How far the box around the lines of print reaches past the frame, in line heights: a good
# photo's reached 0.64 (a short first line beside a long last one), cut ones 1.0 to 4.2.
PRINT_PAST_FRAME = (0.7, 1.0)
# ...sure only where a line of print itself comes this close to the edge (line heights: 0 at it,
# negative inside) or runs into it: a stray mark at an angle tilts the box round the print (real
# page scans re-encoded at JPEG 60-95 reached 1.1-4.1 with their nearest line 0.8-1.5 inside the
# frame; the generated cut-off cards' lines reach -0.0 to 0.98, every one touching the edge).
# Only lines made of letters count (evidence.lettered): good photos re-sent (JPEG 60, gamma,
# perspective, downscaled, mixed) had a 3-6 px strip or a rule at the edge, no letters, at -0.0
# to 0.34 (10 variants of 5 real photos).
PRINT_TO_EDGE = -0.25
# How far the MRZ band reaches past the frame, in its line heights (evidence.zone_beyond_frame):
# a band ending at the edge reaches 1.0; generated good photos' reached at most 0.13, cut ones
# 1.0 to 2.3, but real good photos reach 1.04-1.12 (a card scan cropped tight to its print, a
# page's text running off a phone photo taken for a band): only reaching well past is sure.
MRZ_PAST_FRAME = (1.0, 1.4)
# ...reaching it at least that far with two of its lines of print running into the edge, its
# characters cut (evidence.zone_lines_cut): sure, however little the band reaches past.
BAND_LINES_CUT = 2
BAND_CUT = 0.9
# Room between a passport page's portrait and the frame's edge on its chin side, in face heights,
# where no MRZ band was found (_room_under_portrait): under this the frame cut the band away, as it
# lies under the portrait. Good real pages measured 0.96 and more (1.96 and more where no band was
# found), good generated ones 1.41 (1.76 without a band); pages cut under the portrait 0.62-1.06.
PORTRAIT_ROOM = 1.2
# Room the frame leaves for the document beyond its MRZ band, in the band's lengths (evidence.
# room_beyond_band): whole real cards and pages scanned measured 0.55 (a TD1 back) to 0.7, those
# whose upper 35-40 % the frame cut away 0.3 and 0.42. Measured only without a whole outline: a
# card photographed at a slant is shorter across its band, but its outline is in the frame.
BAND_ROOM = 0.45
# Characters on a line of the MRZ of the slot's document (the shortest of its formats: an ID
# card's back carries TD1's 30 or TD2's 36, a passport page TD3's 44)
MRZ_CHARACTERS = {"id_back": 30, "passport_page": 44}
# A document's outline running off the frame with a line of its print cut by the edge (its ink
# up to the edge: evidence.sliced_lines): sure, however much of the frame it fills. Good scans
# and close-ups cropped to the card had none; cut cards one or two.
SLICED_CUT = 0.9
SLICED_HELD = 2  # ...or that many lines beside a portrait cut so, on a card known by the two alone
# ...or a row of its print lying along the frame's edge with its letters sliced by it
# (evidence.rows_sliced_by_edge), without a whole outline: real cards cut at the top or bottom
# through a row had one; no good photo of the calibration split, the synthetic set or variety
# seeds 1000-3000 had any.
ROWS_SLICED = 1
# An outline that touches the frame along less than this share of its short side only grazes it
# with a corner (a page turned 3 degrees in a frame it nearly fills, its white MRZ strip taken for
# the document): without print running into the edge, cut off is a doubt (robustness bench: 8
# good variants of 3 real pages turned or downscaled met the frame along 0-0.02 of it).
GRAZING_CONTACT = 0.1
STACKED_PRINT = 3  # lines of print (letters), stacked: without an outline, "no document" is a doubt
FAINT_CARD_LINES = 2  # lines of print (letters) on a faint whole outline: the document
MRZ_SPAN = 0.75  # an MRZ line runs across at least this share of the document's width
# The longest stretch without ink along an MRZ line, in its strip's heights (evidence.
# longest_blank): real passport MRZ lines measured 0.58-1.08, two lines of print on a licence's
# back taken for a band 6.5 and 8.9 (and an MRZ half wiped out by a reflection 5.8).
MRZ_BLANK = 3.0
# Marks of ink along a line of an ID card's MRZ (30 characters: 30 to 32 were counted on the
# generated backs); the longest line of a front's print (29 characters) made 23.
CARD_MRZ_GLYPHS = 26
FLAT_MRZ_SPAN = 0.8  # ...of the flattened card's width (a front's print zone reached 0.74)
LEGIBLE_DOCUMENT_WIDTH = 1000  # original pixels across a document: its print is legible
SHORT_SIDE = (480, 240)  # without text to measure, the photo's short side
# The photo's long side: a document cropped to the frame has no more pixels than this, and
# below about 300 no document's small print is legible (real scans of 380 px still are).
LONG_SIDE = (380, 300)
SMALL_PHOTO = 720  # a short side below this is worth a note to the reviewer, never a retake
FACE_WIDTH = (0.18, 0.1)  # selfie face width as a share of the photo's short side
COMPARABLE_FACE_PX = 120  # a face this wide (original pixels) has detail a reviewer compares
SECOND_FACE_RATIO = 0.5  # a second face at least this wide (vs the first) is a 2nd person
# ...and sure by its detector score (a doubt from the first, sure, 0.8, from about 0.27): second
# people in real calibration selfies scored 0.36-2.47, weak detections on a generated suit's
# badges 0.08 and 0.16 (sure before, at 0.2), and a re-encode moves a score by up to 0.15.
SECOND_FACE_SCORE = (-0.3, 0.5)
PORTRAIT_MIN_WIDTH = 0.16  # portrait face width as a share of the flattened document
PORTRAIT_IN_FRAME = 0.1  # ...or of the photo's long side, where only the print was found
# ...or, looking for a card's portrait beside its print where neither outline nor print was found
# (_print_by_portrait): a card held across a phone held upright is no wider than the frame's short
# side, and its portrait's face measured 0.069 of the long side on a real one (MIDV-500 aut-id
# 04-03), found weakly or not at all at 0.1 in 8 of its 15 robustness variants.
HELD_PORTRAIT = 0.075
# ...and only lines of print at least this share of that face's height count as the card's: a
# card's smallest print (1.5 mm) is about 0.08 of its portrait's face. Round a presenter's face on
# a television still the loose line search found 10 "lines" of 0.02-0.055 of it (the screen's
# seams, a huge title's strokes), which made a document seem shown.
CARD_PRINT_SCALE = 0.08
# A portrait's face on a document scanned or cropped to the frame, as a share of the frame's long
# side: real ID cards' measured 0.13 (a US resident card) to 0.23, a passport page's 0.155. (A
# health insurance card's portrait, 0.131 on a carte Vitale, is no smaller: its words tell it.)
CROPPED_PORTRAIT_MIN_WIDTH = 0.12
# A face at least this wide for a small outline's long side fills it: the outline is a portrait
# photo (about 0.45 for an ID photo), not a card (whose portrait's face is 0.15-0.2 of it).
PORTRAIT_OUTLINE = 0.3
# An outline covering less of the frame than this may be such a portrait photo: on a card
# filling the frame its portrait covers 0.1-0.2 of it (an ID card's 35 x 45 mm photo is a third
# of the card). Real card scans re-encoded lost their card's edge at the frame and found their
# portrait's outline (0.10 and 0.17 of the frame), then measured it, soft, as the card: blurred.
PORTRAIT_PHOTO_AREA = 0.35
# ...when shaped more like an identity photo (45 x 35 mm) than like the slot's document (the
# geometric mean of the two aspects parts them): those portraits' outlines measured 1.31 and
# 1.41, a generated card a seventh of its frame 1.64 (a weak "face" on it filled its outline).
PHOTO_ASPECT = 45 / 35
# A weak face scoring at least this may be a portrait the detector is unsure of: the portrait
# of a real old resident card scored -0.14 to 0.01 across JPEG qualities 60-95.
PORTRAIT_DOUBT_SCORE = -0.25
# An ID card's back carries TD1's three-line MRZ; a two-line one (TD2) may be on the front, beside
# the portrait (a Romanian identity card), so it does not spare the portrait search.
CARD_BACK_MRZ_LINES = 3
# In the front slot, no face at all and a licence back's barcode (a strip of bars): the back.
BACK_BY_BARCODE = 0.9
MRZ_BACK_DOUBT = 0.5  # an MRZ with such a face clear of it: maybe the back, maybe a front
# In the front slot, a frame of the card's shape (a scan cropped to the card) without a face that
# may be a portrait (PORTRAIT_DOUBT_SCORE) in it, looked for both ways up: the back
# (_faceless_card_frame).
FACELESS_CARD = 0.85
# In the passport slot, a document with neither a portrait nor an MRZ line: no data page
# (_no_data_page, _no_page_evidence).
NO_DATA_PAGE = 0.85
VISA_PAGE = 0.9  # the page's MRZ read, every check digit passing, as a visa's
# A face's score moves by up to about 0.15 when the photo is re-encoded, so the sure decisions
# on a portrait keep a margin from the score where they would change:
# A portrait on a card's back is sure from this score: the fronts sent as backs in the generated
# sets scored 0.75 and more, a barcode on a woven cover 0.35.
PORTRAIT_SURE_SCORE = 0.5
NO_PORTRAIT_SCORE = -0.6  # "no portrait" is sure only when no face scores above this
PORTRAIT_DOUBT = 0.5  # ...within those margins, a doubt
# Share of the document clipped to white from which a portrait not found may have been wiped out
# by the light (over-exposed fronts the generator calls usable: 0.05-0.3; backs sent as fronts: 0).
WASHED_PORTRAIT = 0.03
SELFIE_FACE_MIN_WIDTH = 0.1  # smaller faces are not looked for (they read as no face)
SELFIE_DOCUMENT_MIN_AREA = 0.04
# A held card's portrait is narrower than the holder's face (0.58-0.83 of it in the generated
# selfies, where the card is held nearer the camera); a wider face is a second person.
PORTRAIT_TO_HOLDER = 1.0
HELD_DOCUMENT_MAX_AREA = 0.5  # a held card never fills more of a selfie than this
HELD_DOCUMENT_MAX_FACES = 3.0  # ...nor is it wider than this many face widths
# ...unless a printed portrait is on it: a card held near the lens beside a face further back
HELD_PORTRAIT_CARD_MAX_FACES = 5.0
CARD_EDGE_TRIM = 0.04  # share of a flattened card's height trimmed off each edge (the desk)
CARD_PRINT_LINES = 2  # lines of print on a flattened outline: not a bare card
MIN_PRINT_BESIDE = 3  # lines of print level with a face and within PRINT_REACH face widths
PRINT_REACH = 4.0
PRINT_TO_CARD = 2.0  # a held card spans about twice its block of print each way
FACE_LONG_SIDE = 560  # faces are looked for in a copy this large first
# A scan cropped to the card has no outline: its frame is the card's. A frame within this share
# of the slot's document aspect is taken for one (a camera's own frames, 4:3, 3:2 and 16:9, are
# 5 % or more from an ID card's or a passport page's).
CROPPED_CARD_ASPECT = 0.04
ID2_ASPECT = 105.0 / 74.0  # an ID-2 sized identity card (an old French one) scanned to the frame
# A frame this many times wider than the slot's document (long side over short) holds a strip
# of it where the document spans it: no whole card or page of that shape fits such a frame once
# it spans its long side (_strip_of_document). Below twice the document's aspect (two cards side
# by side, a scan of both sides, might fit the frame whole). No good photo in a document slot of
# the calibration set had a frame wider than 1.87 (a licence scan); ID-1 1.586 x 1.3 = 2.06, a
# passport page 1.42 x 1.3 = 1.85, a phone's own 16:9 frame 1.78.
STRIP_FRAME = (1.3, 2.0)
# ...once the smallest document of the slot's shape holding the print (or the outline filling
# the frame) is this much taller than the frame (the print's box is looser than its letters).
STRIP_OVERHANG = 1.15
PRINT_BY_PORTRAIT = 2  # lines of print (found loosely) clear of an ID-sized portrait on such a frame
LOOSE_PRINT = 8  # ...or lines of print on it without any face (a card's back)
# Lines of print (found loosely) clear of a confident face: evidence of a document on their own,
# whatever the frame's shape (_print_by_portrait). Real photos without a document had at most 3;
# a card scan turned 3 degrees on a canvas grown round it (no longer of the card's shape) had 5.
CLEAR_OF_FACE = 5
PRINT_NEAR_PORTRAIT = 4  # lines PP-OCR finds clear of a confident face, in a window round it
# A cut-off outline on such a frame holding less than this share of its print (found loosely) is
# a box on the document running to the frame's edge (a portrait printed to the page's edge), not
# a document running off: a card that runs off holds its own print.
BOX_ON_PAGE_PRINT = 0.5
WHOLE_PRINT = 2  # lines of print on a whole outline that a larger one running off the frame holds
# Words on the card that no identity document prints (an insurance card's title, a payment
# card's terms, an e-mail address): sure it is some other card (other_cards).
OTHER_CARD = 0.9
# A line PP-OCR's detector boxes is read again where the lines already read span less than this
# share of it (_detected_lines): a payment card's number of four groups, of which the line finder
# kept two (a real Visa render: 0.45 of it).
HELD_ALONG = 0.8

ID_SLOTS = ("id_front", "id_back")
# The slots whose document carries the holder's portrait: a face found on a card's back is a
# ghost image or a pattern, or the front sent for it, never a portrait whose cut says the back is cut.
PORTRAIT_SLOTS = ("id_front", "passport_page")
_SPOILERS = frozenset({"too_dark", "too_bright", "blurry", "glare"})
SPOILED = 0.51  # ...a spoiler above a note (held at 0.5 at most: the light spoiled nothing sure)
_SLOT_ASPECTS = {
    "id_front": (ID1_ASPECT,),
    "id_back": (ID1_ASPECT,),
    # An open passport (data page and the page above it, 125 x 176 mm) is about as long
    # for its width as the data page alone (125 x 88 mm), so one aspect fits both.
    "passport_page": (ID3_ASPECT,),
}


def graded(value: float, doubt: float, sure: float) -> float:
    """0 on the good side of `doubt`, NOTE_FLOOR at it, rising to 1 at `sure` (either direction)."""
    progress = (value - doubt) / (sure - doubt)
    if progress < 0:
        return 0.0
    return round(min(1.0, NOTE_FLOOR + (1 - NOTE_FLOOR) * progress), 2)


class Findings(dict):
    """Reason code -> confidence (0..1); a reason found twice keeps its higher confidence."""

    def add(self, code: str, confidence: float) -> None:
        if confidence > 0:
            self[code] = max(self.get(code, 0.0), round(float(confidence), 2))

    def sure(self, codes, at: float = 0.5) -> bool:
        return any(self.get(code, 0.0) >= at for code in codes)


def warm_up() -> None:
    """Load the models the checks use (the face detector; PP-OCR's text detector and the line
    recogniser that reads a card's words) now rather than in the first photo's check."""
    load_detector()
    mrz_ocr.detector()
    mrz_ocr.recognizer(mrz_ocr.FAST["height"])


def check_photo(
    data: bytes, slot: str, retake_confidence: float = DEFAULT_RETAKE_CONFIDENCE
) -> QualityVerdict:
    """Check one photo for `slot`: pass, retake (only when sure) or refuse the file."""
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}; expected one of {SLOTS}")
    try:
        # Only the document checks look at colour (glare clips every channel).
        image = decode_working(data, colour=slot != "selfie")
    except ImageRejected as exc:
        return QualityVerdict.refused(exc)
    found = Findings()
    metrics: dict = {
        "width": image.original_width,
        "height": image.original_height,
        "working_width": int(image.gray.shape[1]),
        "working_height": int(image.gray.shape[0]),
    }
    if slot == "selfie":
        quad, faces = _check_selfie(image, found, metrics)
    else:
        quad, faces = _check_document(image, slot, found, metrics)
    metrics["confidence"] = dict(found)
    scale = image.scale
    original_quad = None
    if quad is not None:
        original_quad = [[round(float(v) * scale, 1) for v in point] for point in quad]
    return QualityVerdict.from_findings(
        found,
        retake_confidence,
        metrics=metrics,
        document_quad=original_quad,
        faces=[[round(v * scale) for v in face[:4]] for face in faces],
    )


def _check_document(image: WorkingImage, slot: str, found: Findings, metrics: dict):
    searches = evidence.Searches(image.gray)
    finding = _outlined_in_colour(image, slot, find_document(image.gray, _SLOT_ASPECTS[slot]))
    run_off = finding.run_off  # (kept where the outline found turns out to be a box on the card)
    finding = _faint_card(searches, finding)
    if finding.cut_off and _box_on_cropped_page(searches, slot, finding.quad, metrics):
        # The frame is the document, scanned or cropped to it: nothing of it is cut off.
        finding = with_quad(NOT_FOUND, _frame_quad(image.gray.shape), image.gray.shape)
    # With a whole outline, one quick look for print is enough; without one, look harder.
    outlined = finding.quad is not None and not finding.cut_off and 0.12 <= finding.area_fraction < 0.6
    # (Where a larger outline running off the frame lost to the whole one, the print decides
    # between them: it is looked for as hard as without an outline.)
    quick = outlined and finding.rival is None
    text = find_text(searches, TEXT_LONG_SIDES[:1] if quick else TEXT_LONG_SIDES, mrz=not quick)
    if quick and lines_inside(text, finding.quad) < 2:
        # Hardly any print on the outline: it may be a box on a page (a photo, a field)
        # whose print the quick look missed, so look as hard as without an outline.
        text = find_text(searches, TEXT_LONG_SIDES)
    if _desk_round_whole(text, finding, metrics):
        # Taken as if found whole at first (its print was looked for as hard as without one).
        finding = with_quad(finding, finding.whole, image.gray.shape)
        outlined = 0.12 <= finding.area_fraction < 0.6
    elif finding.rival is not None and not _whole_holds_print(text, finding.quad, finding.rival, metrics) \
            and not _face_on(searches, finding.quad):
        # The card running off the frame, a sheet or a box on the desk beside it outlined whole
        # (a card whose print was not found still shows its portrait: MIDV-500 mac-id 33-01's
        # two lines found were a ruler's, on the desk the frame cuts).
        finding = with_quad(finding, finding.rival, image.gray.shape, cut_off=True)
        outlined = False
    _document_metrics(finding, text, image, metrics)
    # Print whose box reaches past the frame goes on outside it, whatever the outline says.
    metrics["print_past_frame"] = evidence.beyond_frame(text, image.gray.shape)
    region = finding.quad if finding.quad is not None else text.region
    if region is finding.quad and text.is_document and 2 * lines_inside(text, finding.quad) < len(text.lines):
        # The outline is a box on the document (a photo, a field), not the document.
        finding, region, outlined = NOT_FOUND, text.region, False
    elif region is finding.quad and finding.cut_off and text.lines and not lines_inside(text, finding.quad):
        # An outline running off the frame with none of the print on it, the print lying beside
        # it: a patch of the desk or the clutter round a whole document, not the document.
        finding, region, outlined = NOT_FOUND, text.region, False
    portrait = None
    small = finding.area_fraction < DOCUMENT_AREA[0]
    if finding.found and region is finding.quad and (small or (finding.area_fraction < PORTRAIT_PHOTO_AREA
                                                               and _photo_shaped(finding.aspect, slot))):
        # (A face beside the outline tells only on an outline too small for a document: beside
        # a larger one it may be the person holding the card.)
        portrait = _portrait_outline(image.gray, finding.quad)
        if portrait is None and small:
            portrait = _portrait_beside_box(searches, finding.quad)
        if portrait is not None:  # the card's portrait photo, or a box beside it, not the card
            finding, region, outlined = NOT_FOUND, text.region, False
    mask = None
    if region is not None:
        # The lines of print leave out the portrait and any patch that glare has wiped out.
        mask = quad_mask(image.gray.shape, region if region is finding.quad else _grown(region, 1.4))
    _exposure(image.gray, mask, found, metrics)
    if found.get("too_bright", 0.0) > 0.5:
        metrics["print_ink"] = _print_ink(searches, mask)
        ink = metrics["print_ink"]
        unlit = metrics["brightness_p05"] < DARK_PRINT or _surroundings_dark(image.gray, mask, metrics)
        pale = unlit and ink is not None and ink < LIFTED_INK
        if pale or (ink is not None and ink < INK_LEVEL):
            found["too_bright"] = 0.5  # a white card or page: its paper is white, its print still dark
    if region is None:
        # A few stacked lines of print (too few to outline a document) are a doubt, not sure.
        printed = len(lettered(image.gray, text.lines)) >= STACKED_PRINT or _barcoded(image.gray, slot)
        cropped_print, card_portraits = (None, []) if printed else _cropped_evidence(searches, slot,
                                                                                      metrics)
        if printed and slot == "id_back":
            # Print found, the frame may still be one card's front: its identity portrait tells.
            card_portraits = _cropped_evidence(searches, slot, metrics)[1]
        cropped = cropped_print is not None
        held_print = None
        if not printed and not cropped:
            held_print = _print_by_portrait(searches, metrics, framed=portrait is not None)
        shown = printed or cropped or held_print is not None  # some evidence of a document
        found.add("document_not_found", 0.5 if shown else 0.95)
        if shown and slot == "passport_page" and _no_page_evidence(searches):
            found.add("document_not_found", NO_DATA_PAGE)  # print, but neither portrait nor MRZ line
        if shown and portrait is None:
            # A document shown by scattered evidence (a few lines, a barcode, print found loosely)
            # still shows a reflection over its print: look for one over the whole frame.
            whole = np.full(image.gray.shape, 255, np.uint8)
            lines = cropped_print or held_print or ()
            loose = replace(text, lines=text.lines + lines)
            patch, round_patch = measures.glare_patches(image.bgr, whole)
            if held_print:
                # Against the whole frame a reflection on a card known by the print beside its
                # portrait is a speck: measure it also against that print's surroundings.
                near = quad_mask(image.gray.shape, _grown(_block_of(held_print), 1.4))
                patch = max(patch, measures.glare_patch(image.bgr, near), key=lambda p: p[0])
            found.add("glare", _glare(image, searches, patch, round_patch, loose, whole, metrics))
            found.add("glare", _glare_across_print(image, searches, found, metrics))
        if shown and _band_cut_by_edge(searches, slot):
            found.add("document_cut_off", BAND_CUT)  # (with no document at all, no band either)
        if held_print:
            metrics["print_sliced"] = _held_print_sliced(searches, held_print)
            if metrics["print_sliced"] >= SLICED_HELD:
                found.add("document_cut_off", SLICED_CUT)
        if shown:
            _rows_sliced(searches, found, metrics)
        if slot == "id_back" and card_portraits:  # one card, its identity portrait: the front
            found.add("wrong_document_side", _wrong_side(slot, card_portraits, [], False, text, searches,
                                                         None, False))
        if (cropped or held_print is not None) and slot in ID_SLOTS:  # what do the card's words say?
            _other_card(image.gray, cropped_print or held_print, found, metrics)
        elif printed and slot in ID_SLOTS and not card_portraits:
            _card_words(searches, _frame_quad(image.gray.shape), found, metrics)
        _legibility(image, text, found, metrics, document=shown)
        width = min(image.gray.shape[1], FLAT_WIDTH)
        metrics["blur"] = measures.blur_score(image.gray, width)
        if cropped:  # the frame is the card's: as sharp as the card
            found.add("blurry", graded(metrics["blur"], *DOCUMENT_BLUR))
        elif printed or held_print is not None:  # a document blurred past finding (FRAME_BLUR)
            found.add("blurry", _blurred(image.gray, FRAME_BLUR, metrics, width,
                                         looks=_looks(image, None), unread_sure=True))
        if portrait is not None:
            _beside_portrait(image, searches, slot, portrait, text, found, metrics)
        return None, []
    # A document filling the photo, or known only by its print, is looked at whole.
    fills = region is not finding.quad or finding.area_fraction >= 0.6
    glare_mask = np.full(image.gray.shape, 255, np.uint8) if fills else mask
    patch, round_patch = measures.glare_patches(image.bgr, glare_mask)
    if region is not finding.quad or fills:
        # Against the whole frame a reflection on a small card is a speck: measure it also
        # against the print's surroundings (the patch it wiped out lies among the lines), and
        # on a card filling the frame against the card alone (a reflection reaching its edge
        # merges with the white background round it).
        patch = max(patch, measures.glare_patch(image.bgr, mask), key=lambda p: p[0])
    found.add("glare", _glare(image, searches, patch, round_patch, text, glare_mask, metrics))
    found.add("glare", _glare_across_print(image, searches, found, metrics))
    # An outline with no print on it: a plain card, a sheet, a book, a screen edge (sure once
    # no portrait is found on it either, below).
    # Ruled lines on a sheet of paper are no print: only lines made of letters count here.
    bare = (finding.quad is not None and not text.is_document
            and not _print_inside(image.gray, text, finding.quad))
    if finding.cut_off:
        found.add("document_cut_off", _cut_off_confidence(searches, finding, text, slot))
    elif finding.quad is None and run_off is not None and evidence.sliced_lines(searches, run_off):
        # A ragged outline with two corners in the frame and sides running off it, and print on
        # it cut by the edge: the document runs off the frame.
        found.add("document_cut_off", SLICED_CUT)
    found.add("document_cut_off", _print_past_frame(image.gray, text, metrics, slot))
    if region is not finding.quad and _card_print_sliced(searches, slot, found, metrics):
        found.add("document_cut_off", SLICED_CUT)  # the frame cut through a card known by its print
    if fills and _strip_of_document(region, image.gray.shape, slot, metrics):
        found.add("document_cut_off", SLICED_CUT)  # the frame holds a strip of the document
    if not outlined:
        _rows_sliced(searches, found, metrics)
    if not outlined and not found.sure(("document_cut_off",), DEFAULT_RETAKE_CONFIDENCE):
        # The print's box leaves out an MRZ band cut by the frame's edge below or beside it
        # (or the band is all the print there is): look for the band itself.
        metrics["mrz_past_frame"] = evidence.zone_beyond_frame(searches)
        found.add("document_cut_off", graded(metrics["mrz_past_frame"], *MRZ_PAST_FRAME))
        if metrics["mrz_past_frame"] >= MRZ_PAST_FRAME[0] and text.at_edge:
            metrics["mrz_lines_cut"] = evidence.zone_lines_cut(searches, text)
            if metrics["mrz_lines_cut"] >= BAND_LINES_CUT:
                found.add("document_cut_off", BAND_CUT)
        if slot in MRZ_CHARACTERS and evidence.zone_short_at_edge(searches, MRZ_CHARACTERS[slot]):
            found.add("document_cut_off", BAND_CUT)  # its lines short of the format's: cut by the edge
        elif _band_cut_by_edge(searches, slot):
            found.add("document_cut_off", BAND_CUT)
        if finding.quad is None or finding.cut_off:  # (a whole outline shows the whole document)
            room = evidence.room_beyond_band(searches, CARD_MRZ_GLYPHS)
            metrics["room_beyond_band"] = room
            if room is not None and room < BAND_ROOM:
                found.add("document_cut_off", BAND_CUT)  # the frame cut the document's far side away
    # A whole outline of the document's shape is evidence of a document as print is: without
    # print to measure, the photo's short side is then only a doubt (a card filling a 440 x 300 px
    # frame, its print missed, was sure too small where the same card known by its print was not).
    _legibility(image, text, found, metrics, document=finding.found or _cropped_outline(finding, slot))
    if finding.quad is not None:  # the print alone says nothing of the document's extent
        small = graded(finding.area_fraction, *DOCUMENT_AREA)
        width = float(np.linalg.norm(finding.quad[1] - finding.quad[0])) * image.scale
        metrics["document_width_px"] = round(width)
        if width >= LEGIBLE_DOCUMENT_WIDTH:
            small = min(small, 0.5)  # small in a large photo: its print is still legible
        found.add("document_too_small", small)
    flat = flatten(image.gray, region, quad_aspect(region))
    metrics["laplacian_variance"] = measures.sharpness(flat)
    metrics["blur"] = measures.blur_score(flat, flat.shape[1])
    found.add("blurry", _blurred(flat, DOCUMENT_BLUR if finding.quad is not None else PRINT_BLUR, metrics,
                                 looks=_looks(image, region if region is finding.quad else None),
                                 unread_sure=finding.quad is None))
    if _fills_frame(finding, region, image.gray.shape, slot):
        found.add("blurry", _shaken(image.gray, metrics))
    mrz_lines = _mrz_lines(text, searches, region) if slot == "id_back" else None
    if mrz_lines and finding.quad is None and _short_band(searches, text):
        mrz_lines = 0  # the stacked print of a front, measured against itself: look for a portrait
    card_portraits = []
    if mrz_lines is not None and mrz_lines >= 2 and finding.quad is None:
        # On a frame cropped to one card, an identity portrait with print beside it is the front:
        # the band found is its title and fields running across the card (a back's ghost image
        # is under CROPPED_PORTRAIT_MIN_WIDTH of the frame).
        card_portraits = _cropped_evidence(searches, slot, metrics)[1]
    if card_portraits:
        portraits, boxes = card_portraits, [face[:4] for face in card_portraits]
    elif mrz_lines is not None and mrz_lines >= CARD_BACK_MRZ_LINES:
        # The MRZ shows the back: a portrait beside it (a scan of both sides) changes nothing
        # the check would say, so the costly portrait search is skipped. (A two-line MRZ does
        # not: some cards print theirs on the front, beside the portrait.)
        portraits, boxes = [], []
    elif finding.quad is not None:
        portraits = faces_on_document(flat, PORTRAIT_MIN_WIDTH * flat.shape[1], NO_PORTRAIT_SCORE)
        boxes = _unflatten_boxes(portraits, region, flat.shape)
    else:  # the lines of print do not cover the portrait beside them: look in the whole photo
        portraits = searches.faces.on_document(PORTRAIT_IN_FRAME * max(image.gray.shape[:2]),
                                               NO_PORTRAIT_SCORE)
        boxes = [face[:4] for face in portraits]
    if slot == "passport_page" and not _has_portrait(portraits):
        portraits, boxes = _off_band(portraits, boxes, evidence.band_lines(searches))
    portraits, boxes, faint = _faint_faces_apart(portraits, boxes)
    if slot in PORTRAIT_SLOTS and _portrait_cut_by_frame(portraits, boxes, text, image.gray.shape):
        found.add("document_cut_off", SLICED_CUT)
    elif (finding.quad is None and slot in PORTRAIT_SLOTS
          and not found.sure(("document_cut_off",), SLICED_CUT)
          and evidence.line_to_frame(text, image.gray.shape) < 0):
        # Known by its print, clear of the frame, and its portrait, the document is cut where
        # more lines running on from its print beside the portrait (PP-OCR's: small or pale
        # print the first look missed) run into the frame's edge, their letters cut. (Print
        # reaching the frame may be a page of text round the document: _print_past_frame.)
        faces = _print_scale_portraits(portraits, boxes, text)
        if faces:
            metrics["print_sliced"] = _sliced_on_document(searches, region, faces)
            if metrics["print_sliced"] >= SLICED_HELD:
                found.add("document_cut_off", SLICED_CUT)
    if slot == "passport_page" and portraits and not text.mrz_lines:
        # A data page prints its MRZ under the portrait: with no band found, a frame (or the
        # page's outline) ending right under the portrait has cut it away. (The band is looked
        # for last: on a whole page its search costs a tenth of the check.)
        room = _room_under_portrait(portraits, flat.shape if finding.quad is not None else image.gray.shape)
        if room is not None and room < PORTRAIT_ROOM and searches.band[0] is None:
            metrics["room_under_portrait"] = room
            found.add("document_cut_off", BAND_CUT)
    if bare and not _print_on_card(flat):
        # (A small bare outline may be a sheet beside the card the outline search missed: a
        # confident face with print beside it is that card.)
        evidence_of_print = (portraits or text.mrz_lines or _barcoded(image.gray, slot)
                             or _cropped_card(searches, slot, metrics)
                             or _print_by_portrait(searches, metrics) is not None)
        found.add("document_not_found", 0.5 if evidence_of_print else 0.85)
    metrics["portrait_faces"] = len(portraits)
    metrics["portrait_score"] = max((f.score for f in portraits), default=None)
    if slot == "id_front" and not _has_portrait(portraits):
        zone = _flat_mrz_boxes(flat)
        if len(zone) >= 3:
            # An ID card's three-line MRZ is on its back; looked for on the flattened card, it is
            # found however the card lies in the photo, and bad light that left it found left it
            # legible. (A weak face on it is a pattern of the back, not a portrait.)
            zone = [_unflatten_points(box, region, flat.shape) for box in zone]
            found.add("wrong_document_side", _back_by_mrz(portraits, boxes, zone))
    # Blur, glare or bad light can hide a portrait, but they do not draw one on a card's back. Only
    # when they are more than a note: a white page's paper clipped round print still as dark as ink
    # (too_bright held at 0.5) hides no portrait.
    if slot == "id_back" or not found.sure(_SPOILERS, SPOILED):
        every_way = outlined
        if slot == "passport_page" and finding.quad is None and not portraits:
            # Known by its print alone, the page may lie turned a quarter in the photo. (Not on
            # an ID card's front: its smaller portrait, paled by light, was missed every way.)
            portraits = _turned_faces(image.gray, PORTRAIT_IN_FRAME * max(image.gray.shape[:2]))
            portraits, boxes = _off_band(portraits, [f[:4] for f in portraits],
                                         evidence.band_lines(searches))
            every_way = True
        elif slot == "passport_page" and not _has_portrait(portraits) and _print_across(text, region):
            # An open passport stood upright (the page above the data page) is flattened lying on
            # its side, its portrait turned a quarter: a confident face that way is its portrait.
            # Only where its print runs across the flattened page too: on a page lying as it was
            # flattened, a "face" turned a quarter is its pattern (a rosette scored 0.15).
            turned = _turned_faces(flat, PORTRAIT_IN_FRAME * flat.shape[1])
            portraits = [f for f in turned if f.score > 0] or portraits
        # (Not on a passport page, whose other side, with its MRZ on a light band, is known only
        # by the portrait it lacks.)
        washed = slot == "id_front" and metrics["clipped_white_fraction"] >= WASHED_PORTRAIT
        side = _wrong_side(slot, portraits, boxes, faint, text, searches, region, every_way, washed)
        if slot == "id_front" and not portraits and not faint:
            if _barcoded(image.gray, "id_back"):
                side = max(side, BACK_BY_BARCODE)  # no face at all, a licence back's barcode: the back
            elif not washed and _faceless_card_frame(searches, slot):
                side = max(side, FACELESS_CARD)
        if slot == "passport_page" and not portraits and not faint:
            side = max(side, _no_data_page(text, searches, region))
        if slot == "passport_page" and side > PORTRAIT_DOUBT and finding.quad is not None:
            side = min(side, _portrait_beside_page(searches, finding.quad))
        found.add("wrong_document_side", side)
    if slot == "passport_page" and not found.sure(found.keys(), DEFAULT_RETAKE_CONFIDENCE):
        found.add("wrong_document_side", _visa_page(searches, metrics))
    full_mrz = mrz_lines
    if slot in ID_SLOTS and mrz_lines and mrz_lines >= 2 and not _has_portrait(portraits):
        # An MRZ proves an identity document only with its lines full of characters (a business
        # card's stacked e-mail and address lines make a band of 22-27 marks each). Counted only
        # where _identity_unproven asks (an ID slot, no portrait): the marks cost a passport page
        # about 5 % of its check.
        # (And end to end: the stacked lines of a business card's print taken for a band have
        # blanks between words of 4.4-9.0 strip heights, an MRZ line's 1.2 at most.)
        boxes_found = _mrz_boxes(text, searches, region)
        full_mrz = sum(_mrz_like(searches, 0, box, CARD_MRZ_GLYPHS) for box in boxes_found)
    if _identity_unproven(slot, portraits, text, full_mrz, found):
        _card_words(searches, _grown(region, 1.1), found, metrics)
    return region, boxes


def _visa_page(searches: evidence.Searches, metrics: dict) -> float:
    """Sure the wrong page where the page's likeliest MRZ zone of two lines (evidence.two_line_zone)
    reads as a visa's, every check digit passing and its document code V: a visa stuck on a page
    of the passport (MRV-A or MRV-B), not the data page, however like one it looks (a portrait,
    fields, two lines of MRZ).
    Read only where nothing else is sure to send the photo back, and only where the band's first
    characters, read alone (a few ms), may be V: the whole band costs about 0.1 s. The zone found
    is read as it is (its lines' marks of ink are not counted, 1 ms more): a band of anything
    else reads no valid MRZ."""
    zone, turned = evidence.two_line_zone(searches)
    if zone is None or not mrz_zone.begins_with(turned, zone, "V"):
        return 0.0
    reading = mrz_zone.read_zone(turned, zone)
    if not reading.valid:
        return 0.0
    metrics["mrz_document_code"] = reading.fields.get("document_type")
    return VISA_PAGE if str(metrics["mrz_document_code"]).startswith("V") else 0.0


def _desk_round_whole(text: TextEvidence, finding: DocumentFinding, metrics: dict) -> bool:
    """Whether the larger outline running off the frame that won over a whole one holding the
    print (find_document's `whole`) is the desk round it: a dark keyboard or mat the card lies on.
    The whole outline holds WHOLE_PRINT lines of print at least and all but one of those on the
    larger one; a box printed on a card the frame cuts (a portrait, a field) has the card's print
    round it."""
    if not finding.cut_off or finding.whole is None:
        return False
    return _whole_holds_print(text, finding.whole, finding.quad, metrics)


def _whole_holds_print(text: TextEvidence, whole: np.ndarray, cut: np.ndarray, metrics: dict) -> bool:
    """Whether a whole outline, rather than a larger one running off the frame (holding it or
    not), is the document by its print: WHOLE_PRINT lines at least and all but one of those on
    the larger one. Not where the larger one holds the print the whole one lacks: a card cut by
    the frame beside a sheet of paper on the desk (the generated variety draws' clutter)."""
    on_cut, on_whole = lines_inside(text, cut), lines_inside(text, whole)
    metrics["print_on_whole"] = [on_whole, on_cut]
    return on_whole >= max(WHOLE_PRINT, on_cut - 1)


def _outlined_in_colour(image: WorkingImage, slot: str, finding: DocumentFinding) -> DocumentFinding:
    """`finding` (in grey), or where grey found no outline at all, the outline found in colour
    (find_document's `colour`): a card as grey as the desk but not of its hue has its edge in
    colour only. Only a whole outline in colour is taken, and only one at least the least share of
    the frame a document covers (DOCUMENT_AREA: a smaller one was a coloured field on a white card,
    sure too small); an outline running off the frame in colour may be the card merged with a sheet
    beside it. A faint one is taken too (it counts with print on it)."""
    if finding.quad is not None:
        return finding
    in_colour = find_document(image.gray, _SLOT_ASPECTS[slot], colour=image.bgr)
    if in_colour.found and in_colour.area_fraction >= DOCUMENT_AREA[0]:
        return in_colour
    if in_colour.faint is not None:
        return replace(finding, faint=in_colour.faint)
    return finding


def _card_words(searches: evidence.Searches, quad: np.ndarray, found: Findings, metrics: dict) -> None:
    """Sure there is no identity document where the words on `quad` are another card's
    (_other_card): every line of print on it, stacked or not (find_text keeps one aligned block
    of them: a business card's name, say, without the e-mail address in smaller print below
    it), and where those are few, the lines PP-OCR's detector finds that they miss."""
    lines = lines_within(print_lines(searches.gray), quad)
    few = len(lettered(searches.gray, lines)) < LOOSE_PRINT
    if not _other_card(searches.gray, lines, found, metrics) and few:
        _other_card(searches.gray, _detected_lines(searches, quad, lines), found, metrics)


def _other_card(gray: np.ndarray, lines: tuple[np.ndarray, ...], found: Findings, metrics: dict) -> bool:
    """Sure there is no identity document when the card's `lines` of print carry words of
    another card (other_cards); whether they do."""
    kind = other_card(gray, lines)
    if kind is not None:
        metrics["other_card"] = kind
        found.add("document_not_found", OTHER_CARD)
    return kind is not None


def _detected_lines(searches: evidence.Searches, quad: np.ndarray,
                    read: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The lines PP-OCR's text detector boxes on `quad` that hold none of the lines `read`
    already: the large bold print on a busy ground the line finder misses (a Social Security
    card's name and number), looked for where it found few lines of letters (about 0.1 s). A box
    the lines read span only part of (HELD_ALONG) is read whole: a payment card's number, whose
    wide gaps split it into groups the line finder keeps only some of."""
    detected = lines_within(tuple(searches.detected_lines), quad)
    return tuple(box for box in detected if _held_along(lines_within(read, box), box) < HELD_ALONG)


def _held_along(lines: tuple[np.ndarray, ...], box: np.ndarray) -> float:
    """The share of the line `box`'s length that the `lines` it holds cover together: the
    gaps between them count as not held (a payment card's number whose first and last groups
    alone were found as lines spans the box, yet holds only half of it)."""
    if not lines:
        return 0.0
    corners = order_corners(box.astype(np.float32))
    along = corners[1] - corners[0]
    length = max(float(np.linalg.norm(along)), 1e-6)
    spans = sorted((min(ends), max(ends)) for ends in
                   ([float(np.dot(point - corners[0], along)) / length for point in line] for line in lines))
    covered, reach = 0.0, float("-inf")
    for start, end in spans:
        start, end = max(start, reach, 0.0), min(end, length)
        if end > start:
            covered += end - start
            reach = end
    return covered / length


def _identity_unproven(slot: str, portraits: list[Face], text: TextEvidence, mrz_lines: int | None,
                       found: Findings) -> bool:
    """A card in an ID slot with neither a confident portrait nor an MRZ band, not yet sure to
    be retaken but for its side: what its words say is worth reading (other_cards). A card with
    no face on it may be the back or no identity card at all (an insurance card): its words tell
    the person which. `mrz_lines` is the count of MRZ lines full of characters where they were
    counted (a back's): a payment card's embossed number and name, found as a band of two lines,
    are too short for an MRZ's and prove nothing; elsewhere the band found counts."""
    band = len(text.mrz_lines) if mrz_lines is None else mrz_lines
    return (slot in ID_SLOTS and not _has_portrait(portraits) and band < 2
            and max((sure for code, sure in found.items() if code != "wrong_document_side"),
                    default=0.0) < DEFAULT_RETAKE_CONFIDENCE)


def _fills_frame(finding: DocumentFinding, region: np.ndarray, shape: tuple[int, ...], slot: str) -> bool:
    """The document fills the frame: its outline covers SHAKE_FRAME_SHARE of it, or, known by its
    print alone, the frame has the slot's document aspect (a scan cropped to it) or the print
    runs across SHAKE_FRAME_SHARE of the frame along its lines."""
    if region is finding.quad:
        return finding.area_fraction >= SHAKE_FRAME_SHARE
    if _document_shaped(shape, slot):
        return True
    corners = order_corners(region.astype(np.float32))
    along = corners[1] - corners[0]
    length = float(np.linalg.norm(along))
    height, width = shape[:2]
    extent = (abs(float(along[0])) * width + abs(float(along[1])) * height) / max(length, 1e-6)
    return length >= SHAKE_FRAME_SHARE * extent


def _cropped_outline(finding: DocumentFinding, slot: str) -> bool:
    """An outline of the slot's document shape running off a frame it fills (SHAKE_FRAME_SHARE at
    least): a scan or photo cropped to the document, as much a document as a whole outline (a
    card scan 279 px high re-encoded at JPEG 60 lost its MRZ band, the print that made its short
    side a doubt, and was sure too small to read)."""
    return (finding.cut_off and finding.area_fraction >= SHAKE_FRAME_SHARE
            and any(abs(finding.aspect / aspect - 1) <= ASPECT_TOLERANCE for aspect in _SLOT_ASPECTS[slot]))


def _blurred(flat: np.ndarray, points: tuple[float, float], metrics: dict, width: int | None = None,
             looks: Iterable[np.ndarray] = (), unread_sure: bool = False) -> float:
    """How sure the flattened document `flat` (its blur_score in metrics["blur"], measured at
    `width`, its own by default) is blurred: sure only where its strongest edges, the print's, are
    smeared as well (EDGE_BLUR), not where a soft printed pattern makes the whole card read as
    blurred, and where its print cannot be read (evidence.legible_lines) in any of the `looks`
    taken at it (_looks: a phone's soft focus on a card whose every field is legible). With
    `unread_sure` (the whole frame looked at, no outline that may be wrong), sure where not one
    line reads in any look (ILLEGIBLE_BLUR), however little past a doubt its score: a card
    flattened from a wrong outline (a frame grown round a turned photo) reads nothing either."""
    blurred = graded(metrics["blur"], *points)
    if blurred > 0.5:
        edges = measures.directional_blur(flat, width or flat.shape[1], strongest=EDGE_SHARE)
        metrics["edge_blur"] = max(edges)
        if metrics["edge_blur"] < EDGE_BLUR:
            blurred = min(blurred, 0.5)
        else:
            legible = 0
            for look in looks:
                legible = max(legible, evidence.legible_lines(look))
                metrics["legible_lines"] = legible
                if legible >= evidence.LEGIBLE_LINES:
                    blurred = min(blurred, 0.5)
                    break
            if unread_sure and legible == 0:
                blurred = max(blurred, ILLEGIBLE_BLUR)  # smeared edges, and not a line of it read
    return blurred


def _looks(image: WorkingImage, region: np.ndarray | None) -> Iterator[np.ndarray]:
    """The document at `region` (or where it is known by its print alone, None: the whole photo,
    as a box drawn tight round lines of print leaves PP-OCR's detector no margin to find them in:
    a legible phone frame read 6 lines whole, none so cropped) as a reader looks at it: flattened
    at working size, then, only if asked and the photo is larger, decoded again at
    CLOSER_LONG_SIDE (a card a third of a phone frame wide has print too small to read at
    working size; a noisy photo reads better averaged down to it)."""
    yield _flat_look(image.gray, region, 1.0)
    closer = closer_gray(image, CLOSER_LONG_SIDE)
    if closer is not None:
        yield _flat_look(closer[0], region, closer[1])


def _flat_look(gray: np.ndarray, region: np.ndarray | None, factor: float) -> np.ndarray:
    """`gray` (`factor` times the working size), flattened at `region` (working pixels) as
    large as it holds it, or whole where `region` is None."""
    if region is None:
        return gray
    return flatten(gray, region * factor, quad_aspect(region), max(gray.shape[:2]))


def _shaken(gray: np.ndarray, metrics: dict) -> float:
    """How sure the camera moved while the photo was taken (the print is smeared along a line),
    over a frame the document fills (elsewhere the desk's own grain, soft stripes of wood, reads
    as smeared along them). The re-blur measure of the document alone misses it where the print
    that was found is a band of repeated characters (an MRZ), as soft across the motion as along
    it."""
    scores = measures.directional_blur(gray)
    metrics["shake"] = measures.shake(scores)
    shaken = graded(metrics["shake"], *SHAKE)
    return shaken if max(scores) >= SHAKE_WORST else min(shaken, 0.5)


def _glare(image: WorkingImage, searches: evidence.Searches, patch: measures.Patch,
           round_patch: measures.Patch, text: TextEvidence, mask: np.ndarray, metrics: dict) -> float:
    """How sure the largest specular reflection (`patch`; `round_patch` as glare_patches finds it
    without spreading light) on the document (`mask`) hides print a reviewer reads: sure where
    lines of print run into it, or by its size alone where it saturated the sensor with print or
    the portrait within a line or so of it, or lines of print fading out into its sides. A
    reflection on the card's plain ground, however large, hides nothing: a note."""
    metrics["glare_fraction"] = patch[0]
    glare = graded(patch[0], *GLARE)
    over_print = patch[1] is not None and patch[0] >= GLARE[0] and _over_print(patch[1], text)
    if glare > 0:
        metrics["glare_core"] = measures.patch_core(image.bgr, patch[1])
        if metrics["glare_core"] < SATURATED:
            glare = min(glare, 0.5)  # sure only where the light saturated the sensor
        elif over_print:
            glare = max(glare, GLARE_OVER_PRINT)  # the reflection has wiped out part of the print
        elif text.lines:  # (without lines of print, its size alone decides)
            reach = max(2, round(GLARE_PRINT_REACH * text.line_height))
            metrics["glare_ink_near"] = measures.ink_round_patch(image.bgr, patch[1], reach, mask)
            if metrics["glare_ink_near"] < text.line_height:
                glare = min(glare, 0.5)  # on the card's plain ground, clear of what is read
                # ...unless lines of print the first look missed fade out into it
                metrics["lines_fading_into_glare"] = evidence.lines_fading_into(searches, patch[1])
                if metrics["lines_fading_into_glare"] >= FADING_LINES:
                    glare = GLARE_OVER_PRINT
            elif _compact(patch[1]):
                glare = max(glare, GLARE_OVER_PRINT)  # a lamp's reflection with print up to it
            # (a strip with print beside it, a page's white margin maybe: its size decides)
    box = patch[1]
    if glare < GLARE_OVER_PRINT:
        round_box = _round_glare_over_print(image, round_patch, text)
        if round_box is not None:
            glare, box = GLARE_OVER_PRINT, round_box
    if metrics["clipped_white_fraction"] >= WHITE_PAGE:
        glare = min(glare, 0.5)  # white is the paper's own colour: a white patch may be paper
    if glare > 0.5 and measures.patch_fill(image.bgr, box) < GLARE_HULL_FILL:
        glare = 0.5  # a ragged white patch with ink across it: maybe the design's own white
    return glare


def _glare_across_print(image: WorkingImage, searches: evidence.Searches, found: Findings,
                        metrics: dict) -> float:
    """Where no sure reflection was found, sure glare where two lines of print or more are
    broken by one clipped gap with their letters fading into it (evidence.lines_faded_into_glare:
    PP-OCR's lines, about 0.1 s, looked for where at least GLARE's doubt share of the document is
    clipped white). On a white document a reflection merges with the paper; on a pale one it may
    merge with the card's white edge, so that no patch of its own is found (a Swedish back's
    reflection over its MRZ, 41 % of it clipped, under WHITE_PAGE)."""
    if metrics["clipped_white_fraction"] < GLARE[0] or found.sure(("glare",), GLARE_OVER_PRINT):
        return 0.0
    darkest = measures.darkest_channel(image.bgr)
    metrics["lines_faded_into_glare"] = evidence.lines_faded_into_glare(searches, darkest)
    return GLARE_OVER_PRINT if metrics["lines_faded_into_glare"] >= 2 else 0.0


def _compact(box: measures.Box) -> bool:
    """A lamp's reflection is a compact patch; a white strip (a page's margin, an edge of the
    frame turned into it) is GLARE_COMPACT times longer than wide or more."""
    _, _, w, h = box
    return max(w, h) < GLARE_COMPACT * min(w, h)


def _round_glare_over_print(image: WorkingImage, patch: measures.Patch,
                            text: TextEvidence) -> measures.Box | None:
    """The box of the glare patch found without `spread` (a round clipped patch with some halo and
    the card's texture around it) when it has at least GLARE's doubt size, saturated the sensor
    (SATURATED), and lines of print or a barcode (a licence back's data, found only here: about
    10 ms) run into it: a lamp's reflection whose light does not visibly spread (a coloured card:
    its halo stays under the halo share by a little)."""
    share, box = patch
    if box is None or share < GLARE[0] or measures.patch_core(image.bgr, box) < SATURATED:
        return None
    return box if _over_print(box, text) or _over_lines(box, evidence.barcode_boxes(image.gray)) else None


def _portrait_outline(gray: np.ndarray, quad: np.ndarray) -> Face | None:
    """The face (in `gray`'s pixels) filling a small outline: the outline is a portrait photo
    (the card's own, whose edges stand out where the card's do not), not the document. On a
    whole card the portrait's face is a fifth of its long side at most."""
    x, y, w, h = cv2.boundingRect(np.round(quad).astype(np.int32))
    x, y = max(x, 0), max(y, 0)
    crop = gray[y : y + h, x : x + w]
    if min(crop.shape[:2]) < 8:
        return None
    least = PORTRAIT_OUTLINE * max(crop.shape[:2])
    faces = [f for f in faces_on_document(crop, least) if f.score > 0]
    for turn in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
        if not faces:  # a card turned a quarter in the photo turns its portrait too
            turned = _turned_back(detect_faces(cv2.rotate(crop, turn), least), turn, crop.shape)
            faces = [f for f in turned if f.score > 0]
    if not faces:
        return None
    face = faces[0]
    return Face(face.x + x, face.y + y, face.w, face.h, face.score)


def _photo_shaped(aspect: float, slot: str) -> bool:
    """An outline of `aspect` (long side over short) is nearer an identity photo's shape than
    the slot's document's (PHOTO_ASPECT)."""
    return all(aspect < (PHOTO_ASPECT * expected) ** 0.5 for expected in _SLOT_ASPECTS[slot])


def _portrait_beside_box(searches: evidence.Searches, quad: np.ndarray) -> Face | None:
    """A confident face outside the small outline `quad`, wider than the outline's short side:
    the card's portrait beside a box printed on the card (a flag, a ghost image), whose edges
    were found where the card's were not. No document holds a portrait wider than itself."""
    short = float(side_lengths(quad).min())
    faces = searches.faces.on_document(PORTRAIT_IN_FRAME * max(searches.gray.shape[:2]))
    return next((face for face in faces if face.score > 0 and face.w >= short
                 and cv2.pointPolygonTest(quad.reshape(-1, 1, 2).astype(np.float32),
                                          (face.x + face.w / 2, face.y + face.h / 2), False) < 0), None)


def _beside_portrait(image: WorkingImage, searches: evidence.Searches, slot: str, portrait: Face,
                     text: TextEvidence, found: Findings, metrics: dict) -> None:
    """What the card's portrait photo (its outline taken for the card's) still tells: a blurred
    photo blurs it too, a reflection on the card lies on it or among the print beside it (the
    box round both), and in the back slot it is the front's."""
    face = image.gray[portrait.y : portrait.y + portrait.h, portrait.x : portrait.x + portrait.w]
    metrics["face_blur"] = measures.blur_score(face, measures.FACE_SHARPNESS_WIDTH)
    found.add("blurry", graded(metrics["face_blur"], *FACE_BLUR))
    card = _block_of((_box_corners(*portrait[:4]), *text.lines))
    patch = measures.glare_patch(image.bgr, quad_mask(image.gray.shape, _grown(card, 1.2)))
    metrics["glare_fraction"] = patch[0]
    found.add("glare", graded(patch[0], *GLARE))
    if slot == "id_back":
        found.add("wrong_document_side", _wrong_side(slot, [portrait], [portrait[:4]], False, text,
                                                     searches, None, False))


def _over_print(box: measures.Box, text: TextEvidence) -> bool:
    """Lines of print end at, or cross, the reflection (its box grown by a quarter): the
    text under it is lost, not only the card's plain background."""
    return _over_lines(box, text.lines + text.mrz_lines)


def _over_lines(box: measures.Box, lines) -> bool:
    """Any of `lines` (4-point boxes: print, barcodes) ends at or crosses `box` grown by a quarter."""
    x, y, w, h = box
    grow_x, grow_y = 0.25 * w, 0.25 * h
    left, top, right, bottom = x - grow_x, y - grow_y, x + w + grow_x, y + h + grow_y
    for line in lines:
        lx, ly = line[:, 0], line[:, 1]
        if lx.min() <= right and lx.max() >= left and ly.min() <= bottom and ly.max() >= top:
            return True
    return False


def _print_past_frame(gray: np.ndarray, text: TextEvidence, metrics: dict, slot: str) -> float:
    """How sure the print goes on past the frame: its box reaches past it (PRINT_PAST_FRAME),
    sure only where a line of letters comes up to the edge too (PRINT_TO_EDGE). A line found at
    the edge that is no letters (a scanner's shadow marks, a page's rim on a turned scan) does
    not make it sure: two real scans re-sent (a Romanian page at gamma 0.8, a Czech one mixed)
    were sure cut off with their letters 1.8-4 line heights inside the frame. Nor does any line
    in a frame of the slot's document shape: a scan cropped to the document, whose own print may
    run to its edge (as _cut_off_confidence says of an outline filling such a frame). A Belgian
    back scanned to the card, re-sent at 0.6 scale, was sure cut off: the box round its MRZ and
    the pieces of its edge-to-edge microprint band, tilted, reached a line height past the frame."""
    past = graded(metrics["print_past_frame"], *PRINT_PAST_FRAME)
    if past > 0.5:
        reach = _letters_to_frame(gray, text)
        metrics["print_to_edge"] = reach if np.isfinite(reach) else None
        if reach < PRINT_TO_EDGE:
            past = 0.5  # the box reaches past, the print stays inside: the box, not the print
        elif _document_shaped(gray.shape, slot):
            past = 0.5  # the frame is the document's, its print running to its own edge
    return past


def _letters_to_frame(gray: np.ndarray, text: TextEvidence) -> float:
    """evidence.line_to_frame of the lines made of letters only (-inf without any): a thin strip
    hugging the frame's edge (a scan's border line, the seam of a re-encoded frame) is no print
    the frame cut."""
    return evidence.line_to_frame(replace(text, lines=lettered(gray, text.lines)), gray.shape)


def _cut_off_confidence(searches: evidence.Searches, finding: DocumentFinding, text: TextEvidence,
                        slot: str) -> float:
    """Sure when a card that does not fill the frame runs off it: print runs into the frame's
    edge, or its corners are outside, the frame cutting it along a side (one it only grazes with
    a corner is a doubt, GRAZING_CONTACT). A document filling the frame is a doubt, unless lines
    of its print run into the edge, their characters cut (evidence.sliced_lines), in a frame
    that has not the document's own shape: one that has is cropped to the document, whose print
    may run to its edge (a page cropped tight through its printed title). A line found running
    into the edge is not enough there: a card's number printed up to its own edge in a close-up
    (robustness variants of two real scans were sure cut off so)."""
    if finding.area_fraction < 0.6:
        if text.at_edge:
            return 0.95
        sides = np.linalg.norm(finding.quad - np.roll(finding.quad, -1, axis=0), axis=1)
        grazing = frame_contact(finding.quad, searches.gray.shape) < GRAZING_CONTACT * float(sides.min())
        return 0.5 if grazing or _whole_against_edge(finding, searches.gray.shape, slot) else 0.9
    # A document covering most of the frame is a scan or a close-up, not a card running off.
    return SLICED_CUT if _sliced_by_frame(searches, finding.quad, slot) else 0.45


def _sliced_by_frame(searches: evidence.Searches, quad: np.ndarray, slot: str) -> int:
    """How many lines of print on `quad` run into the frame's edge with their characters cut
    (evidence.sliced_lines): the frame cut through the document. None in a frame of the slot's
    document shape: a scan cropped to the document, whose own print may run to its edge (a page
    cropped tight through its printed title)."""
    if _document_shaped(searches.gray.shape, slot):
        return 0
    return evidence.sliced_lines(searches, quad)


def _card_print_sliced(searches: evidence.Searches, slot: str, found: Findings, metrics: dict) -> bool:
    """A card known by its print alone (no outline), a line of its print cut by the frame's edge
    (_sliced_by_frame): the frame cut through the card, as _cut_off_confidence says of an outline
    filling the frame. Not on a passport page: the facing page's print runs off the frame round a
    whole data page (a data page printed on a sheet had 16 lines so, the sheet's own print running
    off)."""
    if slot not in ID_SLOTS or found.sure(("document_cut_off",), SLICED_CUT):
        return False
    metrics["frame_sliced"] = _sliced_by_frame(searches, _frame_quad(searches.gray.shape), slot)
    return metrics["frame_sliced"] > 0


def _whole_against_edge(finding: DocumentFinding, shape: tuple[int, ...], slot: str) -> bool:
    """An outline with two corners on one edge of the frame and none on another, its corners all
    in the frame, with the slot's document shape (within CROPPED_CARD_ASPECT): a whole card lying
    up to the frame's edge (a pale card's margin merging with a white scan round it), not one the
    frame cut. A card cut along one side is shorter than its shape; one cut at a corner has a
    corner outside, or on a second edge (a page cut across the frame's corner, its outline fitted
    with a corner on the top edge and two on the side)."""
    height, width = shape[:2]
    quad = finding.quad
    inside = bool(np.all((quad >= -1) & (quad <= [width, height])))
    margin = max(2.0, 0.006 * max(width, height))
    on_edges = [int(np.sum(np.abs(quad[:, axis] - at) <= margin))
                for axis, at in ((0, 0.0), (0, width - 1.0), (1, 0.0), (1, height - 1.0))]
    return inside and sorted(on_edges) == [0, 0, 0, 2] and _shaped_as(finding.aspect, _SLOT_ASPECTS[slot])


def _rows_sliced(searches: evidence.Searches, found: Findings, metrics: dict) -> None:
    """Sure cut off where a row of print lies along the frame's edge with its letters sliced by
    it (evidence.rows_sliced_by_edge): the frame cut through the document's print. Asked only
    without a whole outline: a whole one keeps its print off the frame's edge."""
    if found.sure(("document_cut_off",), SLICED_CUT):
        return
    metrics["rows_sliced"] = evidence.rows_sliced_by_edge(searches)
    if metrics["rows_sliced"] >= ROWS_SLICED:
        found.add("document_cut_off", SLICED_CUT)


def _room_under_portrait(portraits: list[Face], shape: tuple[int, ...]) -> float | None:
    """The least room, in face heights, between a confident portrait's chin side (below it
    upright, above it upside down) and the edge of the image of `shape` (the frame, or the
    flattened document); None without a confident face."""
    height = shape[0]
    rooms = [(face.y if face.upside_down else height - face.y - face.h) / max(face.h, 1)
             for face in portraits if face.score > 0]
    return round(min(rooms), 2) if rooms else None


def _wrong_side(slot: str, portraits: list[Face], boxes, faint: bool, text: TextEvidence,
                searches: evidence.Searches, region, outlined: bool, washed: bool = False) -> float:
    """Sure only on evidence of the other side; a portrait not found is only a doubt (the
    detector misses turned, small or ghost portraits). `boxes`: the portraits in `gray`'s pixels;
    `faint`: a face too faint to count as a portrait was found too."""
    if slot == "id_back":  # (a back with its MRZ was not searched for a portrait)
        if not _has_portrait(portraits):
            return 0.0
        return 0.9 if max(f.score for f in portraits) >= PORTRAIT_SURE_SCORE else PORTRAIT_DOUBT
    if slot == "id_front" and not _has_portrait(portraits):
        zone = _mrz_boxes(text, searches, region)
        # Without an outline a front's stacked print spans the box it is measured against, and
        # is found as a band too: its lines are shorter than an MRZ's (as on the back slot).
        if len(zone) >= 3 and (outlined or not _short_band(searches, text)):  # an ID card's MRZ: its back
            return _back_by_mrz(portraits, boxes, zone)
    if portraits:  # even a weak face: the portrait may be small, pale or a ghost image
        return 0.0
    if faint:  # a face just too faint to count, which a re-encode may make count
        return PORTRAIT_DOUBT
    # On a whole card photographed on a surface the portrait search is reliable (the card
    # is flattened upright or upside down), and so it is once the photo was searched every
    # way up; on a scan or a page whose portrait was looked for one way only it is not, nor on a
    # card partly clipped to white (`washed`): the light may have wiped out a pale portrait.
    return 0.85 if outlined and not washed else 0.5


def _portrait_beside_page(searches: evidence.Searches, quad: np.ndarray) -> float:
    """How sure the wrong page is shown when the page outlined (`quad`) has no portrait: a
    doubt where a confident face lies in the photo beside it (an open passport whose upper page
    was outlined, its data page below), else sure."""
    faces = searches.faces.on_document(PORTRAIT_IN_FRAME * max(searches.gray.shape[:2]), NO_PORTRAIT_SCORE)
    beside = [face for face in faces if face.score > 0 and not _inside(face, quad)]
    return PORTRAIT_DOUBT if beside else 1.0


def _no_data_page(text: TextEvidence, searches: evidence.Searches, region: np.ndarray) -> float:
    """How sure a document on which no face at all was found is not a passport's data page: a
    data page always carries both a portrait and a two-line MRZ across it, so a document with
    neither (a card scanned to the frame, a sheet of print, a visa page without a photo) is
    sure, where the missed portrait alone is a doubt on a scan. (Every good real page had a face
    found on it; an MRZ band is found by its lines even where it cannot be read.)"""
    zone = _mrz_boxes(text, searches, region)
    mrz = any(evidence.longest_blank(searches.gray, box) < MRZ_BLANK for box in zone)
    return 0.0 if mrz else NO_DATA_PAGE


def _faceless_card_frame(searches: evidence.Searches, slot: str) -> bool:
    """A frame of the slot's card shape (a scan or a close-up cropped to the card) in which no
    face that may be a portrait (PORTRAIT_DOUBT_SCORE) is found, upright or upside down: the whole
    card was searched as an outlined one is, whatever outline was found on it (an EU licence
    back's category table filling most of it; its pictograms made a "face" of -0.54). Every
    good front so cropped in calibration had a face of -0.09 or more found on it."""
    shape = searches.gray.shape
    return _document_shaped(shape, slot) and not searches.faces.on_document(
        PORTRAIT_IN_FRAME * max(shape[:2]), PORTRAIT_DOUBT_SCORE)


def _no_page_evidence(searches: evidence.Searches) -> bool:
    """Print too scattered to outline a document, with no confident face in the frame (upright or
    turned a quarter) and no line of an MRZ (_mrz_line): no passport's data page, which carries
    both (a form on a desk, a letter). _no_data_page asks as much of a page outlined. Every good
    calibration page known so had a confident face or an MRZ line found (four of them)."""
    size = PORTRAIT_IN_FRAME * max(searches.gray.shape[:2])
    if any(face.score > 0 for face in searches.faces.on_document(size, NO_PORTRAIT_SCORE)):
        return False
    return not _mrz_line(searches) and not any(face.score > 0 for face in _turned_faces(searches.gray, size))


def _turned_faces(gray: np.ndarray, min_size: float) -> list[Face]:
    """Faces in the photo turned a quarter either way (boxes in `gray`'s pixels)."""
    for turn in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
        faces = _turned_back(detect_faces(cv2.rotate(gray, turn), min_size), turn, gray.shape)
        if faces:
            return faces
    return []


def _turned_back(faces: list[Face], turn: int, shape: tuple[int, ...]) -> list[Face]:
    """`faces` found in a copy of an image of `shape` turned by `turn`, in the image's pixels."""
    height, width = shape[:2]
    if turn == cv2.ROTATE_90_CLOCKWISE:
        return [Face(f.y, height - f.x - f.w, f.h, f.w, f.score) for f in faces]
    return [Face(width - f.y - f.h, f.x, f.h, f.w, f.score) for f in faces]


def _off_band(faces: list[Face], boxes, band: list[np.ndarray]) -> tuple[list[Face], list]:
    """The faces and their boxes (in the band's pixels) without the weak faces (score <= 0) on
    the MRZ band's lines: the band's rows of repeated characters (<<<) make weak faces, turned
    too (generated passport pages without a portrait scored -0.48 to -0.29 there), a portrait
    sits beside the band, not on it."""
    if not band:
        return faces, boxes
    kept = [(face, box) for face, box in zip(faces, boxes, strict=True)
            if face.score > 0 or not any(_overlaps(box, line) for line in band)]
    return [face for face, _ in kept], [box for _, box in kept]


def _overlaps(box, line: np.ndarray) -> bool:
    """The face box (x, y, w, h) and the line's 4-point box overlap."""
    return cv2.intersectConvexConvex(_box_corners(*box[:4]), line.astype(np.float32))[0] > 0


def _print_across(text: TextEvidence, region: np.ndarray) -> bool:
    """The lines of print on the document (`region`, its first side a long one) run across its
    long side, or none lies on it: the document lies turned a quarter from its flattened view."""
    lines = lines_within(text.lines, region)
    if not lines:
        return True
    along = region[1] - region[0]
    along = along / max(float(np.linalg.norm(along)), 1e-6)
    runs = [order_corners(box.astype(np.float32)) for box in lines]
    cosines = [abs(float((box[1] - box[0]) @ along)) / max(float(np.linalg.norm(box[1] - box[0])), 1e-6)
               for box in runs]
    return float(np.median(cosines)) < 0.5


def _faint_card(searches: evidence.Searches, finding: DocumentFinding) -> DocumentFinding:
    """A card close in colour to the desk has faint edges: its whole outline is the document
    when lines of print lie on it, and more of them than on the outline found (a cut-off
    "card" may be the card merged with a sheet running off the frame)."""
    if finding.faint is None or (finding.quad is not None and not finding.cut_off):
        return finding
    gray = searches.gray
    text = find_text(searches, TEXT_LONG_SIDES[:1], mrz=False)
    on_faint = lines_inside(replace(text, lines=lettered(gray, text.lines)), finding.faint)
    on_found = lines_inside(text, finding.quad) if finding.quad is not None else 0
    if on_faint >= FAINT_CARD_LINES and on_faint >= on_found:
        return with_quad(finding, finding.faint, gray.shape)
    return finding


def _cropped_card(searches: evidence.Searches, slot: str, metrics: dict) -> bool:
    """A document scanned or cropped to the frame, whose print find_text missed (_cropped_print)."""
    return _cropped_print(searches, slot, metrics) is not None


def _cropped_print(searches: evidence.Searches, slot: str, metrics: dict) -> tuple[np.ndarray, ...] | None:
    """The lines of print (found loosely) of a document scanned or cropped to the frame, whose
    print find_text missed; None when the frame is not such a document (_cropped_evidence)."""
    return _cropped_evidence(searches, slot, metrics)[0]


def _cropped_evidence(searches: evidence.Searches, slot: str,
                      metrics: dict) -> tuple[tuple[np.ndarray, ...] | None, list[Face]]:
    """The lines of print (found loosely) of a document scanned or cropped to the frame, or None
    when the frame is not such a document, and its identity portraits. The frame has the slot's
    document aspect, and either an identity portrait (a confident face CROPPED_PORTRAIT_MIN_WIDTH
    of its long side at least) with print clear of it, or, with no face at all, many lines of
    print (both found loosely: large bold print, print on a guilloche, a printed border round
    the card). A portrait photo, a room or a desk does not have a card's frame; a card whose
    only face is smaller than an ID's portrait is some other card (or a back's ghost image). In
    an ID slot a frame of an ID-2 card's shape (105 x 74 mm: an old French identity card) counts
    too, only without a face: a press photo's frame (the square root of 2) has that shape too.
    Costs a face search and a loose line search, on the no-document and cut-off paths, and on a
    back cropped to the card whose band may be a front's print (a front sent for it)."""
    gray = searches.gray
    shaped = _document_shaped(gray.shape, slot)
    if not shaped and not (slot in ID_SLOTS and _shaped_as(_frame_aspect(gray.shape), (ID2_ASPECT,))):
        return None, []
    height, width = gray.shape[:2]
    lines = searches.loose_print
    faces = [f for f in searches.faces.on_document(PORTRAIT_IN_FRAME * max(height, width)) if f.score > 0]
    metrics["loose_text_lines"] = len(lines)
    if not faces:
        return (lines if len(lines) >= LOOSE_PRINT else None), []
    if not shaped:  # a press photo's frame may have an ID-2 card's shape too: see _print_by_portrait
        return None, []
    portraits = [f for f in faces if f.w >= CROPPED_PORTRAIT_MIN_WIDTH * max(height, width)
                 and _print_clear_of(f, lines) >= PRINT_BY_PORTRAIT]
    return (lines if portraits else None), portraits


def _print_by_portrait(searches: evidence.Searches, metrics: dict,
                       framed: bool = False) -> tuple[np.ndarray, ...] | None:
    """The lines of print (found loosely) of a document whose outline and print find_text
    missed, wherever it lies in the frame (a scan turned a few degrees on its lid, a page held up
    in a hand: the frame has not the document's shape). Two pieces of evidence: a confident face
    with PRINT_BY_PORTRAIT lines clear of it, and either LOOSE_PRINT lines in all, CLEAR_OF_FACE
    lines clear of it, a line of an MRZ (_mrz_line) or the face `framed` by a small outline of its
    own (the card's portrait photo, whose edges were found where the card's were not). On real
    calibration photos without a document a face had at most 3 lines clear of it and 4 in all,
    and no MRZ line; good cards and pages sent turned, re-encoded or smaller kept both. A face
    search, a loose line search and an MRZ search, on the no-document path only."""
    gray = searches.gray
    height, width = gray.shape[:2]
    faces = [f for f in searches.faces.on_document(HELD_PORTRAIT * max(height, width)) if f.score > 0]
    if not faces:
        return _print_near_turned_portrait(searches)
    lines = searches.loose_print
    metrics["loose_text_lines"] = len(lines)
    for face in faces:
        # Only print on the scale of a card whose portrait the face is (CARD_PRINT_SCALE): lines a
        # twentieth of the face's height are a screen's seams or a title's strokes round a person.
        own = tuple(box for box in lines if _box_height(box) >= CARD_PRINT_SCALE * face.h)
        clear = _print_clear_of(face, own)
        if clear >= PRINT_BY_PORTRAIT and (len(own) >= LOOSE_PRINT or clear >= CLEAR_OF_FACE or framed
                                           or _mrz_line(searches)):
            return lines
    return _print_near_portrait(searches, faces)


def _print_near_portrait(searches: evidence.Searches, faces: list[Face]) -> tuple[np.ndarray, ...] | None:
    """The lines of print (made of letters) PP-OCR's detector finds beside a confident face,
    PRINT_NEAR_PORTRAIT of them clear of it at least: a card's fields beside its portrait, in
    print too small or too pale for the loose line search (a pale green card on a green desk).
    On real calibration photos without a document a face had at most 3 such lines beside it (a
    portrait on a page of a web site); the pale generated card this was made for had 5, as had a
    real carte Vitale (some other card: its words tell it, _other_card)."""
    for face in faces:
        lines = lettered(searches.gray, searches.detected_near(face))
        if _print_clear_of(face, lines) >= PRINT_NEAR_PORTRAIT:
            return lines
    return None


def _print_near_turned_portrait(searches: evidence.Searches) -> tuple[np.ndarray, ...] | None:
    """_print_near_portrait on the photo turned a quarter either way (a card lying on its side,
    its portrait and print turned with it), its lines in the photo's pixels; None without a
    confident face either way."""
    gray = searches.gray
    for quarter in (90, 270):
        turned = evidence.Searches(searches.turned(quarter))
        faces = [f for f in turned.faces.on_document(PORTRAIT_IN_FRAME * max(gray.shape[:2])) if f.score > 0]
        lines = _print_near_portrait(turned, faces)
        if lines is not None:
            return tuple(evidence.turned_points(box, 360 - quarter, turned.gray.shape) for box in lines)
    return None


def _mrz_line(searches: evidence.Searches) -> bool:
    """A line of an MRZ (upright or turned a quarter), even alone: at least SHORT_ZONE of an ID
    card's 30 characters as separate marks of ink, end to end without a blank of MRZ_BLANK (a
    line of ordinary print stops short, a pattern makes few marks)."""
    zone = searches.zones.candidates()[0]
    least = evidence.SHORT_ZONE * min(MRZ_CHARACTERS.values())
    return any(_mrz_like(searches, zone.quarter, box, least) for box in zone.boxes)


def _mrz_like(searches: evidence.Searches, quarter: int, box: np.ndarray, least: float) -> bool:
    """The line `box` (in the image turned by `quarter`) is made like an MRZ line: at least
    `least` separate marks of ink, end to end without a blank of MRZ_BLANK."""
    return (searches.marks(quarter, box) >= least
            and evidence.longest_blank(searches.turned(quarter), box) < MRZ_BLANK)


def _band_cut_by_edge(searches: evidence.Searches, slot: str) -> bool:
    """In a slot whose document has an MRZ, an MRZ band the zone finder missed or found short,
    its lines running into the frame's edge short of the format's (evidence.band_cut_by_edge).
    Not looked for where a band of the format's length was found: its lines are whole."""
    if slot not in MRZ_CHARACTERS:
        return False
    zone, _, marks = searches.band
    if zone is not None and max(marks) >= evidence.SHORT_ZONE * MRZ_CHARACTERS[slot]:
        return False
    return evidence.band_cut_by_edge(searches, MRZ_CHARACTERS[slot])


def _barcoded(gray: np.ndarray, slot: str) -> bool:
    """A barcode in the back slot: the back of a North American licence may show nothing else
    the line finder takes for print (its barcodes and a few words across a busy background),
    so it is evidence of a document, not sure to be one. (Not on a front, whose portrait and
    print say more, nor on a passport page.)"""
    return slot == "id_back" and evidence.has_barcode(gray)


def _document_shaped(shape: tuple[int, ...], slot: str) -> bool:
    """The frame has the slot's document aspect (within CROPPED_CARD_ASPECT): a scan or a photo
    cropped to the document."""
    return _shaped_as(_frame_aspect(shape), _SLOT_ASPECTS[slot])


def _shaped_as(aspect: float, expected: Iterable[float]) -> bool:
    """`aspect` (long side over short) is one of `expected` within CROPPED_CARD_ASPECT."""
    return any(abs(aspect / one - 1) <= CROPPED_CARD_ASPECT for one in expected)


def _frame_aspect(shape: tuple[int, ...]) -> float:
    """The frame's long side over its short side."""
    height, width = shape[:2]
    return max(height, width) / max(min(height, width), 1)


def _strip_of_document(region: np.ndarray, shape: tuple[int, ...], slot: str, metrics: dict) -> bool:
    """The frame (of `shape`, STRIP_FRAME times wider than the slot's document) cannot hold the
    smallest document of the slot's shape that holds `region` (the print's box, or an outline
    filling the frame), however it lies along the region: the frame cut a strip out of it. Any
    way the document could lie whole in the frame (STRIP_OVERHANG) leaves it a doubt."""
    height, width = shape[:2]
    wide = _frame_aspect(shape)
    aspects = [a for a in _SLOT_ASPECTS[slot] if STRIP_FRAME[0] * a <= wide < STRIP_FRAME[1] * a]
    if not aspects:
        return False
    centre, (along, across), angle = cv2.minAreaRect(region.astype(np.float32))
    overhangs = []
    for aspect in aspects:
        long_first = max(along, aspect * across)  # its long side along the region's first side
        short_first = max(along, across / aspect)  # ...or along its second
        for first, second in ((long_first, long_first / aspect), (short_first, short_first * aspect)):
            corners = cv2.boxPoints((centre, (first, second), angle))
            overhangs.append(max(float(np.ptp(corners[:, 0])) / width, float(np.ptp(corners[:, 1])) / height))
    overhang = min(overhangs)
    metrics["strip_overhang"] = round(float(overhang), 2)
    return overhang >= STRIP_OVERHANG


def _box_on_cropped_page(searches: evidence.Searches, slot: str, quad: np.ndarray, metrics: dict) -> bool:
    """A cut-off outline that is a box printed on a document cropped to the frame (a portrait
    printed to the page's edge): the frame shows such a document (_cropped_card) and most of
    the print found on it lies outside the outline."""
    lines = _cropped_print(searches, slot, metrics)
    if lines is None:
        return False
    inside = lines_inside(TextEvidence(lines, (), 0.0, None, False), quad)
    return inside < BOX_ON_PAGE_PRINT * len(lines)


def _box_corners(x: float, y: float, w: float, h: float) -> np.ndarray:
    """A box (x, y, w, h) as its four corners, clockwise from the top left."""
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)


def _frame_quad(shape: tuple[int, ...]) -> np.ndarray:
    """The whole frame as a document's outline (corners ordered as find_document's)."""
    height, width = shape[:2]
    return order_corners(np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                                  np.float32))


def _print_clear_of(face: Face, lines: tuple[np.ndarray, ...]) -> int:
    """How many lines lie clear of the portrait around `face`: centred more than a face width
    to its left or right (the portrait's frame, hair and shoulders are not print)."""
    centre = face.x + face.w / 2
    return sum(abs(float(box[:, 0].mean()) - centre) > face.w for box in lines)


def _portrait_cut_by_frame(portraits: list[Face], boxes, text: TextEvidence, shape: tuple[int, ...]) -> bool:
    """A confident portrait's face (`boxes`: x, y, w, h in the working image of `shape`) reaches
    the frame's edge: the frame cuts through the portrait, and the document round it (on good
    real calibration photos a face kept 0.16 of its width from the edge at least). Only a face on
    the scale of the print (CARD_PRINT_SCALE) is the document's portrait: a larger one may be the
    person holding it."""
    height, width = shape[:2]
    return any(min(x, y) <= 0 or x + w >= width - 1 or y + h >= height - 1
               for x, y, w, h in _print_scale_portraits(portraits, boxes, text))


def _print_scale_portraits(portraits: list[Face], boxes, text: TextEvidence) -> list[tuple[int, ...]]:
    """The boxes (x, y, w, h) of the confident faces on the scale of the print
    (CARD_PRINT_SCALE): the document's portrait, not the person holding it."""
    return [tuple(box[:4]) for face, box in zip(portraits, boxes, strict=True)
            if face.score > 0 and text.line_height >= CARD_PRINT_SCALE * box[3]]


def _held_print_sliced(searches: evidence.Searches, lines: tuple[np.ndarray, ...]) -> int:
    """How many of `lines` (the print found round a card's portrait) run into the frame's edge
    with their letters cut (evidence.cut_by_edge): the frame cuts the card. Where a confident
    upright face is found (HELD_PORTRAIT of the frame or larger), only lines centred within
    evidence.near_face of it count: the print found loosely lies all over the frame, and print
    round the card (a ruler's figures across the desk) is not the card's. (Lines found beside a
    portrait turned a quarter were looked for in its window.)"""
    gray = searches.gray
    faces = searches.faces.on_document(HELD_PORTRAIT * max(gray.shape[:2]))
    windows = [evidence.near_face(face[:4], gray.shape) for face in faces if face.score > 0]
    return sum(1 for box in lines if evidence.cut_by_edge(gray, box)
               and (not windows or any(x0 <= box[:, 0].mean() <= x1 and y0 <= box[:, 1].mean() <= y1
                                       for x0, y0, x1, y1 in windows)))


def _block_of(lines: Sequence[np.ndarray]) -> np.ndarray:
    """The rotated box (4 points) round `lines` (4-point boxes)."""
    return cv2.boxPoints(cv2.minAreaRect(np.concatenate(lines).astype(np.float32)))


def _sliced_on_document(searches: evidence.Searches, region: np.ndarray, faces: list[tuple[int, ...]]) -> int:
    """How many of PP-OCR's lines beside the document's portrait (`faces`, x, y, w, h: within
    evidence.near_face of one) and across the columns of its print (`region`) run into the frame's
    edge with their letters cut (evidence.sliced_lines): lines running on from the document's
    print, not print of the surroundings beside it."""
    left, right = float(region[:, 0].min()), float(region[:, 0].max())
    counts = [0]
    for x0, y0, x1, y1 in (evidence.near_face(face, searches.gray.shape) for face in faces):
        x0, x1 = max(x0, left), min(x1, right)
        if x0 < x1:
            counts.append(evidence.sliced_lines(searches, _box_corners(x0, y0, x1 - x0, y1 - y0)))
    return max(counts)


def _print_inside(gray: np.ndarray, text: TextEvidence, quad: np.ndarray) -> bool:
    """Some line of print (made of letters) or of an MRZ lies inside `quad`."""
    if not lines_inside(text, quad):
        return False
    inside = replace(text, lines=lettered(gray, text.lines))
    return lines_inside(inside, quad) > 0


def _print_on_card(flat: np.ndarray) -> bool:
    """Lines of print (made of letters) on the flattened document, its edge trimmed. Over the
    whole photo a strongly textured surface (a woven cushion, a rug) sets the threshold for
    print and runs into the card's edge, so the card's own lines are missed; on the card alone
    they are found, and a line need not be stacked with others to count there."""
    trim = round(CARD_EDGE_TRIM * min(flat.shape[:2]))
    card = flat[trim : flat.shape[0] - trim, trim : flat.shape[1] - trim]
    return len(lettered(card, print_lines(card))) >= CARD_PRINT_LINES


def _faint_faces_apart(faces: list[Face], boxes) -> tuple[list[Face], list, bool]:
    """The faces that may be portraits (scoring at least the detector's WEAKEST) and their
    boxes, and whether a fainter face was found beside them."""
    kept = [i for i, face in enumerate(faces) if face.score >= WEAKEST]
    return [faces[i] for i in kept], [boxes[i] for i in kept], len(kept) < len(faces)


def _has_portrait(portraits: list[Face]) -> bool:
    """A confident face on the document (a weak one may be a pattern, or a turned portrait)."""
    return any(f.score > 0 for f in portraits)


def _mrz_lines(text: TextEvidence, searches: evidence.Searches, region: np.ndarray) -> int:
    """How many lines of the MRZ band lie on the document (see _mrz_boxes)."""
    return len(_mrz_boxes(text, searches, region))


def _mrz_boxes(text: TextEvidence, searches: evidence.Searches, region: np.ndarray) -> list[np.ndarray]:
    """Lines of the MRZ band in `gray`'s pixels (looked for now if the text search skipped it,
    upright or turned a quarter): lines of print that run across most of the document, as only
    the MRZ's do."""
    boxes = text.mrz_lines or tuple(searches.zones.lines()) or _turned_zone(searches, region)
    width = float(np.linalg.norm(region[1] - region[0]))
    return [box for box in boxes if float(np.linalg.norm(box[1] - box[0])) >= MRZ_SPAN * width
            or float(np.linalg.norm(box[2] - box[1])) >= MRZ_SPAN * width]


def _short_band(searches: evidence.Searches, text: TextEvidence) -> bool:
    """The upright band taken for an MRZ has lines shorter than an ID card's MRZ lines (the
    stacked print of a front is found as a band too; without an outline its lines span the
    print they are measured against)."""
    boxes = text.mrz_lines or tuple(searches.zones.lines())
    return bool(boxes) and max(searches.marks(0, box) for box in boxes) < CARD_MRZ_GLYPHS


def _turned_zone(searches: evidence.Searches, region: np.ndarray) -> tuple[np.ndarray, ...]:
    """The MRZ lines of a card turned a quarter in the photo (they run up the frame), in the
    photo's pixels, kept only on the document: the grain of a wooden desk makes zone-like
    stripes too."""
    zone = searches.zones.candidates()[0]
    if zone.score < mrz_zone.MIN_ZONE_SCORE or not zone.boxes:
        return ()
    turned = [np.asarray(box, np.float32) for box in zone.boxes]
    boxes = turned
    if zone.quarter == 90:  # the boxes are in the frame turned clockwise: turn them back
        boxes = [np.stack([box[:, 1], searches.gray.shape[0] - 1 - box[:, 0]], axis=1) for box in boxes]
    contour = _grown(region, 1.4).reshape(-1, 1, 2).astype(np.float32)
    # (lines of a card's MRZ length in separate characters are the band wherever they lie: a
    # back's print beside it may be all that outlines the card)
    return tuple(box for box, along in zip(boxes, turned, strict=True)
                 if cv2.pointPolygonTest(contour, tuple(map(float, box.mean(axis=0))), False) >= 0
                 or searches.marks(zone.quarter, along) >= CARD_MRZ_GLYPHS)


def _flat_mrz_boxes(flat: np.ndarray) -> list[np.ndarray]:
    """Lines of an MRZ band on the flattened document running across nearly all of it (a
    front's own lines of print, found as a zone, stop well short of that)."""
    boxes = mrz_zone.find_lines(flat, mrz_zone.MIN_ZONE_SCORE)
    return [box for box in boxes if max(float(np.linalg.norm(box[1] - box[0])),
                                        float(np.linalg.norm(box[2] - box[1])))
            >= FLAT_MRZ_SPAN * flat.shape[1]]


def _back_by_mrz(portraits: list[Face], boxes, zone: list[np.ndarray]) -> float:
    """How sure a document with an ID card's three-line MRZ (`zone`) and no confident portrait
    is the back: sure, unless a weak face lies clear of the MRZ band, where a portrait sits on
    a front that carries its MRZ (an old US resident card): its score swings across 0 as
    the photo is re-encoded, so that is a doubt. A weak face on the band is its pattern.
    `boxes` are the faces in the zone's pixels."""
    band = _block_of(zone)
    for face, box in zip(portraits, boxes, strict=True):
        apart = cv2.intersectConvexConvex(_box_corners(*box[:4]), band)[0] <= 0
        if face.score >= PORTRAIT_DOUBT_SCORE and apart:
            return MRZ_BACK_DOUBT
    return 0.9


def _legibility(image: WorkingImage, text: TextEvidence, found: Findings, metrics: dict,
                document: bool = False) -> None:
    """Too few pixels to read: the height of the printed lines, else the photo's size (only a
    doubt where the print, or `document`, other evidence, shows a document)."""
    short_side = min(image.original_width, image.original_height)
    if len(text.lines) >= 2:  # one stray line says nothing of the print
        height = _print_height(image.gray, text, TEXT_HEIGHT[0] / image.scale) * image.scale
        metrics["text_height_px"] = round(height, 1)
        low = graded(height, *TEXT_HEIGHT)
        if _rows(text.lines, text.line_height) < MIN_LINES:
            # Two or three lines may be strays of a busy background (guilloche, a stamp), whose
            # height says nothing of the print: a real passport page re-encoded at quality 75
            # gave three 4 px "lines" where quality 80 found its print. Pieces of one row count
            # once: a card's title banner, its border broken in three, gave four 5 px "lines"
            # in two rows where the card's 14 px print went unfound (downscaled to 480 px).
            low = min(low, 0.5)
        found.add("low_resolution", low)
    cap = 0.5 if text.is_document or document else 1.0
    found.add("low_resolution", min(graded(short_side, *SHORT_SIDE), cap))
    found.add("low_resolution", graded(max(image.original_width, image.original_height), *LONG_SIDE))
    if short_side < SMALL_PHOTO:
        found.add("low_resolution", NOTE_FLOOR)


def _rows(lines: tuple[np.ndarray, ...], height: float) -> int:
    """How many rows `lines` (4-point boxes) stand in across their direction: pieces of one row
    (words far apart, a rule broken by an emblem) less than half a line height apart count once."""
    if not lines:
        return 0
    corners = order_corners(max(lines, key=lambda box: np.ptp(box, axis=0).sum()).astype(np.float32))
    along = corners[1] - corners[0]
    across = np.array([-along[1], along[0]]) / max(float(np.linalg.norm(along)), 1e-6)
    offsets = np.sort([float(box.mean(axis=0) @ across) for box in lines])
    return 1 + int((np.diff(offsets) > 0.5 * max(height, 1.0)).sum())


def _print_height(gray: np.ndarray, text: TextEvidence, legible: float) -> float:
    """The height of the lines made of letters (working pixels) at PRINT_HEIGHT_SHARE: a rule, an
    underline or a strip of microprint found among them is thinner than any print a person reads.
    All the lines' median where fewer than two are letters, or where it is `legible` already (letters
    are told from strips only on the way to a low_resolution doubt)."""
    if text.line_height >= legible:
        return text.line_height
    letters = lettered(gray, text.lines)
    if len(letters) < 2:
        return text.line_height
    return float(np.percentile([_box_height(box) for box in letters], PRINT_HEIGHT_SHARE))


def _box_height(box: np.ndarray) -> float:
    """The height of a line's 4-point box: its shorter side."""
    return float(min(np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[1])))


def _check_selfie(image: WorkingImage, found: Findings, metrics: dict):
    text = find_text(evidence.Searches(image.gray), (max(image.gray.shape[:2]),),
                     mrz=False)  # a held card's print is small
    faces = _selfie_faces(image.gray)
    finding, document = _held_document(image.gray, text, faces, metrics)
    _document_metrics(finding, text, image, metrics)
    if document is not None and finding.quad is None:  # known by its print alone
        metrics["document_area_fraction"] = _area(document, image.gray.shape)
    # The holder is the largest confident face (a weak detection on a hand or a badge may be
    # larger); a smaller face with print beside it is on the card.
    people = sorted((f for f in faces if not _is_portrait(f, document, faces)), key=lambda f: f.score <= 0)
    people = people[:1] + [f for f in people[1:] if not _beside_print(f, text)]
    short_side = min(image.gray.shape[:2])
    metrics["faces"] = len(people)
    if document is None:
        # A few stacked lines of print off the faces (a held card whose outline and block of
        # print were not made out) leave the document a doubt, as on a document photo.
        printed = _stacked_print_off_faces(image.gray, text, people)
        found.add("document_not_found", 0.5 if printed else 0.95 if people else 0.6)
    if not people:
        found.add("no_face", 0.95)
        _exposure(image.gray, None, found, metrics)
        return document, []
    main = people[0]
    face_mask = np.zeros(image.gray.shape, np.uint8)
    cv2.rectangle(face_mask, (main.x, main.y), (main.x + main.w, main.y + main.h), 255, -1)
    _exposure(image.gray, face_mask, found, metrics)
    metrics["face_width_fraction"] = round(main.w / short_side, 3)
    metrics["face_score"] = main.score
    small = graded(main.w / short_side, *FACE_WIDTH)
    if main.w * image.scale >= COMPARABLE_FACE_PX and not _beside_print(main, text):
        # Small in the frame but enough pixels to compare: a note. (A small face with print
        # beside it is more likely the card's portrait, with nobody holding it.)
        small = min(small, 0.5)
    found.add("face_too_small", small)
    others = [f for f in people[1:] if f.w >= SECOND_FACE_RATIO * main.w]
    if others:
        strongest = max(f.score for f in others)
        found.add("multiple_faces", graded(strongest, *SECOND_FACE_SCORE))
    face = image.gray[main.y : main.y + main.h, main.x : main.x + main.w]
    metrics["face_blur"] = measures.blur_score(face, measures.FACE_SHARPNESS_WIDTH)
    found.add("blurry", graded(metrics["face_blur"], *FACE_BLUR))
    return document, people


def _stacked_print_off_faces(gray: np.ndarray, text: TextEvidence, faces: list[Face]) -> bool:
    """At least STACKED_PRINT lines made of letters, stacked, lie off every face (a mouth, eyes and
    eyebrows make line-like marks too, some past the face's box: it is grown by a quarter each way)."""
    grown = [_grown(np.array([[f.x, f.y], [f.x + f.w, f.y], [f.x + f.w, f.y + f.h], [f.x, f.y + f.h]],
                             np.float32), 1.5) for f in faces]
    off = lettered(gray, tuple(box for box in text.lines if not any(
        cv2.pointPolygonTest(face.reshape(-1, 1, 2), tuple(map(float, box.mean(axis=0))), False) >= 0
        for face in grown)))
    if len(off) < STACKED_PRINT:
        return False
    # Stacked: one above the other (marks side by side along a shelf or a frame are not print).
    corners = order_corners(off[0].astype(np.float32))
    along = (corners[1] - corners[0]) / max(float(np.linalg.norm(corners[1] - corners[0])), 1e-6)
    across = np.sort([float(box.mean(axis=0) @ np.array([-along[1], along[0]])) for box in off])
    rows = 1 + int(np.count_nonzero(np.diff(across) >= 0.5 * max(text.line_height, 1.0)))
    return rows >= STACKED_PRINT


def _selfie_faces(gray: np.ndarray) -> list[Face]:
    """Faces in working pixels: first in a FACE_LONG_SIDE copy (a selfie face is large), then,
    only if none was found there, down to SELFIE_FACE_MIN_WIDTH of the short side."""
    faces = detect_faces(gray, WINDOW * max(gray.shape[:2]) / FACE_LONG_SIDE)
    return faces or detect_faces(gray, SELFIE_FACE_MIN_WIDTH * min(gray.shape[:2]))


def _held_document(gray, text: TextEvidence, faces, metrics) -> tuple[DocumentFinding, np.ndarray | None]:
    """The card's outline (when it was looked for) and the held document, only where there is
    evidence of one: print or a portrait on it.

    A card-shaped outline alone is not enough: clothing, a door or the face itself make
    rectangles. The document counts when text lines lie inside the outline, or a face
    smaller than the main one (the printed portrait) does. A card-shaped block of print is
    enough by itself, so the outline (the costlier search) is looked for only without one.
    """
    print_block = text.is_document and _card_shaped(text.region)
    by_print = print_block and _held_evidence(gray, text.region, len(text.lines), faces, metrics)
    if by_print and not any(_maybe_printed_portrait(f, text) for f in faces):
        return NOT_FOUND, text.region
    # No card-shaped print, or a face next to it that may be its portrait or the holder:
    # the outline tells (it holds the portrait, not the holder).
    finding = find_document(
        gray,
        (ID1_ASPECT, ID3_ASPECT),
        min_area=SELFIE_DOCUMENT_MIN_AREA,
        tolerance=0.2,
        min_fill=0.8,
        min_edge_support=0.5,
        occluded_sides=1,  # fingers holding the card
    )
    quad = finding.quad
    if quad is None or not _held_evidence(gray, quad, lines_inside(text, quad), faces, metrics, outline=True):
        return finding, text.region if by_print else None
    return finding, quad


def _held_evidence(gray, quad: np.ndarray, lines: int, faces, metrics, outline: bool = False) -> bool:
    """Whether `quad`, holding `lines` lines of print, is a card held up to the camera."""
    if _area(quad, gray.shape) > HELD_DOCUMENT_MAX_AREA:
        return False  # a wall, a sofa, a poster: not a card held up to the camera
    if any(_inside(f, quad) and not _is_portrait(f, quad, faces) for f in faces):
        return False  # a person's own face is not on the document
    holder = next((f for f in faces if not _inside(f, quad)), None)
    width = float(np.linalg.norm(quad[1] - quad[0]))
    if holder is not None and width > HELD_PORTRAIT_CARD_MAX_FACES * holder.w:
        return False  # far wider than the face holding it: a backdrop, a sign, furniture
    portrait = any(_is_portrait(f, quad, faces) for f in faces)
    if not portrait and 1 <= lines < 3 and outline:
        # The faces were looked for at the holder's size: look on the card itself.
        portrait = _printed_portrait(gray, quad)
    if holder is not None and not portrait and width > HELD_DOCUMENT_MAX_FACES * holder.w:
        return False
    metrics["document_text_lines"] = lines
    return lines >= 3 or (portrait and lines >= 1)


def _maybe_printed_portrait(face: Face, text: TextEvidence) -> bool:
    """A face on the card around the block of print, or beside it and narrower than it."""
    sides = np.linalg.norm(text.region - np.roll(text.region, -1, axis=0), axis=1)
    return _inside(face, _grown(text.region, PRINT_TO_CARD)) or (
        face.w < float(max(sides)) and _beside_print(face, text)
    )


def _printed_portrait(gray: np.ndarray, quad: np.ndarray) -> bool:
    """A confident face on the flattened card (either way up): its printed portrait."""
    flat = flatten(gray, quad, quad_aspect(quad))
    return any(f.score > 0 for f in faces_on_document(flat, PORTRAIT_MIN_WIDTH * flat.shape[1]))


def _card_shaped(quad: np.ndarray) -> bool:
    """Lines of print on a card fill a block no longer than about twice its height (a caption
    or a banner is a long strip)."""
    sides = side_lengths(quad)
    return float(max(sides) / max(min(sides), 1.0)) <= 2.5


def _beside_print(face: Face, text: TextEvidence) -> bool:
    """A face with lines of print beside it, level with it, is a printed portrait (a held
    card whose outline was not found), not a person: nobody stands next to a paragraph."""
    if len(text.lines) < MIN_PRINT_BESIDE:
        return False
    centres = np.array([box.mean(axis=0) for box in text.lines])
    beside = (
        (np.abs(centres[:, 0] - (face.x + face.w / 2)) <= PRINT_REACH * face.w)
        & (centres[:, 1] >= face.y - 0.5 * face.h)
        & (centres[:, 1] <= face.y + 1.5 * face.h)
    )
    return int(beside.sum()) >= MIN_PRINT_BESIDE


def _face_on(searches: evidence.Searches, quad: np.ndarray) -> bool:
    """A confident face (upright or upside down) centred on the outline `quad`, looked for down
    to a portrait's size on a document that large (PORTRAIT_MIN_WIDTH of its long side)."""
    long_side = float(side_lengths(quad).max())
    faces = searches.faces.on_document(PORTRAIT_MIN_WIDTH * long_side, NO_PORTRAIT_SCORE)
    return any(face.score > 0 and _inside(face, quad) for face in faces)


def _inside(face: Face, quad: np.ndarray) -> bool:
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    return cv2.pointPolygonTest(contour, (face.x + face.w / 2, face.y + face.h / 2), False) >= 0


def _is_portrait(face: Face, quad: np.ndarray | None, faces: list[Face]) -> bool:
    """A face inside the held document and small next to it is its printed portrait, unless it
    is wider than the largest face outside the document (the holder's): a portrait printed on a
    card held up beside a face is smaller than the face, so that is a second person."""
    if quad is None:
        return False
    document_width = float(np.linalg.norm(quad[1] - quad[0]))
    if not (_inside(face, quad) and face.w < 0.4 * document_width):
        return False
    holder = next((f for f in faces if not _inside(f, quad)), None)
    return holder is None or face.w < PORTRAIT_TO_HOLDER * holder.w


def _exposure(gray: np.ndarray, mask, found: Findings, metrics: dict) -> None:
    stats = measures.exposure(gray, mask)
    metrics.update(stats)
    dark = graded(stats["brightness_p50"], *DARK_P50)
    if stats["brightness_p95"] >= DARK_P95[0]:
        dark = min(dark, 0.5)  # light print or a light field still stands out: a dark card
    dark = max(dark, graded(stats["brightness_p95"], *DARK_P95))
    found.add("too_dark", dark)
    bright = graded(stats["clipped_white_fraction"], *BRIGHT_CLIPPED)
    if stats["brightness_p05"] < 100:
        bright = min(bright, 0.5)  # dark print still shows: pale, but readable
    found.add("too_bright", bright)


def _surroundings_dark(gray: np.ndarray, mask: np.ndarray | None, metrics: dict) -> bool:
    """Whether the frame round the document (at least SURROUNDINGS_SHARE of it) keeps its
    darkest 5 % under DARK_PRINT: light that over-exposed the photo lifted the desk too, so a
    card clipped to white on a desk still dark is a pale card with thin print (its own darkest
    5 % is its paper), not an over-exposed photo."""
    if mask is None or float((mask == 0).mean()) < SURROUNDINGS_SHARE:
        return False
    metrics["surroundings_p05"] = measures.exposure(gray, cv2.bitwise_not(mask))["brightness_p05"]
    return metrics["surroundings_p05"] < DARK_PRINT


def _print_ink(searches: evidence.Searches, mask: np.ndarray | None) -> float | None:
    """How dark the print on the document (`mask`, None: anywhere) is: the darkest INK_SHARE of
    its lines made of letters (0-255), None with fewer than two such lines. The lines are looked
    for at the larger size, whose boxes fit small print closely (less paper in them)."""
    gray = searches.gray
    text = find_text(searches, TEXT_LONG_SIDES[-1:], mrz=False)
    lines = _lines_on(lettered(gray, text.lines), mask)
    if len(lines) < 2:
        # The line finder's morphology misses some pages' lines (print taller than its lines, a
        # real page re-sent turned and in perspective): PP-OCR's detector (about 0.1 s, only
        # here) finds them.
        lines = _lines_on(lettered(gray, tuple(searches.detected_lines)), mask)
    if len(lines) < 2:
        return None
    ink = np.zeros(gray.shape, np.uint8)
    for box in lines:
        cv2.fillConvexPoly(ink, np.round(box).astype(np.int32), 255)
    return float(np.percentile(gray[ink > 0], INK_SHARE))


def _lines_on(lines: tuple[np.ndarray, ...], mask: np.ndarray | None) -> list[np.ndarray]:
    """The `lines` whose centre lies on `mask` (all of them without one)."""
    if mask is None:
        return list(lines)
    limit = np.array(mask.shape) - 1
    return [box for box in lines
            if mask[tuple(np.clip(np.round(box.mean(axis=0)[::-1]).astype(int), 0, limit))]]


def _grown(quad: np.ndarray, factor: float) -> np.ndarray:
    centre = quad.mean(axis=0)
    return (centre + (quad - centre) * factor).astype(np.float32)


def _area(region, shape) -> float:
    if region is None:
        return 0.0
    return round(float(cv2.contourArea(region.astype(np.float32))) / float(shape[0] * shape[1]), 4)


def _document_metrics(finding: DocumentFinding, text: TextEvidence, image, metrics: dict) -> None:
    metrics["document_area_fraction"] = finding.area_fraction
    metrics["document_aspect"] = finding.aspect
    metrics["text_lines"] = len(text.lines)
    metrics["mrz_lines"] = len(text.mrz_lines)
    metrics["text_at_edge"] = text.at_edge


def _unflatten_boxes(boxes, quad: np.ndarray, flat_shape) -> list[tuple[int, ...]]:
    """Map face boxes found on the flattened document back to working-image pixels."""
    out = []
    for face in boxes:
        mapped = _unflatten_points(_box_corners(*face[:4]), quad, flat_shape)
        bx, by, bw, bh = cv2.boundingRect(np.round(mapped).astype(np.int32))
        out.append((bx, by, bw, bh))
    return out


def _unflatten_points(points: np.ndarray, quad: np.ndarray, flat_shape) -> np.ndarray:
    """Points on the flattened document mapped back to working-image pixels."""
    height, width = flat_shape[:2]
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    back = cv2.getPerspectiveTransform(target, quad.astype(np.float32))
    return cv2.perspectiveTransform(np.asarray(points, np.float32).reshape(1, -1, 2), back)[0]

"""Words that show a card is not an identity document: a health insurance card's title and
terms, a payment card's (or its number), a US Social Security card's title or number, a business
card's e-mail address or its labels of a telephone or fax number, a gift card's value.

A card-shaped document without a portrait or an MRZ may still be an identity card (a driving
licence's back, an old card whose portrait the detector misses), so its shape and what it
lacks never make it sure; words printed on it that no identity document carries do. Its lines
of print are read with the PP-OCR line recogniser the MRZ reader loads (kcheck.docintel.
mrz_ocr), as they lie or, running down the photo, turned a quarter each way: a line read wrong
or a card lying upside down finds nothing, which leaves the photo to the reviewer as before.
Nothing read is kept or logged, only the kind.
"""

from __future__ import annotations

import re

import numpy as np

from kcheck.docintel import mrz_ocr, mrz_zone
from kcheck.quality.evidence import turned_points

# Looked for in each line read, upper case with its spaces taken out (the recogniser often
# joins words). Only terms no identity card or licence prints: "MEDICAL" is on licences'
# backs (medical alert), "VISA" on residence permits, a bare web address on licences, "HEALTH
# CARE" on some licences' backs (an advance health care directive).
WORDS = {
    "insurance_card": ("INSURANCE", "VERSICHERUNG", "VERSICHERTEN", "KRANKENKASSE",
                       "ASSURANCEMALADIE", "ASSICURAZIONE", "TESSERASANITARIA", "BLUECROSS",
                       "BLUESHIELD", "MEDICARE", "MEDICAID", "RXBIN", "RXGROUP", "RXPCN", "DENTAL",
                       "HEALTHPLAN", "PAYERID", "GROUPNUMBER"),
    # Not "MAESTRO": it is also a surname. PayWave and PayPass are a card's contactless marks.
    "payment_card": ("VALIDTHRU", "GOODTHRU", "MASTERCARD", "AMERICANEXPRESS", "DEBIT", "CREDITCARD",
                     "PAYWAVE", "PAYPASS"),
    "social_security_card": ("SOCIALSECURITY",),
    # A business card's labels of its telephone and fax numbers in Chinese and Japanese print
    # (traditional, simplified and mixed forms, as read), and its company's head office: no
    # identity document lists a holder's telephone.
    "business_card": ("電話", "电话", "電话", "电話", "傳真", "传真", "HEADOFFICE"),
}
# A US Social Security card's number, a line of its own (its arched title is seldom read). Not
# a date with a stray mark before it: a month and a year as its last two groups.
SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
DATE_TAIL = re.compile(r".*-(0[1-9]|1[0-2])-(19|20)\d\d")
EMAIL = re.compile(r"[A-Z0-9._%+-]+@[A-Z0-9-]+(\.[A-Z0-9-]+)*\.[A-Z]{2,}")  # a business card's
# ...unless a line holds an address at a government's domain: an issuing authority prints its help
# desk's e-mail and web addresses (an Aadhaar card's back: "help@uidai.gov.in").
GOVERNMENT_ADDRESS = re.compile(r"[@.](GOV|GOUV|GOB|GOVT|GO)(\.|$)")
# A payment card's number: four groups of four digits, a row of its own (embossed or printed
# across the card; its groups may be found as separate lines, joined again by row). No identity
# card prints its number so: grouped ID numbers (an Aadhaar's three groups) are shorter. Sixteen
# digits read as one run (an Indonesian NIK has as many) or two groups of eight (a Thai licence
# prints two 8-digit fields side by side: its re-sent copies were sure "payment card" when that
# counted, though a real card's number was read so) are no evidence.
CARD_NUMBER = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
# A sum of money as a line of its own ("$200"): a gift or prepaid card's value. No identity
# document prints one. Two to four digits only: a licence number read with its "S" taken for
# "$" is longer.
AMOUNT = re.compile(r"[$€£]\d{2,4}([.,]\d\d)?")
# "MONTH/YEAR" labels a payment card's dates (the recogniser often drops the slash); an identity
# document's "DAY/MONTH/YEAR" under a date of birth is not it.
PAYMENT_DATES = re.compile(r"(?<!DAY)(?<!DAY/)MONTH/?YEAR")
# Read as a line of their own: "THRU" ("VALID" or "GOOD" and "THRU" boxed apart, another label
# between them in reading order), and a card network's logo, "VISA" (a real Visa render's). Too
# short to look for inside other words: "VISA" is also printed in a residence permit's title.
PAYMENT_LINES = ("THRU", "VISA")
MAX_LINES = 16  # the longest lines are read (a card's terms are among them): the cost is bounded
# A line is read only when it runs along the way it is read (the recogniser reads left to right)
# and is tall enough to hold letters.
MIN_ALONG = 1.5
MIN_HEIGHT = 4.0


def other_card(gray: np.ndarray, lines: tuple[np.ndarray, ...]) -> str | None:
    """The kind of non-identity card ("insurance_card", "payment_card", "social_security_card",
    "business_card", "gift_card") whose words `lines` (4-point boxes in `gray`'s pixels, the
    document's lines of print) carry, or None. Lines running across the photo are read as they
    lie; lines running down it (a card lying a quarter turned) are read with the photo turned a
    quarter each way, since which way they read is not known. Costs about 40 ms a line read
    (MAX_LINES at most each way)."""
    across = [box for box in lines if _readable(box[:, 0], box[:, 1])]
    down = [box for box in lines if _readable(box[:, 1], box[:, 0])]
    kind = _words_of(gray, across)
    for quarter in (90, 270):
        if kind is not None or not down:
            break
        kind = _words_of(mrz_zone.turn(gray, quarter),
                         [turned_points(box, quarter, gray.shape) for box in down])
    return kind


def _readable(along: np.ndarray, across: np.ndarray) -> bool:
    """A line whose extent `along` the reading direction is MIN_ALONG times its extent `across`
    it and that is MIN_HEIGHT tall (the recogniser reads left to right, letters need height)."""
    return bool(np.ptp(along) >= MIN_ALONG * np.ptp(across) and np.ptp(across) >= MIN_HEIGHT)


def _words_of(gray: np.ndarray, lines: list[np.ndarray]) -> str | None:
    """other_card's answer from `lines` that run across `gray`: the MAX_LINES longest read."""
    readable = sorted(lines, key=lambda box: -float(np.ptp(box[:, 0])))[:MAX_LINES]
    if not readable:
        return None
    # In reading order, so that the words of a term split over two found lines ("BLUE" "CROSS")
    # are joined again.
    # (Rows a line's height apart, one height for all: words of one line boxed a little taller or
    # shorter than each other stay on it.)
    row = max(float(np.median([np.ptp(box[:, 1]) for box in readable])), 1.0)
    readable.sort(key=lambda box: (round(float(box[:, 1].mean()) / row), float(box[:, 0].min())))
    texts = mrz_ocr.read_lines(gray, readable)
    return kind_of_card(texts, _rows(readable, texts, row))


def kind_of_card(texts: list[str], rows: list[str]) -> str | None:
    """other_card's answer from the lines read (`texts`, in reading order) and the same texts
    joined row by row (`rows`)."""
    read = [re.sub(r"\s+", "", line.upper()) for line in texts]
    words = "".join(read)
    if EMAIL.search(words) and not any(GOVERNMENT_ADDRESS.search(line) for line in read):
        return "business_card"
    if any(ssn_line(line) for line in read):
        return "social_security_card"
    if PAYMENT_DATES.search(words) or any(line in PAYMENT_LINES for line in read) or any(
            CARD_NUMBER.fullmatch(line) for line in rows):
        return "payment_card"
    if any(AMOUNT.fullmatch(line) for line in read):
        return "gift_card"
    return next((kind for kind, terms in WORDS.items() if any(term in words for term in terms)), None)


def ssn_line(line: str) -> bool:
    """A line read (spaces taken out) that is a US Social Security number alone, not a date
    after a field's number ("4 12-05-2020")."""
    return SSN.fullmatch(line) is not None and DATE_TAIL.fullmatch(line) is None


def _rows(boxes: list[np.ndarray], texts: list[str], height: float) -> list[str]:
    """The texts read on `boxes` joined row by row, left to right, single spaced: a line whose
    centre is within half a line `height` of the previous one's (top to bottom) is on its row,
    however the card is turned a little."""
    rows: list[list[tuple[float, float, str]]] = []
    for box, text in sorted(zip(boxes, texts, strict=True), key=lambda pair: float(pair[0][:, 1].mean())):
        centre = float(box[:, 1].mean())
        if not rows or centre - rows[-1][-1][0] > height / 2:
            rows.append([])
        rows[-1].append((centre, float(box[:, 0].min()), str(text)))
    return [" ".join(" ".join(text for _, _, text in sorted(row, key=lambda part: part[1])).split())
            for row in rows]

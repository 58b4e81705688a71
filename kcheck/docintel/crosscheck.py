"""Cross-checks shown to the reviewer: signals, never verdicts. Pure functions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date

# ICAO 9303 transliterations that differ from simply dropping the accent.
_TRANSLIT = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Æ": "AE", "Ø": "OE", "Å": "AA",
             "Œ": "OE", "Þ": "TH", "Ð": "D", "Ł": "L"}
# MRZ document codes (first letter) for each document type the person may choose.
DOCUMENT_CODES = {"id_card": ("I", "A", "C"), "passport": ("P",)}
NAME_MATCH = 0.85  # similarity at or above which names are shown as matching


def name_tokens(name: str, icao: bool) -> list[str]:
    """Upper-case ASCII words; `icao` applies the MRZ transliteration (Ü -> UE)."""
    text = name.upper()
    if icao:
        text = "".join(_TRANSLIT.get(c, c) for c in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return [t for t in re.split(r"[^A-Z]+", text) if t]


def name_similarity(expected: str | None, surname: str, given_names: str) -> float | None:
    """0..1 between the requester's expected holder name and the MRZ name, whatever the word
    order ("Anna Müller" = "MUELLER<<ANNA") and accents. None when nothing to compare."""
    if not expected or not (surname or given_names):
        return None
    mrz = sorted(name_tokens(f"{surname} {given_names}", icao=False))
    best = 0.0
    for icao in (True, False):  # Müller is MUELLER in an MRZ, MULLER in some systems
        words = sorted(name_tokens(expected, icao))
        best = max(best, _token_ratio(words, mrz))
    return round(best, 3)


def _token_ratio(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    whole = difflib.SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
    # The MRZ may leave out middle names, or cut long names: score the shorter side's words.
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    pieces = [max(difflib.SequenceMatcher(None, w, o).ratio() for o in long_) for w in short]
    return max(whole, 0.9 * sum(pieces) / len(pieces))


def name_signal(similarity: float | None) -> str:
    if similarity is None:
        return "not_compared"
    return "match" if similarity >= NAME_MATCH else "mismatch"


def document_type_signal(chosen: str | None, mrz_document_type: str | None) -> str:
    """match / mismatch / unknown between the type the person chose and the MRZ code."""
    if not chosen or not mrz_document_type:
        return "unknown"
    codes = DOCUMENT_CODES.get(chosen, ())
    return "match" if mrz_document_type[:1] in codes else "mismatch"


def expiry_signal(expiry_iso: str | None, today: date) -> str:
    """valid / expired / unknown."""
    if not expiry_iso:
        return "unknown"
    return "expired" if date.fromisoformat(expiry_iso) < today else "valid"


def country_signal(location_alpha2: str | None, nationality: str | None,
                   issuing_country: str | None) -> str:
    """same / different / unknown: the MRZ's nationality or issuing state against the country
    of the person's geolocation. Living abroad is normal: this is only a hint."""
    if not location_alpha2 or not (nationality or issuing_country):
        return "unknown"
    located = alpha3(location_alpha2)
    if located is None:
        return "unknown"
    return "same" if located in {nationality, issuing_country} else "different"


def alpha3(alpha2: str) -> str | None:
    """ISO 3166 alpha-2 to the alpha-3 an MRZ uses (Germany is 'D' in an MRZ)."""
    from kcheck.docintel.countries import ALPHA3

    return ALPHA3.get(alpha2.upper())

"""Whether the values of an MRZ make sense, judged apart from its check digits: a specimen
whose check digits all pass may still carry an impossible birth date, and a reviewer should
be told which of the two went wrong."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from kcheck.docintel.countries import ALPHA3


class MrzReading(Protocol):
    """What is judged of a reading (kcheck.docintel.mrz.MrzReading, which imports this)."""

    fields: dict
    dates_as_written: dict

# Codes ICAO 9303 part 3 allows besides ISO 3166 (Germany is "D"): organisations, refugees
# and stateless persons, British nationals of other kinds, and the specimen state Utopia.
ICAO_CODES = {"D", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "UNA", "UNK", "UNO", "XBA",
              "XCC", "XCE", "XCO", "XDC", "XEC", "XES", "XIM", "XMP", "XOM", "XPO", "XXA",
              "XXB", "XXC", "XXX", "UTO"}
KNOWN_CODES = frozenset(ALPHA3.values()) | ICAO_CODES
DOCUMENT_CODES = "ACIPV"  # first letter of the document code: ID cards, passports, visas
# What each judgement may say, for the review page's wording.
# "look_alike": a code read unknown, made known by a letter the recogniser also found likely
# there (kcheck.docintel.mrz._repair_codes): to compare with the page.
VERDICTS = ("ok", "not_a_date", "in_future", "before_birth", "unknown_code", "look_alike",
            "unknown")


def judge(reading: MrzReading, today: date) -> dict[str, str]:
    """field -> "ok" or the problem, for each judged field present in the zone."""
    fields = reading.fields
    verdicts = {"document_type": _document_code(fields.get("document_type") or "")}
    for name in ("issuing_country", "nationality"):
        if fields.get(name) is not None:
            verdicts[name] = "ok" if fields[name] in KNOWN_CODES else "unknown_code"
    birth = _date_verdict(reading, "birth_date")
    if birth == "ok" and date.fromisoformat(fields["birth_date"]) > today:
        birth = "in_future"
    verdicts["birth_date"] = birth
    if "expiry_date" in reading.dates_as_written:
        expiry = _date_verdict(reading, "expiry_date")
        if expiry == "ok" and birth == "ok" and fields["expiry_date"] <= fields["birth_date"]:
            expiry = "before_birth"
        verdicts["expiry_date"] = expiry
    verdicts["sex"] = "ok" if fields.get("sex") in ("M", "F", "X", "<") else "unknown"
    return verdicts


def _document_code(code: str) -> str:
    return "ok" if code[:1] in DOCUMENT_CODES and code[:1] else "unknown_code"


def _date_verdict(reading: MrzReading, name: str) -> str:
    return "ok" if reading.fields.get(name) is not None else "not_a_date"

"""The MRZ part of the case page says, in the reviewer's language, which check digit failed
and, apart from that, which value does not make sense."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template

from kcheck.docintel.mrz import parse
from kcheck.docintel.summary import mrz_part

TODAY = date(2026, 12, 1)
# Every check digit passes, but the specimen says born on 29 February 1911.
IMPOSSIBLE_BIRTH = ["P<CZESPECIMEN<<VZOR<<<<<<<<<<<<<<<<<<<<<<<<<",
                    "99006000<8CZE1102299F16090641152291111<<<<24"]
# The ICAO specimen with its expiry check digit changed from 9 to 3.
WRONG_EXPIRY_DIGIT = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                      "L898902C36UTO7408122F1204153ZE184226B<<<<<10"]


def shown(app, lines: list[str], language: str) -> str:
    assists = {"state": "ready", "mrz": mrz_part(parse(lines, TODAY), "passport_page", TODAY),
               "name": {"state": "not_compared", "similarity": None},
               "document_type": {"state": "match"}, "expiry": {"state": "expired"},
               "country": {"state": "unknown"}, "face_match": {"state": "not run: no consent"},
               "reuse": {"state": "none", "flags": []}}
    with app.test_request_context("/review/", headers={"Accept-Language": language}):
        return " ".join(render_template("review/_assists.html", assists=assists).split())


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["every check digit passes", "Date of birth: passes", "Composite (the whole zone): passes",
            "Date of birth: <strong>not a calendar date</strong>"]),
    ("fr", ["tous les chiffres de contrôle sont justes", "Date de naissance: juste",
            "Date de naissance: <strong>pas une date du calendrier</strong>"]),
])
def test_a_zone_whose_checks_pass_but_whose_birth_date_is_impossible(app, language, words):
    html = shown(app, IMPOSSIBLE_BIRTH, language)
    for text in words:
        assert text in html
    assert "<strong>fails</strong>" not in html and "<strong>faux</strong>" not in html


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["a check digit fails", "Date of expiry: <strong>fails</strong>",
            "Composite (the whole zone): <strong>fails</strong>", "Date of birth: passes",
            "dates, codes and sex make sense"]),
    ("fr", ["un chiffre de contrôle est faux", "Date d&#39;expiration: <strong>faux</strong>",
            "Composite (toute la zone): <strong>faux</strong>",
            "dates, codes et sexe vraisemblables"]),
])
def test_a_zone_with_a_wrong_check_digit_names_it(app, language, words):
    html = shown(app, WRONG_EXPIRY_DIGIT, language)
    for text in words:
        assert text in html


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Document number: passes once a look-alike character is repaired: compare with the page",
            "Date of birth: passes"]),
    ("fr", ["juste une fois un caractère sosie corrigé : comparer avec la page"]),
])
def test_a_document_number_that_passes_only_once_repaired_says_so(app, language, words):
    # The ICAO specimen's number L898902C3 read as L8989O2C3, the recogniser unsure of the O.
    from kcheck.docintel.mrz_ocr import OcrLine

    lines = [OcrLine("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", ("",) * 44),
             OcrLine("L8989O2C36UTO7408122F1204159ZE184226B<<<<<10", ("",) * 5 + ("0",) + ("",) * 38)]
    html = shown(app, lines, language)
    for text in words:
        assert text in html
    assert "L898902C3" in html


def test_a_zone_read_without_repair_shows_plain_passes(app):
    html = shown(app, WRONG_EXPIRY_DIGIT, "en")
    assert "look-alike" not in html and "Document number: passes" in html


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Nationality: <strong>a look-alike letter was put right to give a known code: "
            "compare with the page</strong>", "Document number: passes"]),
    ("fr", ["<strong>une lettre sosie a été corrigée pour donner un code connu : comparer avec "
            "la page</strong>"]),
])
def test_a_country_code_put_right_from_a_look_alike_letter_says_so(app, language, words):
    # The ICAO specimen's nationality UTO read as UT with a D, the recogniser also giving O a
    # chance there: the reviewer is sent to the page, as no check digit covers the code.
    from kcheck.docintel.mrz_ocr import OcrLine

    lines = [OcrLine("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", ("",) * 44),
             OcrLine("L898902C36UTD7408122F1204159ZE184226B<<<<<10", ("",) * 12 + ("O",) + ("",) * 31)]
    html = shown(app, lines, language)
    for text in words:
        assert text in html
    assert "UTO" in html

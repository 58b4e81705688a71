"""MRZ text: every ICAO 9303 check digit, field-type correction, and malformed zones."""

from datetime import date

import pytest

from kcheck.docintel.mrz import check_digit, parse
from kcheck.docintel.mrz_ocr import OcrLine
from tests.fixtures.mrz_documents import CHECK_POSITIONS, random_spec

TODAY = date(2026, 11, 25)
FORMATS = ("TD1", "TD2", "TD3")


def test_check_digit_of_the_icao_specimen():
    # ICAO 9303 part 4 specimen passport: L898902C3 -> 6, 740812 -> 2, 120415 -> 9.
    assert (check_digit("L898902C3"), check_digit("740812"), check_digit("120415")) == \
        ("6", "2", "9")


def test_icao_specimen_passport_reads_field_by_field():
    reading = parse(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                     "L898902C36UTO7408122F1204159ZE184226B<<<<<10"], TODAY)
    assert reading.valid and reading.format == "TD3"
    assert reading.fields == {
        "document_type": "P", "issuing_country": "UTO", "surname": "ERIKSSON",
        "given_names": "ANNA MARIA", "document_number": "L898902C3", "nationality": "UTO",
        "birth_date": "1974-08-12", "sex": "F", "expiry_date": "2012-04-15",
        "personal_number": "ZE184226B"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_zones_generated_by_the_mrz_package_are_valid(fmt):
    for seed in range(25):
        spec = random_spec(fmt, seed)
        reading = parse(spec.lines(), TODAY)
        assert reading.valid, (spec.lines(), reading.checks)
        assert reading.fields["document_number"] == spec.document_number
        assert reading.fields["nationality"] == spec.nationality.ljust(3, "<").rstrip("<")


@pytest.mark.parametrize(("fmt", "check"),
                         [(fmt, check) for fmt in FORMATS for check in CHECK_POSITIONS[fmt]])
def test_a_wrong_check_digit_is_named_and_the_zone_is_invalid(fmt, check):
    for seed in range(6):
        reading = parse(random_spec(fmt, seed, broken_check=check).lines(), TODAY)
        assert reading.found and not reading.valid
        assert check in reading.failed_checks
        if check != "composite":  # a changed check digit also changes the composite's input
            assert set(reading.failed_checks) <= {check, "composite"}


def test_letters_read_as_digits_in_names_and_digits_as_letters_in_dates_are_corrected():
    lines = random_spec("TD1", 3).lines()  # MEIER<<LUCA<MARIA, born 1954-11-16
    ocr = [lines[0], lines[1][:2].replace("5", "S") + lines[1][2:],
           lines[2].replace("E", "3", 1).replace("I", "1")]
    reading = parse(ocr, TODAY)
    assert reading.valid
    assert (reading.fields["surname"], reading.fields["given_names"]) == ("MEIER", "LUCA MARIA")


def test_o_and_0_in_a_document_number_are_resolved_by_its_check_digits():
    specimen = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    misread = [specimen[0], specimen[1].replace("L898902C3", "L8989O2C3")]
    reading = parse(misread, TODAY)
    assert reading.valid and reading.fields["document_number"] == "L898902C3"
    assert reading.corrected == ["document_number"]


def test_a_check_digit_repairs_only_a_character_the_recogniser_was_unsure_of():
    # The recogniser read "L8989O2C3" and says how sure it was of each character.
    specimen = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"]
    unsure = [OcrLine(specimen[0], ("",) * 44),
              OcrLine(specimen[1], ("",) * 5 + ("0",) + ("",) * 38)]
    repaired = parse(unsure, TODAY)
    assert repaired.valid and repaired.fields["document_number"] == "L898902C3"
    assert repaired.corrected == ["document_number"]
    # Read with confidence, the same O is what was printed: the check fails and says so.
    sure = [OcrLine(line, ("",) * 44) for line in specimen]
    reading = parse(sure, TODAY)
    assert reading.fields["document_number"] == "L8989O2C3" and reading.corrected == []
    assert reading.failed_checks == ["document_number", "composite"]


def test_a_specimen_printed_with_a_wrong_check_digit_is_not_repaired_into_another_number():
    # 00120186 printed with check digit 8: reading the first 0 as O would pass; the
    # recogniser was sure of it, so the zone reports the failing check as printed.
    lines = ["P<AFGSPECIMEN<<SPECIMEN<<<<<<<<<<<<<<<<<<<<<",
             "00120186<8AFG8001014M1710135<<<<<<<<<<<<<<<4"]
    assert check_digit("O0120186<") == "8"
    assert parse(lines, TODAY).fields["document_number"] == "O0120186"  # text alone: a guess
    reading = parse([OcrLine(line, ("",) * 44) for line in lines], TODAY)
    assert reading.fields["document_number"] == "00120186" and reading.corrected == []
    assert "document_number" in reading.failed_checks


def test_a_number_full_of_look_alikes_is_fixed_by_the_fewest_swaps():
    # X50O05D00 misread X50O05DO0: swapping two other look-alikes (5 -> S, D -> 0) passes the
    # check digits too, but one swap is what OCR slips by.
    lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
             "X50O05D000UTO7408122F1204159ZE184226B<<<<<12"]
    assert parse(lines, TODAY).valid
    reading = parse([lines[0], lines[1].replace("X50O05D00", "X50O05DO0")], TODAY)
    assert reading.valid and reading.fields["document_number"] == "X50O05D00"
    assert reading.corrected == ["document_number"]


def test_a_speck_read_after_the_fillers_of_the_names_is_no_name():
    visa = ["VDGBRMUNIR<<FAISAL<<<<<<<<<<<<<<<<<O", "AD07259817PAK7608151M0611165<<<<<<<<"]
    reading = parse(visa, TODAY)
    assert (reading.fields["surname"], reading.fields["given_names"]) == ("MUNIR", "FAISAL")
    two_names = parse(["P<UTOERIKSSON<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<M",
                       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"], TODAY)
    assert two_names.fields["given_names"] == "ANNA"
    doubled = parse(["P<UTOERIKSSON<<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<",
                     "L898902C36UTO7408122F1204159ZE184226B<<<<<10"], TODAY)
    assert doubled.fields["given_names"] == "ANNA"


def test_a_character_lost_before_the_country_code_is_put_back():
    specimen = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    reading = parse([specimen[0].replace("P<", "P", 1), specimen[1]], TODAY)
    assert (reading.fields["issuing_country"], reading.fields["surname"]) == ("UTO", "ERIKSSON")
    card = ["IDFRAX4RTBPFW46<<<<<<<<<<<<<<<", "9007138F3002119FRA<<<<<<<<<<<6",
            "MARTIN<<MAELYS<GAELLE<MARIE<<<"]
    assert parse(card, TODAY).valid
    reading = parse([card[0][1:], *card[1:]], TODAY)  # the I of ID faded
    assert reading.valid and reading.fields["document_number"] == "X4RTBPFW4"
    # A header that reads well is left alone, even when a code hides one place early.
    assert parse(card, TODAY).fields["issuing_country"] == "FRA"


def test_other_misreads_in_a_document_number_are_not_guessed_away():
    specimen = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    for misread in ("L898902CE", "L89B902C3", "LB98902C3"):
        reading = parse([specimen[0], specimen[1].replace("L898902C3", misread)], TODAY)
        assert not reading.valid and "document_number" in reading.failed_checks, misread


def test_a_missing_or_doubled_filler_is_absorbed():
    lines = random_spec("TD3", 2).lines()
    assert parse([lines[0][:-1], lines[1].replace("<<<", "<<<<", 1)], TODAY).valid


def test_text_that_is_not_an_mrz_is_not_found():
    assert not parse(["PASSPORT/PASS/PASSEPORT", "Document no.: X123"]).found
    assert not parse([]).found
    assert not parse([]).valid


def test_s_read_as_5_in_a_document_number_is_resolved_by_the_check_digits_unless_ambiguous():
    japan = ["P<JPNGAIMU<<SAKURA<<<<<<<<<<<<<<<<<<<<<<<<<<",
             "X512345673JPN7902206F1603202<<<<<<<<<<<<<<02"]  # printed XS1234567
    reading = parse(japan, TODAY)
    assert reading.valid and reading.fields["document_number"] == "XS1234567"
    spain = ["IDESPBAA0D0589599999999R<<<<<<", "8001014F2501017ESP<<<<<<<<<<<7",
             "ESPANOLA<ESPANOLA<<CARMEN<<<<<"]  # printed BAA000589
    reading = parse(spain, TODAY)
    # BAA000589 and BAA0D0S89 both pass both check digits: no guess is made.
    assert not reading.valid and reading.corrected == []
    assert reading.failed_checks == ["document_number", "composite"]


UTOPIA = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
          "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def _sure(lines, unsure=None):
    """The lines as the recogniser reads them, sure of every character except `unsure`:
    {(line, position): the other characters it found likely there}."""
    unsure = unsure or {}
    return [OcrLine(line, tuple(unsure.get((row, i), "") for i in range(len(line))))
            for row, line in enumerate(lines)]


def test_a_country_code_read_with_a_look_alike_letter_is_put_right_and_said_so():
    # Monaco's M read as N: "NCO" is no code, and the recogniser also found M likely there.
    card = ["I<MCOD231458907<<<<<<<<<<<<<<<", "7408122F1204159MCO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
    assert parse(card, TODAY).valid
    misread = [card[0], card[1].replace("MCO", "NCO"), card[2]]
    reading = parse(_sure(misread, {(1, 15): "M"}), TODAY)
    assert reading.valid and reading.fields["nationality"] == "MCO"
    assert reading.plausibility["nationality"] == "look_alike"
    assert "nationality" in reading.implausible and reading.corrected == ["nationality"]
    # Sure of the N, or read as plain text (no doubts): the code stays as read, unknown.
    for lines in (_sure(misread), misread):
        reading = parse(lines, TODAY)
        assert reading.fields["nationality"] == "NCO"
        assert reading.plausibility["nationality"] == "unknown_code"


def test_a_country_code_with_two_known_look_alikes_is_not_guessed():
    # "UT0" read for UTO would be fine (a digit in a code is its letter); "XTO" with the X
    # doubted for U and for I gives UTO and ITO: ITO is no code, so UTO. With both the first
    # and the last letter doubted into known codes (NOR, MOZ from "MOR"), nothing is chosen.
    passport = [UTOPIA[0].replace("UTO", "XTO"), UTOPIA[1]]
    reading = parse(_sure(passport, {(0, 2): "UI"}), TODAY)
    assert reading.fields["issuing_country"] == "UTO"
    assert reading.plausibility["issuing_country"] == "look_alike"
    two = [UTOPIA[0].replace("UTO", "MOR"), UTOPIA[1]]
    reading = parse(_sure(two, {(0, 2): "N", (0, 4): "Z"}), TODAY)
    assert reading.fields["issuing_country"] == "MOR" and reading.corrected == []
    assert reading.plausibility["issuing_country"] == "unknown_code"


def test_a_character_read_before_the_first_line_does_not_shift_its_codes_and_names():
    # A punched hole or the card's edge read as a letter before the first line: fitted to 44
    # characters, the country code would read "P<U" and the names would start with TO.
    reading = parse(["K" + UTOPIA[0], UTOPIA[1]], TODAY)
    assert (reading.fields["issuing_country"], reading.fields["surname"]) == ("UTO", "ERIKSSON")
    assert reading.valid and not reading.implausible


def test_a_line_holding_a_document_number_is_not_shifted_to_make_it_pass():
    # A number misread one character short ("78WT2KD" for Z8WHTZKD): begun one place later,
    # "<78WT2KD<" happens to pass its check digit and the composite (one time in ten).
    lines = ["PPGBRDE<LA<CROIX<<NOAH<<<<<<<<<<<<<<<<<<<<<<",
             "Z8WHTZKD<1GBR9709074F2909152<<<<<<<<<<<<<<08"]
    assert parse(lines, TODAY).valid and check_digit("<78WT2KD<") == "1"
    reading = parse([lines[0], lines[1].replace("Z8WHTZKD", "78WT2KD")], TODAY)
    assert not reading.valid
    # Nor is a character read before the line dropped: "1L898902C3..." fails as read.
    assert not parse([UTOPIA[0], "1" + UTOPIA[1]], TODAY).valid

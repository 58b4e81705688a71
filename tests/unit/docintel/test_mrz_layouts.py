"""MRZ layouts beyond TD1/TD2/TD3 (visas, French identity card, Russian internal passport),
and check digits reported apart from plausibility: a reader is told exactly what failed."""

from datetime import date

from mrz.base.functions import hash_string

from kcheck.docintel.mrz import parse
from tests.fixtures.mrz_documents import random_spec

TODAY = date(2026, 12, 1)
# Czech passport specimen: every check digit passes, but it says born on 29 February 1911.
CZECH_SPECIMEN = ["P<CZESPECIMEN<<VZOR<<<<<<<<<<<<<<<<<<<<<<<<<",
                  "99006000<8CZE1102299F16090641152291111<<<<24"]


def test_a_specimen_with_an_impossible_birth_date_is_valid_and_says_why_it_is_implausible():
    reading = parse(CZECH_SPECIMEN, TODAY)
    assert reading.valid and reading.failed_checks == []
    assert reading.checks == dict.fromkeys(
        ("document_number", "birth_date", "expiry_date", "personal_number", "composite"), True)
    assert reading.plausibility["birth_date"] == "not_a_date"
    assert reading.implausible == ["birth_date"]
    assert reading.dates_as_written["birth_date"] == "110229"
    assert reading.fields["birth_date"] is None


def test_a_wrong_check_digit_is_named_and_plausibility_is_still_judged():
    lines = random_spec("TD3", 3, broken_check="expiry_date").lines()
    reading = parse(lines, TODAY)
    assert not reading.valid
    assert set(reading.failed_checks) == {"expiry_date", "composite"}
    assert reading.implausible == []
    assert reading.to_json()["failed_checks"] == reading.failed_checks


def test_expiry_before_birth_and_unknown_codes_are_implausible_not_invalid():
    iceland = ["PAISLAEVARSDOTTIR<<THURIDUR<OESP<<<<<<<<<<<<",
               "A2040611<0ISL1212123F1106297121212<1239<<<66"]
    reading = parse(iceland, TODAY)
    assert reading.valid and reading.plausibility["expiry_date"] == "before_birth"
    interpol = ["P<INPSPECIMEN<<SAMPLE<<<<<<<<<<<<<<<<<<<<<<<",
                "XX000000<0FRA7501012F19073021234567890<<<<70"]
    reading = parse(interpol, TODAY)
    assert reading.valid
    assert reading.plausibility["issuing_country"] == "unknown_code"
    assert reading.plausibility["nationality"] == "ok"


def test_germany_and_utopia_are_known_codes():
    reading = parse(random_spec("TD1", 6).lines(), TODAY)  # issued by "D"
    assert reading.fields["issuing_country"] == "D"
    assert reading.implausible == []


def test_visas_have_no_composite_check():
    mrva = parse(["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                  "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"], TODAY)
    mrvb = parse(["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                  "L8988901C4XXX4009078F9612109<<<<<<<<"], TODAY)
    for reading, fmt in ((mrva, "MRVA"), (mrvb, "MRVB")):
        assert reading.valid and reading.format == fmt
        assert list(reading.checks) == ["document_number", "birth_date", "expiry_date"]
        assert reading.fields["document_number"] == "L8988901C"
        assert reading.fields["nationality"] == "XXX"
    assert mrva.fields["personal_number"] == "6ZE184226B"


def test_french_identity_card_reads_its_own_layout():
    reading = parse(["IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013",
                     "0506932020438CHRISTIANE<<NI2906209F3"], TODAY)
    assert reading.valid and reading.variant == "FRA-CNI"
    assert list(reading.checks) == ["document_number", "birth_date", "composite"]
    assert (reading.fields["surname"], reading.fields["given_names"]) == ("DOUEL", "CHRISTIANE NI")
    assert reading.fields["document_number"] == "050693202043"
    assert reading.fields["birth_date"] == "1929-06-20"
    assert reading.fields["expiry_date"] is None and "expiry_date" not in reading.plausibility


def test_french_identity_card_names_read_with_digits_still_pass_the_composite():
    # O read as 0 and I as 1 in the names, which the composite covers: names hold letters only.
    reading = parse(["IDFRAD0UEL<<<<<<<<<<<<<<<<<<<<932013",
                     "0506932020438CHR1STIANE<<NI2906209F3"], TODAY)
    assert reading.valid and reading.variant == "FRA-CNI"
    assert (reading.fields["surname"], reading.fields["given_names"]) == ("DOUEL", "CHRISTIANE NI")


def test_french_identity_card_with_a_wrong_composite_names_it():
    reading = parse(["IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013",
                     "0506932020438CHRISTIANE<<NI2906209F4"], TODAY)
    assert reading.variant == "FRA-CNI" and reading.failed_checks == ["composite"]


def russian_internal(surname_mrz: str, given_mrz: str) -> list[str]:
    """A Russian internal passport zone with check digits from the `mrz` package."""
    line1 = f"PNRUS{surname_mrz}<<{given_mrz}".ljust(44, "<")
    number, birth, optional = "450923585", "780913", "4120604770001<"
    line2 = (f"{number}{hash_string(number)}RUS{birth}{hash_string(birth)}M<<<<<<<"
             f"{optional}{hash_string(optional)}")
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return [line1, line2 + hash_string(composite)]


def test_russian_internal_passport_has_no_expiry_to_check():
    lines = russian_internal("IMIAREK", "EVGENII<VLADIMIROVI3")
    assert len(lines[1]) == 44
    reading = parse(lines, TODAY)
    assert reading.valid and reading.variant == "RUS-internal"
    assert "expiry_date" not in reading.checks and reading.fields["expiry_date"] is None
    assert reading.fields["given_names"] == "EVGENII VLADIMIROVICH"
    assert reading.fields["personal_number"] == "4120604770001"


def test_russian_internal_passport_names_are_transliterated_letter_by_letter():
    reading = parse(russian_internal("4EVH8KOV", "ALEKSANDR"), TODAY)  # ШЕВХЯКОВ
    assert reading.fields["surname"] == "SHEVKHIAKOV"

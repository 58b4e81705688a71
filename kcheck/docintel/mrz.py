"""Machine-readable zones (ICAO 9303 TD1, TD2, TD3, visas MRV-A and MRV-B, and the national
layouts of the French identity card and the Russian internal passport): parse OCR text,
correct characters by field type, validate every check digit. Pure text in, MrzReading out;
reading the image is mrz_zone's job, judging whether the values make sense is
mrz_plausibility's."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from kcheck import clock
from kcheck.docintel.mrz_plausibility import DOCUMENT_CODES, KNOWN_CODES, judge

# layout -> (lines, characters per line); visas and national variants share these shapes.
FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
FIELD_NAMES = ("document_type", "issuing_country", "surname", "given_names", "document_number",
               "nationality", "birth_date", "sex", "expiry_date", "personal_number")
# Every check digit a zone may carry, in the order a reviewer reads them.
CHECK_NAMES = ("document_number", "birth_date", "expiry_date", "personal_number", "composite")

# OCR confusions, resolved by what a field may contain.
TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1",
                          "J": "1", "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7",
                          "A": "4"})
TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "3": "E", "4": "A", "5": "S", "6": "G",
                           "7": "T", "8": "B"})
# In a document number both O and 0 are legal, and OCR-B's O and 0 are the pair OCR confuses
# most, then S and 5 (and D read for 0): the check digits decide between them. Only these
# pairs are tried, and only a single reading passing the number's check digit and the
# composite one among those with the fewest swaps is accepted: each check is a weighted sum
# modulo 10 (and the composite weighs the number as its own check does, so it rarely tells
# more), so every extra candidate is another chance of "fixing" a misread into a wrong number.
# I and 1 are left out for that reason: with them, simulated numbers with a misread outside
# the pairs (B for 8, E for 3) were "fixed" wrongly about twice as often (35 % against 20 %).
AMBIGUOUS = {"0": "O", "O": "0", "D": "0", "5": "S", "S": "5"}
MAX_AMBIGUOUS = 9  # every character of a 9-character number: at most 512 candidates
MAX_SHIFT = 2  # characters read before a first line that are tried away
# Russian internal passports write Cyrillic names with one Latin letter or digit per letter
# (Order of the Russian Ministry of Internal Affairs); shown here in ICAO 9303 transliteration.
RUSSIAN_NAME = {"2": "E", "3": "CH", "4": "SH", "6": "E", "7": "IU", "8": "IA", "9": "",
                "C": "TS", "H": "KH", "J": "ZH", "Q": "I", "W": "SHCH", "X": "IE"}


def char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - 55
    return 0  # the filler '<'


def check_digit(text: str) -> str:
    """The ICAO 9303 check digit: weights 7, 3, 1 repeating, modulo 10."""
    return str(sum(char_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(text)) % 10)


def clean_line(raw: str) -> str:
    """OCR output to MRZ alphabet: upper case, no spaces, anything unknown read as '<'. No
    line of a zone begins with a filler or a lower-case letter: what comes before the first
    capital or digit is the edge of the card or text beside the zone."""
    return "".join(char for char, _ in _cleaned(raw, ("",) * len(raw)))


def _cleaned(raw: str, doubts) -> list[tuple[str, str]]:
    """clean_line, character by character, each with the recogniser's doubts about it."""
    start = re.search(r"[A-Z0-9]|$", raw).start()
    out = []
    for char, doubt in zip(raw[start:].rstrip(), doubts[start:], strict=False):
        for upper in char.upper():
            if upper == " ":
                continue
            for one in {"«": "<<", "‹": "<", "×": "X"}.get(upper, upper):
                out.append((one if re.fullmatch(r"[A-Z0-9<]", one) else "<", doubt))
    return out


def fit_length(line: str, length: int) -> str:
    """Grow or shrink the longest run of fillers (OCR often misses or repeats one '<')."""
    return "".join(line[i] if i >= 0 else "<" for i in _fitted(line, length))


def _fitted(line: str, length: int) -> list[int]:
    """fit_length as positions in `line` (-1 for a filler put in)."""
    if len(line) == length:
        return list(range(length))
    runs = list(re.finditer(r"<{2,}", line))
    if not runs:
        kept = list(range(min(len(line), length)))
        return kept + [-1] * (length - len(kept))
    run = max(runs, key=lambda m: m.end() - m.start())
    width = max(0, run.end() - run.start() + length - len(line))
    fitted = [*range(run.start()), *[-1] * width, *range(run.end(), len(line))][:length]
    return fitted + [-1] * (length - len(fitted))


@dataclass
class MrzReading:
    """What one MRZ says, whether its check digits agree (`checks`, one per check digit the
    layout has) and whether its values make sense (`plausibility`, one per field judged)."""

    found: bool
    format: str | None = None
    lines: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    # fields repaired: a document number by its check digits, a country code by the
    # recogniser's doubts (see _repair_codes); the reviewer compares them with the page
    corrected: list[str] = field(default_factory=list)
    variant: str | None = None  # a national layout: "FRA-CNI", "RUS-internal"
    plausibility: dict = field(default_factory=dict)  # field -> "ok" or what is wrong
    dates_as_written: dict = field(default_factory=dict)  # YYMMDD, even when not a date
    rotation: int = 0  # degrees the photo was turned clockwise to read the zone

    @property
    def valid(self) -> bool:
        """Every check digit of the zone passes (plausibility is reported apart)."""
        return self.found and bool(self.checks) and all(self.checks.values())

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]

    @property
    def implausible(self) -> list[str]:
        return [name for name, verdict in self.plausibility.items() if verdict != "ok"]

    def to_json(self) -> dict:
        return {"found": self.found, "format": self.format, "variant": self.variant,
                "valid": self.valid, "rotation": self.rotation,
                "fields": dict(self.fields) if self.found else dict.fromkeys(FIELD_NAMES),
                "checks": dict(self.checks), "failed_checks": self.failed_checks,
                "plausibility": dict(self.plausibility), "implausible": self.implausible,
                "dates_as_written": dict(self.dates_as_written),
                "corrected": list(self.corrected)}

    @classmethod
    def from_json(cls, data: dict) -> MrzReading:
        return cls(found=data["found"], format=data.get("format"), fields=data.get("fields") or {},
                   checks=data.get("checks") or {}, corrected=data.get("corrected") or [],
                   variant=data.get("variant"), plausibility=data.get("plausibility") or {},
                   dates_as_written=data.get("dates_as_written") or {},
                   rotation=data.get("rotation") or 0)


NOT_FOUND = MrzReading(found=False)


def detect_format(lines: list[str]) -> str | None:
    """The layout whose line count and length fit the cleaned lines best (±2 characters)."""
    count = len(lines)
    longest = max((len(line) for line in lines), default=0)
    for fmt, (rows, chars) in FORMATS.items():
        if count == rows and abs(longest - chars) <= 2:
            return fmt
    return None


def parse(raw_lines: list[str], today: date | None = None) -> MrzReading:
    """Parse 2 or 3 OCR lines (top to bottom) into a reading with every check named. Lines
    read by mrz_ocr carry the recogniser's doubts per character (a check digit repairs only
    those); plain text carries none, and then any look-alike may be repaired."""
    raw_lines = [line for line in raw_lines if line.strip()]
    cleaned = [_cleaned(line, getattr(line, "doubts", None) or ("?",) * len(line))
               for line in raw_lines]
    fmt = detect_format(["".join(char for char, _ in line) for line in cleaned])
    if fmt is None:
        return NOT_FOUND
    today = today or clock.today()
    best = NOT_FOUND
    starts = [cleaned[0]] if fmt == "TD1" else _starts(cleaned[0], FORMATS[fmt][1])
    for start in starts:
        reading = _parse_cleaned([start, *cleaned[1:]], fmt, today)
        if _text_rank(reading) > _text_rank(best):
            best = reading
    return best


def _starts(line: list[tuple[str, str]], length: int) -> list[list[tuple[str, str]]]:
    """Where the first line of a two-line zone may begin: as read, and when it is longer than
    the layout's lines, also without the characters read before it (a speck, a punched hole
    or the card's edge read as a letter shifts the codes and names after it; the likelier
    start is the one whose codes are known). Only this line is tried so: no check digit
    covers it, and on a line holding a document number (TD1's first, every layout's second)
    a start one place off still passes the number's check digit, and the composite that
    weighs it alike, one time in ten: a wrong valid reading. TD1's names line holds no code
    to tell its starts apart."""
    extra = len(line) - length
    return [line, *(line[k:] for k in range(1, min(extra, MAX_SHIFT) + 1))]


def _text_rank(reading: MrzReading) -> tuple:
    """Which of several ways to read the same characters is likelier: more check digits
    passing, then fewer codes and dates that make no sense; on a tie, the first (as read)."""
    return (reading.found, reading.valid, sum(reading.checks.values()),
            -len(reading.implausible))


def _parse_cleaned(cleaned: list[list[tuple[str, str]]], fmt: str, today: date) -> MrzReading:
    chars = FORMATS[fmt][1]
    lines = ["".join(char for char, _ in line) for line in cleaned]
    doubts = [[doubt for _, doubt in line] for line in cleaned]
    lines[0], doubts[0] = _realign_header(lines[0], doubts[0], fmt)
    positions = [_fitted(line, chars) for line in lines]
    lines = ["".join(line[i] if i >= 0 else "<" for i in kept)
             for line, kept in zip(lines, positions, strict=True)]
    doubts = [[doubt[i] if i >= 0 else "" for i in kept]
              for doubt, kept in zip(doubts, positions, strict=True)]
    reading = _parser(fmt, lines)(lines, doubts)
    for name in ("birth_date", "expiry_date"):
        written = reading.fields[name]
        if written is not None:
            reading.dates_as_written[name] = written
            reading.fields[name] = _date(written, birth=name == "birth_date", today=today)
    repaired = _repair_codes(reading, lines, doubts)
    reading.plausibility = judge(reading, today)
    for name in repaired:
        reading.plausibility[name] = "look_alike"
    return reading


def _code_spots(reading: MrzReading) -> dict[str, tuple[int, int]]:
    """Where each country code of the layout is printed: (line, first character)."""
    if reading.variant == "FRA-CNI":
        return {"issuing_country": (0, 2)}
    if reading.format == "TD1":
        return {"issuing_country": (0, 2), "nationality": (1, 15)}
    return {"issuing_country": (0, 2), "nationality": (1, 10)}


def _repair_codes(reading: MrzReading, lines: list[str], doubts: list[list[str]]) -> list[str]:
    """Country codes read as an unknown code, put right when the recogniser itself doubted a
    letter of it and exactly one of the letters it found likely there gives a known code
    ("NCO", its N doubted for M -> "MCO"). No check digit covers a code, so nothing else is
    guessed: without the recogniser's doubts (plain text) or with two known candidates, the
    code stays as read and is reported unknown. Returns the fields repaired (the reviewer is
    told to compare them with the page)."""
    repaired = []
    for name, (row, start) in _code_spots(reading).items():
        read = reading.fields.get(name)
        if read is None or read in KNOWN_CODES:
            continue
        printed = lines[row][start:start + 3]
        candidates = set()
        for i in range(len(printed)):
            others = doubts[row][start + i]
            if "?" in others:
                continue
            for other in others:
                code = _letters(printed[:i] + other + printed[i + 1:]).rstrip("<")
                if code != read and code in KNOWN_CODES:
                    candidates.add(code)
        if len(candidates) == 1:
            reading.fields[name] = candidates.pop()
            reading.corrected.append(name)
            repaired.append(name)
    return repaired


def _realign_header(line: str, doubts: list[str], fmt: str) -> tuple[str, list[str]]:
    """The first line with a character lost before the issuing country put back: the filler
    of "P<" or "I<", or on TD1 the "I" of "ID" (the thinnest glyph, first to fade at an edge).
    Lost, it shifts the country code and every field after it; it is put back only when the
    code is unknown in its place and known one place earlier ("PCZESPECIMEN", "DLIE1D98...")."""
    if _letters(line[2:5]).rstrip("<") in KNOWN_CODES \
            or _letters(line[1:4]).rstrip("<") not in KNOWN_CODES:
        return line, doubts
    if line[:1] in DOCUMENT_CODES:
        return line[:1] + "<" + line[1:], [*doubts[:1], "", *doubts[1:]]
    return ("I" + line, ["", *doubts]) if fmt == "TD1" else (line, doubts)


def _parser(fmt: str, lines: list[str]):
    kind = _letters(lines[0][:1])
    if fmt == "TD1":
        return _parse_td1
    if kind == "V":
        return _parse_visa
    if fmt == "TD2" and _letters(lines[0][:5]) == "IDFRA" and lines[1][34:35] in ("M", "F"):
        return _parse_french_id
    if fmt == "TD3" and _letters(lines[0][:5]) == "PNRUS" and set(lines[1][21:28]) == {"<"}:
        return _parse_russian_internal
    return _parse_td2 if fmt == "TD2" else _parse_td3


def _digits(text: str) -> str:
    return text.translate(TO_DIGIT)


def _letters(text: str) -> str:
    return text.translate(TO_LETTER)


def _names(text: str) -> tuple[str, str]:
    # Names are parted by one or two fillers only: what follows four or more (or a single
    # character after three, at the end) is a speck or a band of print read as letters.
    text = re.sub(r"<{4,}.*$|<{3,}[^<]$", "", _letters(text)).rstrip("<")
    surname, _, given = text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _sex(char: str) -> str:
    char = {"P": "F", "H": "M", "N": "M", "K": "X"}.get(char, char)
    return char if char in "MFX<" else "?"


def _number(raw: str, digit: str, composite_ok, doubts) -> tuple[str, bool, bool]:
    """Document number: (number, check ok, repaired). When the check fails, the ambiguous
    characters the recogniser was unsure of (`doubts`: per character, the other characters it
    found likely; "?" where unknown) are swapped, fewest swaps first; a repair is kept only if
    exactly one reading with that fewest number of swaps passes this check and the composite
    check (the reading then lists the field in `corrected`, which the reviewer sees). OCR
    rarely misreads two characters of one number, so the reading closest to what was read is
    the likely one ("BAA0D0589" -> "BAA000589", not a reading with three swaps that happens to
    pass too). A character read with confidence is never swapped: a specimen printed with a
    wrong check digit is not "repaired" into another number."""
    digit = _digits(digit)
    if check_digit(raw) == digit:
        return raw, True, False
    spots = [i for i, c in enumerate(raw)
             if c in AMBIGUOUS and (AMBIGUOUS[c] in doubts[i] or "?" in doubts[i])][:MAX_AMBIGUOUS]
    for flips in range(1, len(spots) + 1):
        passing = []
        for chosen in itertools.combinations(spots, flips):
            candidate = "".join(AMBIGUOUS[c] if i in chosen else c for i, c in enumerate(raw))
            if check_digit(candidate) == digit and composite_ok(candidate):
                passing.append(candidate)
        if passing:
            return (passing[0], True, True) if len(passing) == 1 else (raw, False, False)
    return raw, False, False  # no reading passes


def _check(data: str, digit: str, optional: bool = False) -> bool:
    digit = _digits(digit)
    if optional and digit == "<" and set(data) <= {"<"}:
        return True  # an empty optional field may leave its check digit as a filler
    return check_digit(data) == digit


def _header(line: str) -> dict:
    return {"document_type": _letters(line[0:2]).rstrip("<"),
            "issuing_country": _letters(line[2:5]).rstrip("<")}


def _parse_td3(lines: list[str], doubts: list[list[str]]) -> MrzReading:
    return _parse_two_line("TD3", lines, doubts, optional_end=42)


def _parse_td2(lines: list[str], doubts: list[list[str]]) -> MrzReading:
    return _parse_two_line("TD2", lines, doubts, optional_end=35)


def _parse_two_line(fmt: str, lines: list[str], doubts: list[list[str]],
                    optional_end: int) -> MrzReading:
    l1, l2 = lines
    birth, birth_cd = _digits(l2[13:19]), l2[19]
    expiry, expiry_cd = _digits(l2[21:27]), l2[27]
    optional = l2[28:optional_end]
    composite_digit = l2[optional_end + 1] if fmt == "TD3" else l2[optional_end]
    tail = _digits(l2[13:20]) + _digits(l2[21:28]) + l2[28:optional_end + (fmt == "TD3")]

    def composite_ok(number: str) -> bool:
        return _check(number + l2[9] + tail, composite_digit)

    number, number_ok, fixed = _number(l2[0:9], l2[9], composite_ok, doubts[1][0:9])
    long_number = fmt == "TD2" and l2[9] == "<" and optional.strip("<")
    if long_number:  # the number goes on in the optional data, ending with its check digit
        rest = optional.split("<", 1)[0]
        number, number_ok = number + rest[:-1], _check(number + rest[:-1], rest[-1:] or "<")
        optional = optional[len(rest):]
    checks = {"document_number": number_ok,
              "birth_date": _check(birth, birth_cd), "expiry_date": _check(expiry, expiry_cd)}
    if fmt == "TD3":
        checks["personal_number"] = _check(optional, l2[42], optional=True)
    checks["composite"] = composite_ok(l2[0:9] if not fixed else number)
    fields = _two_line_fields(l1, l2, number, birth, expiry, optional)
    return MrzReading(True, fmt, lines, fields, checks, ["document_number"] if fixed else [])


def _two_line_fields(l1: str, l2: str, number: str, birth: str, expiry: str,
                     optional: str) -> dict:
    surname, given = _names(l1[5:])
    return {**_header(l1), "surname": surname, "given_names": given,
            "document_number": number.rstrip("<"),
            "nationality": _letters(l2[10:13]).rstrip("<"), "birth_date": birth,
            "sex": _sex(l2[20]), "expiry_date": expiry,
            "personal_number": optional.strip("<") or None}


def _parse_visa(lines: list[str], doubts: list[list[str]]) -> MrzReading:
    """MRV-A (2 x 44) and MRV-B (2 x 36): no composite, no check on the optional data."""
    l1, l2 = lines
    birth, expiry = _digits(l2[13:19]), _digits(l2[21:27])
    number, number_ok, fixed = _number(l2[0:9], l2[9], lambda _candidate: True, doubts[1][0:9])
    checks = {"document_number": number_ok, "birth_date": _check(birth, l2[19]),
              "expiry_date": _check(expiry, l2[27])}
    fields = _two_line_fields(l1, l2, number, birth, expiry, l2[28:])
    return MrzReading(True, "MRVA" if len(l1) == 44 else "MRVB", lines, fields, checks,
                      ["document_number"] if fixed else [])


def _parse_french_id(lines: list[str], _doubts: list[list[str]]) -> MrzReading:
    """French identity card 1988-2021 (2 x 36): no expiry date in the zone; the number is
    12 characters; the composite covers all of line 1 and line 2 up to it, names included:
    they are letters only, so a digit read in them is the letter it looks like ("C0RINNE")."""
    l1, l2 = lines
    number = l2[0:12]
    birth, birth_cd = _digits(l2[27:33]), l2[33]
    surname_text, given_text = _letters(l1[5:30]), _letters(l2[13:27])
    composite = l1[:5] + surname_text + l1[30:] + l2[0:13] + given_text + birth + l2[33:35]
    checks = {"document_number": _check(number, l2[12]), "birth_date": _check(birth, birth_cd),
              "composite": _check(composite, l2[35])}
    surname = surname_text.strip("<").replace("<", " ").strip()
    given = " ".join(given_text.replace("<", " ").split())
    fields = {**_header(l1), "surname": surname, "given_names": given,
              "document_number": number.rstrip("<"), "nationality": "FRA",
              "birth_date": birth, "sex": _sex(l2[34]), "expiry_date": None,
              "personal_number": None}
    return MrzReading(True, "TD2", lines, fields, checks, variant="FRA-CNI")


def _parse_russian_internal(lines: list[str], doubts: list[list[str]]) -> MrzReading:
    """Russian internal passport (2 x 44, 'PN'): no expiry date (the fillers stand in for it
    and its check digit); the optional data holds the last digit of the series, the date of
    issue and the issuing department's code, under the personal-number check digit."""
    reading = _parse_td3(lines, doubts)
    reading.variant = "RUS-internal"
    reading.checks.pop("expiry_date")
    reading.fields["expiry_date"] = None
    l1 = lines[0]
    surname, _, given = l1[5:].rstrip("<").partition("<<")
    reading.fields["surname"] = _russian_name(surname)
    reading.fields["given_names"] = _russian_name(given)
    return reading


def _russian_name(text: str) -> str:
    return " ".join("".join(RUSSIAN_NAME.get(c, c) for c in word)
                    for word in text.split("<") if word)


def _parse_td1(lines: list[str], doubts: list[list[str]]) -> MrzReading:
    l1, l2, l3 = lines
    surname, given = _names(l3)
    birth, expiry = _digits(l2[0:6]), _digits(l2[8:14])
    optional1 = l1[15:30]
    number_raw, number_cd = l1[5:14], l1[14]
    if number_cd == "<" and optional1.strip("<"):  # long number continued in optional data 1
        rest = optional1.split("<", 1)[0]
        number_raw, number_cd = number_raw + rest[:-1], rest[-1:]
        optional1 = optional1[len(rest):]

    def composite_ok(number: str) -> bool:
        if len(number) <= 9:
            upper = number + l1[14:30]
        else:
            upper = number[:9] + "<" + number[9:] + l1[15 + len(number) - 9:30]
        return _check(upper + _digits(l2[0:7]) + _digits(l2[8:15]) + l2[18:29], l2[29])

    number, number_ok, fixed = _number(number_raw, number_cd, composite_ok,
                                       doubts[0][5:5 + len(number_raw)])
    checks = {"document_number": number_ok, "birth_date": _check(birth, l2[6]),
              "expiry_date": _check(expiry, l2[14]), "composite": composite_ok(number)}
    personal = (optional1.strip("<") + " " + l2[18:29].strip("<")).strip()
    fields = {**_header(l1), "surname": surname, "given_names": given,
              "document_number": number.rstrip("<"),
              "nationality": _letters(l2[15:18]).rstrip("<"), "birth_date": birth,
              "sex": _sex(l2[7]), "expiry_date": expiry, "personal_number": personal or None}
    return MrzReading(True, "TD1", lines, fields, checks, ["document_number"] if fixed else [])


def _date(yymmdd: str, birth: bool, today: date) -> str | None:
    """ISO date, or None when the six characters are not a calendar date. Births are never in
    a later year than today; expiries are read in this century unless that is more than 50
    years ahead."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    year = 2000 + yy
    if birth and year > today.year:
        year -= 100
    if not birth and year > today.year + 50:
        year -= 100
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None

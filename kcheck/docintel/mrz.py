"""Machine-readable zones (ICAO 9303 TD1, TD2, TD3): parse OCR text, correct characters by
field type, validate every check digit. Pure text in, MrzReading out; reading the image is
mrz_zone's job."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

# format -> (lines, characters per line)
FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
FIELD_NAMES = ("document_type", "issuing_country", "surname", "given_names", "document_number",
               "nationality", "birth_date", "sex", "expiry_date", "personal_number")

# OCR confusions, resolved by what a field may contain.
TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1",
                          "J": "1", "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7",
                          "A": "4"})
TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "3": "E", "4": "A", "5": "S", "6": "G",
                           "7": "T", "8": "B"})
# In a document number both O and 0 are legal, and OCR-B's O and 0 are the pair OCR confuses
# most: the check digit decides between them. Only this pair is tried, and only a single
# passing reading is accepted: the check digit is a weighted sum modulo 10, so every extra
# candidate is another 1-in-10 chance of "fixing" a misread into a wrong number.
AMBIGUOUS = {"0": "O", "O": "0"}
MAX_AMBIGUOUS = 6  # at most 2**6 candidate document numbers are tried


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
    """OCR output to MRZ alphabet: upper case, no spaces, anything unknown read as '<'."""
    text = raw.upper().replace(" ", "").replace("«", "<<").replace("‹", "<").replace("×", "X")
    return re.sub(r"[^A-Z0-9<]", "<", text)


def fit_length(line: str, length: int) -> str:
    """Grow or shrink the longest run of fillers (OCR often misses or repeats one '<')."""
    if len(line) == length:
        return line
    runs = list(re.finditer(r"<{2,}", line))
    if not runs:
        return line[:length].ljust(length, "<")
    run = max(runs, key=lambda m: m.end() - m.start())
    width = max(0, run.end() - run.start() + length - len(line))
    fitted = line[: run.start()] + "<" * width + line[run.end():]
    return fitted[:length].ljust(length, "<")


@dataclass
class MrzReading:
    """What one MRZ says, and whether its check digits agree."""

    found: bool
    format: str | None = None
    lines: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    corrected: list[str] = field(default_factory=list)  # fields fixed by their check digit

    @property
    def valid(self) -> bool:
        return self.found and bool(self.checks) and all(self.checks.values()) \
            and self.fields.get("birth_date") is not None \
            and self.fields.get("expiry_date") is not None

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]

    def to_json(self) -> dict:
        return {"found": self.found, "format": self.format, "valid": self.valid,
                "fields": dict(self.fields) if self.found else dict.fromkeys(FIELD_NAMES),
                "checks": dict(self.checks), "corrected": list(self.corrected)}

    @classmethod
    def from_json(cls, data: dict) -> MrzReading:
        return cls(found=data["found"], format=data.get("format"), fields=data.get("fields") or {},
                   checks=data.get("checks") or {}, corrected=data.get("corrected") or [])


NOT_FOUND = MrzReading(found=False)


def detect_format(lines: list[str]) -> str | None:
    """The format whose line count and length fit the cleaned lines best (±2 characters)."""
    count = len(lines)
    longest = max((len(line) for line in lines), default=0)
    for fmt, (rows, chars) in FORMATS.items():
        if count == rows and abs(longest - chars) <= 2:
            return fmt
    return None


def parse(raw_lines: list[str], today: date | None = None) -> MrzReading:
    """Parse 2 or 3 OCR lines (top to bottom) into a reading with every check named."""
    lines = [clean_line(line) for line in raw_lines if line.strip()]
    fmt = detect_format(lines)
    if fmt is None:
        return NOT_FOUND
    chars = FORMATS[fmt][1]
    lines = [fit_length(line, chars) for line in lines]
    parser = {"TD1": _parse_td1, "TD2": _parse_td2, "TD3": _parse_td3}[fmt]
    reading = parser(lines)
    reading.fields["birth_date"] = _date(reading.fields["birth_date"], birth=True, today=today)
    reading.fields["expiry_date"] = _date(reading.fields["expiry_date"], birth=False, today=today)
    return reading


def _digits(text: str) -> str:
    return text.translate(TO_DIGIT)


def _letters(text: str) -> str:
    return text.translate(TO_LETTER)


def _names(text: str) -> tuple[str, str]:
    text = _letters(text).rstrip("<")
    surname, _, given = text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _sex(char: str) -> str:
    char = {"P": "F", "H": "M", "N": "M", "K": "X"}.get(char, char)
    return char if char in "MFX<" else "?"


def _number(raw: str, digit: str, composite_ok) -> tuple[str, bool, bool]:
    """Document number: (number, check ok, corrected). When the check fails, O and 0 are
    swapped; a correction is kept only if exactly one reading passes this check and the
    composite check (the reviewer sees that it was corrected)."""
    digit = _digits(digit)
    if check_digit(raw) == digit:
        return raw, True, False
    spots = [i for i, c in enumerate(raw) if c in AMBIGUOUS][:MAX_AMBIGUOUS]
    passing = []
    for flips in range(1, len(spots) + 1):
        for chosen in itertools.combinations(spots, flips):
            candidate = "".join(AMBIGUOUS[c] if i in chosen else c for i, c in enumerate(raw))
            if check_digit(candidate) == digit and composite_ok(candidate):
                passing.append(candidate)
    if len(passing) == 1:
        return passing[0], True, True
    return raw, False, False  # none, or the check digits cannot tell readings apart


def _check(data: str, digit: str, optional: bool = False) -> bool:
    digit = _digits(digit)
    if optional and digit == "<" and set(data) <= {"<"}:
        return True  # an empty optional field may leave its check digit as a filler
    return check_digit(data) == digit


def _parse_td3(lines: list[str]) -> MrzReading:
    return _parse_two_line("TD3", lines, optional_end=42)


def _parse_td2(lines: list[str]) -> MrzReading:
    return _parse_two_line("TD2", lines, optional_end=35)


def _parse_two_line(fmt: str, lines: list[str], optional_end: int) -> MrzReading:
    l1, l2 = lines
    surname, given = _names(l1[5:])
    birth, birth_cd = _digits(l2[13:19]), l2[19]
    expiry, expiry_cd = _digits(l2[21:27]), l2[27]
    optional = l2[28:optional_end]
    composite_digit = l2[optional_end + 1] if fmt == "TD3" else l2[optional_end]
    tail = _digits(l2[13:20]) + _digits(l2[21:28]) + l2[28:optional_end + (fmt == "TD3")]

    def composite_ok(number: str) -> bool:
        return _check(number + l2[9] + tail, composite_digit)

    number, number_ok, fixed = _number(l2[0:9], l2[9], composite_ok)
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
    fields = {"document_type": _letters(l1[0:2]).rstrip("<"),
              "issuing_country": _letters(l1[2:5]).rstrip("<"),
              "surname": surname, "given_names": given, "document_number": number.rstrip("<"),
              "nationality": _letters(l2[10:13]).rstrip("<"), "birth_date": birth,
              "sex": _sex(l2[20]), "expiry_date": expiry,
              "personal_number": optional.strip("<") or None}
    return MrzReading(True, fmt, lines, fields, checks, ["document_number"] if fixed else [])


def _parse_td1(lines: list[str]) -> MrzReading:
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

    number, number_ok, fixed = _number(number_raw, number_cd, composite_ok)
    checks = {"document_number": number_ok, "birth_date": _check(birth, l2[6]),
              "expiry_date": _check(expiry, l2[14]), "composite": composite_ok(number)}
    personal = (optional1.strip("<") + " " + l2[18:29].strip("<")).strip()
    fields = {"document_type": _letters(l1[0:2]).rstrip("<"),
              "issuing_country": _letters(l1[2:5]).rstrip("<"),
              "surname": surname, "given_names": given, "document_number": number.rstrip("<"),
              "nationality": _letters(l2[15:18]).rstrip("<"), "birth_date": birth,
              "sex": _sex(l2[7]), "expiry_date": expiry, "personal_number": personal or None}
    return MrzReading(True, "TD1", lines, fields, checks, ["document_number"] if fixed else [])


def _date(yymmdd: str, birth: bool, today: date | None) -> str | None:
    """ISO date, or None when the six characters are not a calendar date. Births are never in
    the future; expiries are read in this century unless that is more than 50 years ahead."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    today = today or date.today()
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


def is_expired(reading: MrzReading, today: date) -> bool | None:
    """True/False from a valid reading's expiry date; None when it cannot be told."""
    expiry = reading.fields.get("expiry_date") if reading.valid else None
    return None if expiry is None else date.fromisoformat(expiry) < today

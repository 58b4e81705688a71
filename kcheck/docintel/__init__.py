"""Document intelligence for reviewers: MRZ reading with check digits, cross-checks, face
match and reuse detection. Assists only: a reviewer always decides, and an assist that fails
says so. Results are computed by kcheck.workers.docintel_job and read back here."""

from kcheck.docintel.mrz import MrzReading, parse
from kcheck.docintel.summary import summary_for_reviewer


def read_mrz(data: bytes, today=None) -> MrzReading:
    """Find and read the MRZ of a photo (lazy: the OCR model loads on first use)."""
    from kcheck.docintel.mrz_zone import read_mrz as read

    return read(data, today)


__all__ = ["MrzReading", "parse", "read_mrz", "summary_for_reviewer"]

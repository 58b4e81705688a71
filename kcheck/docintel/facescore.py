"""What a stored face-match score means, in words a reviewer can weigh (never a raw distance).

The meaning comes from a table measured on real people: `facematch_calibration.json`, written
by `bench/facematch.py --calibrate` from the CALIBRATION split of `datasets/faces` only (the
test split's figures are in the README). For each distance on a grid it holds how many pairs of
photos of different people scored at least that close, and how many pairs of photos of one
person scored at least that far apart, both with the document side printed like an ID portrait.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("facematch_calibration.json")
FAILURES = ("no_face_document", "no_face_selfie", "unreadable")
# Above the threshold, a score that this share (or more) of same-person pairs also reach is
# not evidence of two people: the reviewer is told to compare the faces, not "unlikely".
UNCLEAR_FROM = 0.05


@dataclass(frozen=True)
class FaceReading:
    """kind: likely_same | likely_same_under | unclear | unlikely_same | unlikely_same_under
    (`_under`: no measured pair went that far, so the share quoted is an upper bound, one pair
    of those measured) or why no comparison was made: no_face_document | no_face_selfie |
    unreadable | failed. share: the measured share the words quote (None for a failure)."""

    kind: str
    share: float | None = None

    def to_json(self) -> dict:
        return asdict(self)


@functools.cache
def table() -> dict:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    data["rows"] = sorted(data["rows"], key=lambda row: row["distance"])
    return data


def reading(stored: dict) -> FaceReading:
    """The words for a stored comparison (FaceMatch.to_json()): the verdict picks the side, the
    table says how rare this score is for the other side."""
    verdict = stored.get("verdict")
    distance = stored.get("distance")
    if verdict not in ("match", "no_match") or distance is None:
        return FaceReading(verdict if verdict in FAILURES else "failed")
    data = table()
    rows = data["rows"]
    if verdict == "match":
        # The first grid point at or above the score: rounding up can only overstate the share.
        row = next((r for r in rows if r["distance"] >= distance), rows[-1])
        return _share("likely_same", row["different_people_at_most"], data["different_people"])
    # The last grid point at or below the score: rounding down can only overstate the share.
    row = next((r for r in reversed(rows) if r["distance"] <= distance), rows[0])
    found = _share("unlikely_same", row["same_person_at_least"], data["same_person"])
    return FaceReading("unclear", found.share) if found.share >= UNCLEAR_FROM else found


def _share(kind: str, count: int, total: int) -> FaceReading:
    if count == 0:
        return FaceReading(f"{kind}_under", 1 / total)
    return FaceReading(kind, count / total)

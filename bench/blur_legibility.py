"""Where the blur measures and legibility meet: for every photo the check measured as sure blurred
(its strongest edges smeared too), how many lines of its print PP-OCR read confidently
(metrics["legible_lines"], counted up to evidence.LEGIBLE_LINES), against the photo's label.

Run: .venv/bin/python bench/blur_legibility.py [--set photos|synthetic|variety] [--split S]
     [--first-seed N]
(sets and splits as bench/quality_accuracy.py). Prints each such photo, then per label (blurred,
good, a retake for another reason) how many photos reach LEGIBLE_LINES (blur then a note) and the
most lines read. Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench import quality_accuracy  # noqa: E402
from kcheck.quality import check_upload  # noqa: E402
from kcheck.quality.evidence import LEGIBLE_LINES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("photos", "synthetic", "variety"), default="photos")
    parser.add_argument("--split", default="calibration")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.set == "photos":
        samples = quality_accuracy.photos(args.split)
    elif args.set == "synthetic":
        samples = quality_accuracy.synthetic()
    else:
        samples = quality_accuracy.variety(args.first_seed)
    counts: dict[str, list[int]] = {"blurred": [], "good": [], "retake for another reason": []}
    print(f"{'photo':48} {'label':28} {'blur':>5} {'edges':>5} {'lines':>5}  verdict")
    for sample in samples:
        verdict = check_upload(sample.data, sample.slot)
        lines = verdict.metrics.get("legible_lines")
        if lines is None:
            continue  # not sure blurred by the measures: legibility was not asked
        if "blurry" in sample.reasons:
            counts["blurred"].append(lines)
        else:
            counts["good" if sample.expected == "pass" else "retake for another reason"].append(lines)
        print(f"{sample.id[:48]:48} {(sample.expected + ' ' + ','.join(sample.reasons))[:28]:28} "
              f"{verdict.metrics['blur']:5.3f} {verdict.metrics['edge_blur']:5.3f} {lines:5d}  "
              f"{verdict.verdict} {','.join(verdict.reasons)}")
    print(f"\n{'label':28} photos  {LEGIBLE_LINES}+ lines read (blur a note)  most lines read")
    for label, lines in counts.items():
        reaching = sum(count >= LEGIBLE_LINES for count in lines)
        print(f"{label:28} {len(lines):6d}  {reaching:26d}  {max(lines, default='-'):>15}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How often the instant photo check is wrong: good photos told to retake, bad photos passed.

Run: .venv/bin/python bench/quality_accuracy.py [--split test|calibration|all]
     [--set photos|synthetic|variety] [--first-seed N]
  photos     real photos and scans, datasets/photos (built into $KCHECK_REALDATA_DIR by
             scripts/realdata.py, which this bench runs first); --split picks the part (default
             test: the figures to quote; tune on calibration only)
  synthetic  the labelled synthetic fixtures the unit tests use (tests/fixtures/documents.py)
  variety    the larger generated set with other card designs, desks, light, noise, JPEG quality
             and rotation (tests/fixtures/variety.py)
Each photo goes the person's way (kcheck.quality.check_upload: the intake's refusals, then the
worker's check of the stored copy) for its slot. A photo labelled `pass` is a false retake when
the check does not pass it (retake or reject); a photo labelled `retake` is a false pass when the
check passes it. Prints tables per slot and per reason, then the misclassified photos.
Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import realdata  # noqa: E402

from kcheck.quality import check_upload  # noqa: E402
from kcheck.quality.verdict import SLOTS  # noqa: E402

PHOTOS = "photos"


@dataclass(frozen=True)
class Sample:
    """One labelled photo: what a careful person says about it, and the file's bytes."""

    id: str
    slot: str
    expected: str  # "pass" or "retake"
    reasons: tuple[str, ...]  # what the person named for a retake
    data: bytes


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    verdict: str
    reasons: tuple[str, ...]

    @property
    def false_retake(self) -> bool:
        return self.sample.expected == "pass" and self.verdict != "pass"

    @property
    def false_pass(self) -> bool:
        return self.sample.expected == "retake" and self.verdict == "pass"


def photos(split: str) -> list[Sample]:
    built, failures = realdata.build(PHOTOS)
    if failures:
        sys.exit(f"{len(failures)} images of {PHOTOS!r} could not be built:\n" + "\n".join(failures))
    items = realdata.load(PHOTOS, None if split == "all" else split)
    return [
        Sample(
            id=item.id,
            slot=item["slot"],
            expected=item["expected"],
            reasons=tuple(r for r in item["reasons"].split(";") if r),
            data=item.file.read_bytes(),
        )
        for item in items
    ]


def synthetic() -> list[Sample]:
    from tests.fixtures.documents import labelled_set

    return generated(labelled_set())


def variety(first_seed: int = 0) -> list[Sample]:
    from tests.fixtures.variety import variety_set

    return generated(variety_set(first_seed=first_seed))


def generated(labelled: list[tuple]) -> list[Sample]:
    """A generated set's samples; a photo labelled `pass` with a reason expects it as a note."""
    return [
        Sample(id=name, slot=slot, expected=expected,
               reasons=(reason,) if reason and expected == "retake" else (), data=data)
        for name, slot, data, expected, reason in labelled
    ]


def run(samples: list[Sample]) -> list[Outcome]:
    outcomes = []
    for sample in samples:
        verdict = check_upload(sample.data, sample.slot)
        outcomes.append(Outcome(sample, verdict.verdict, verdict.reasons))
    return outcomes


def share(count: int, total: int) -> str:
    if not total:
        return f"{'-':>14}"
    return f"{count:>3}/{total:<3} {100 * count / total:5.1f} %"


def print_slots(outcomes: list[Outcome]) -> None:
    print(f"\n{'slot':<15}{'false retakes (good photos)':>28}{'false passes (bad photos)':>28}")
    for slot in (*SLOTS, "all"):
        rows = [o for o in outcomes if slot in ("all", o.sample.slot)]
        good = [o for o in rows if o.sample.expected == "pass"]
        bad = [o for o in rows if o.sample.expected == "retake"]
        retakes = sum(o.false_retake for o in good)
        passes = sum(o.false_pass for o in bad)
        print(f"{slot:<15}{share(retakes, len(good)):>28}{share(passes, len(bad)):>28}")
    portraits = [o for o in outcomes if o.sample.slot == "selfie"
                 and "document_not_found" in o.sample.reasons]
    print(f"photos without a document that passed as a selfie: {sum(o.false_pass for o in portraits)}"
          f" of {len(portraits)}")


def print_reasons(outcomes: list[Outcome]) -> None:
    good = [o for o in outcomes if o.sample.expected == "pass"]
    given = Counter(reason for o in good if o.false_retake for reason in o.reasons)
    print(f"\n{'reason the check gave a good photo':<36}{'good photos':>16}")
    for reason, count in given.most_common():
        print(f"{reason:<36}{share(count, len(good)):>16}")
    by_reason = defaultdict(list)
    for o in outcomes:
        for reason in o.sample.reasons:
            by_reason[reason].append(o)
    print(f"\n{'expected reason':<24}{'false passes':>16}{'check named it too':>22}")
    for reason in sorted(by_reason):
        rows = by_reason[reason]
        passes = sum(o.false_pass for o in rows)
        named = sum(reason in o.reasons for o in rows)
        print(f"{reason:<24}{share(passes, len(rows)):>16}{share(named, len(rows)):>22}")


def print_misclassified(outcomes: list[Outcome]) -> None:
    wrong = [o for o in outcomes if o.false_retake or o.false_pass]
    print(f"\nmisclassified ({len(wrong)}):")
    for o in sorted(wrong, key=lambda o: (o.false_pass, o.sample.slot, o.sample.id)):
        if o.false_retake:
            print(f"  false retake  {o.sample.id:<40} {o.sample.slot:<14} check: {', '.join(o.reasons)}")
        else:
            expected = ", ".join(o.sample.reasons)
            print(f"  false pass    {o.sample.id:<40} {o.sample.slot:<14} expected: {expected}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(PHOTOS, "synthetic", "variety"), default=PHOTOS)
    parser.add_argument("--split", choices=("test", "calibration", "all"), default="test")
    parser.add_argument("--first-seed", type=int, default=0, help=(
        "variety only: draw the set from this seed on; the figures to quote use 0, tune on"
        " another draw (e.g. 1000) so the quoted set stays one the checks were not fitted to"))
    args = parser.parse_args(argv)
    samples = {
        PHOTOS: lambda: photos(args.split),
        "synthetic": synthetic,
        "variety": lambda: variety(args.first_seed),
    }[args.set]()
    part = {PHOTOS: f"split {args.split}", "variety": f"seeds from {args.first_seed}"}.get(
        args.set, "every labelled fixture")
    good = sum(s.expected == "pass" for s in samples)
    print(f"{args.set}, {part}: {len(samples)} photos ({good} good, {len(samples) - good} to retake)")
    outcomes = run(samples)
    print_slots(outcomes)
    print_reasons(outcomes)
    print_misclassified(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fragile the retake rules are on good photos: the same photo as another phone or scanner
would have sent it.

Run: KCHECK_REALDATA_DIR=... .venv/bin/python bench/quality_robustness.py
     [--set photos|variety] [--first-seed N] [--jobs N] [--only ID_PART ...] [--limit N]
  photos   the good photos (labelled pass) of the real calibration split, datasets/photos (built
           into $KCHECK_REALDATA_DIR by scripts/realdata.py, which this bench runs first); the test
           split is never used here (it stays blind)
  variety  the good photos of the generated variety set drawn from --first-seed (default 1000: the
           quoted draw, seed 0, stays one the rules were not fitted to)
Each good photo is changed the ways a different camera, app or scanner changes it, each alone
(JPEG quality 60/75/95, downscale to 0.5/0.6/0.7 but not under 480 px on the short side, gamma
0.8/1.25, a turn of 3 degrees either way, a slight perspective, sensor noise) and in three random
mixes of all of them (seeded by the photo's id, so every run draws the same), encoded as JPEG,
and judged the way a person's upload is (kcheck.quality.check_upload). A good photo that is
still good after such a change and is told to retake is a false retake the calibration figures
did not show. Prints, per change, how many variants were told to retake and the reasons given,
then each such variant with the confidence of each sure reason; never fails. `--only` (repeatable:
photos whose id contains any of the given parts) and `--limit` (the first N good photos) run a
subset to iterate on quickly; quoted figures come from the full run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench.quality_accuracy import PHOTOS, Sample, photos, variety  # noqa: E402
from kcheck.quality import check_upload  # noqa: E402
from kcheck.quality.verdict import SLOTS  # noqa: E402

MIXES = 3
SMALLEST_SIDE = 480  # px: downscales stop here (see perturbed)
SOLO = {
    "jpeg60": {"quality": 60},
    "jpeg75": {"quality": 75},
    "jpeg95": {"quality": 95},
    "scale0.5": {"scale": 0.5},
    "scale0.6": {"scale": 0.6},
    "scale0.7": {"scale": 0.7},
    "gamma0.8": {"gamma": 0.8},
    "gamma1.25": {"gamma": 1.25},
    "turn+3": {"turn": 3.0},
    "turn-3": {"turn": -3.0},
    "perspective": {"perspective": 0.03},
    "noise": {"noise": 5.0},
}


def load_bgr(data: bytes) -> np.ndarray:
    """The photo upright (EXIF orientation applied), as OpenCV BGR pixels."""
    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened).convert("RGB")
    return cv2.cvtColor(np.asarray(upright), cv2.COLOR_RGB2BGR)


def perturbed(bgr: np.ndarray, change: dict, rng: np.random.Generator) -> bytes:
    """`bgr` changed as `change` says (scale, gamma, turn in degrees, perspective as a share of
    the size each corner moves at most, noise sigma), encoded as JPEG at its quality (92).

    A downscale stops at SMALLEST_SIDE px on the short side (a photo already smaller is only
    re-encoded): below that, whether the print is still legible is a person's call, not a fact
    this bench knows. A turn or a perspective keeps the whole photo: the canvas grows, filled
    with the colour of the photo's border (a scanner's lid, a desk), so no print leaves it."""
    image = bgr
    scale = max(change.get("scale", 1.0), min(1.0, SMALLEST_SIDE / min(image.shape[:2])))
    if scale != 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if change.get("turn") or change.get("perspective"):
        image = _on_canvas(image, change.get("turn", 0.0), change.get("perspective", 0.0), rng)
    if change.get("gamma", 1.0) != 1.0:
        table = (255 * (np.arange(256) / 255) ** change["gamma"]).round().astype(np.uint8)
        image = cv2.LUT(image, table)
    if change.get("noise"):
        noise = rng.normal(0, change["noise"], image.shape)
        image = np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(change.get("quality", 92))])
    assert ok
    return encoded.tobytes()


def _on_canvas(image: np.ndarray, turn: float, perspective: float, rng: np.random.Generator) -> np.ndarray:
    """`image` turned by `turn` degrees and its corners moved by up to `perspective` of its size,
    on a canvas grown to hold all of it (filled with the median colour of its border)."""
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    moved = corners + rng.uniform(-1, 1, (4, 2)).astype(np.float32) * perspective * [width, height]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), turn, 1.0)
    moved = moved @ matrix[:, :2].T + matrix[:, 2]
    moved -= moved.min(axis=0)
    size = tuple(int(np.ceil(v)) + 1 for v in moved.max(axis=0))
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    fill = tuple(float(v) for v in np.median(border, axis=0))
    warp = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    return cv2.warpPerspective(image, warp, size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def mix(rng: np.random.Generator) -> dict:
    """A random change of every kind at once, within the ranges of SOLO."""
    return {"quality": int(rng.integers(60, 96)), "scale": float(rng.uniform(0.5, 1.0)),
            "gamma": float(rng.uniform(0.8, 1.25)), "turn": float(rng.uniform(-3, 3)),
            "perspective": float(rng.uniform(0, 0.03)), "noise": float(rng.uniform(0, 6))}


def variants(sample: Sample) -> list[tuple[str, bytes]]:
    """The photo as sent, and each change of it (the same bytes on every run)."""
    seed = int.from_bytes(hashlib.sha256(sample.id.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    bgr = load_bgr(sample.data)
    out = [("as sent", sample.data)]
    out += [(name, perturbed(bgr, change, rng)) for name, change in SOLO.items()]
    out += [(f"mix{i + 1}", perturbed(bgr, mix(rng), rng)) for i in range(MIXES)]
    return out


def judge(sample: Sample) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(sample id, change, verdict, reasons with the confidence of each) for each variant of one
    good photo."""
    return [(sample.id, name, verdict.verdict,
             tuple(f"{code} {confidence.get(code, 1.0):.2f}" for code in verdict.reasons))
            for name, data in variants(sample)
            for verdict in (check_upload(data, sample.slot),)
            for confidence in ((verdict.metrics or {}).get("confidence", {}),)]


def _code(reason: str) -> str:
    """The reason's code without its confidence."""
    return reason.split()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(PHOTOS, "variety"), default=PHOTOS)
    parser.add_argument("--first-seed", type=int, default=1000, help="variety only")
    parser.add_argument("--jobs", type=int, default=2, help="processes checking photos")
    parser.add_argument("--only", action="append", default=[], metavar="ID_PART",
                        help="only the photos whose id contains this (repeatable)")
    parser.add_argument("--limit", type=int, help="only the first N good photos")
    args = parser.parse_args(argv)
    samples = photos("calibration") if args.set == PHOTOS else variety(args.first_seed)
    good = [s for s in samples if s.expected == "pass"
            and (not args.only or any(part in s.id for part in args.only))][:args.limit]
    slot_of = {s.id: s.slot for s in good}
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for done, judged in enumerate(pool.map(judge, good), 1):
            rows += judged
            for sample_id, change, verdict, codes in judged:  # as they come: the run is long
                if verdict != "pass":
                    print(f"[{done}/{len(good)}] {sample_id} {change}: {', '.join(codes)}",
                          file=sys.stderr, flush=True)
    part = "calibration split" if args.set == PHOTOS else f"seeds from {args.first_seed}"
    print(f"{args.set}, {part}: {len(good)} good photos, {len(rows)} variants")
    changes = ["as sent", *SOLO, *(f"mix{i + 1}" for i in range(MIXES))]
    told = [r for r in rows if r[2] == "retake"]
    refused = [r for r in rows if r[2] == "reject"]
    print(f"\n{'change':<14}{'retakes':>10}{'refused':>9}  reasons given")
    for change in changes:
        mine = [r for r in told if r[1] == change]
        reasons = Counter(_code(reason) for r in mine for reason in r[3])
        n = sum(r[1] == change for r in rows)
        print(f"{change:<14}{len(mine):>4}/{n:<5}{sum(r[1] == change for r in refused):>9}  "
              + ", ".join(f"{code} {count}" for code, count in reasons.most_common()))
    changed = [r for r in rows if r[1] != "as sent"]
    retaken = [r for r in changed if r[2] == "retake"]
    print(f"\n{'slot':<15}{'changed variants told to retake':>34}{'photos with any':>18}")
    for slot in (*SLOTS, "all"):
        mine = [r for r in changed if slot in ("all", slot_of[r[0]])]
        if not mine:
            continue
        hit = sum(r[2] == "retake" for r in mine)
        photos_hit = len({r[0] for r in mine if r[2] == "retake"})
        photos_all = len({r[0] for r in mine})
        rate = f"{hit:>20}/{len(mine):<4} {100 * hit / len(mine):5.1f} %"
        print(f"{slot:<15}{rate}{photos_hit:>10}/{photos_all}")
    reasons = Counter(_code(reason) for r in retaken for reason in r[3])
    print("\nreasons over all changed variants: "
          + (", ".join(f"{code} {count}" for code, count in reasons.most_common()) or "none"))
    print(f"\nretakes ({len(told)}):")
    for sample_id, change, _, codes in sorted(told):
        print(f"  {sample_id:<40} {slot_of[sample_id]:<14} {change:<12} {', '.join(codes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

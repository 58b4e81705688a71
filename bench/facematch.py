"""Face match measured on real people: false match and false non-match rates, with counts and
95 % confidence intervals, at the threshold the product uses (facematch.MATCH_THRESHOLD).

Run: .venv/bin/python bench/facematch.py               # the TEST split (the figures to quote)
     .venv/bin/python bench/facematch.py --calibrate   # the CALIBRATION split; rewrites the
                                                       # reviewer's score table (facescore.py)
The photos are datasets/faces (built into $KCHECK_REALDATA_DIR by scripts/realdata.py, which
this bench runs first). Pairs are formed inside one split only, and the split is by person.
Two conditions: "photo" pairs two photos as they are; "document" pairs a photo (the selfie
side) with an ID-portrait-like print of another photo (the document side, see `portrait`).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
from scipy.stats import binomtest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import realdata  # noqa: E402

from kcheck.docintel import facematch, facescore  # noqa: E402

SET = "faces"
THRESHOLDS = (0.5, 0.55, 0.575, 0.6, 0.625, 0.65)
GRID = tuple(round(0.3 + 0.025 * i, 3) for i in range(21))  # 0.300 .. 0.800
# The threshold rule (calibration split, document pairs): the largest grid distance whose false
# match rate stays under 1 % even at the upper end of its 95 % interval.
MAX_FMR_UPPER = 0.01


def seed_of(item_id: str) -> int:
    return int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16)


def portrait(rgb: np.ndarray, box: tuple[int, int, int, int], seed: int) -> np.ndarray:
    """An ID card photographed by a phone, deterministic per seed: a head-and-shoulders crop
    (35 x 45 ratio) whose face is 120-160 px wide, desaturated, low contrast, printed (colour
    print with blur, greyscale, or greyscale halftone), on a pale card, JPEG q 35-65."""
    rng = np.random.default_rng(seed)
    left, top, right, bottom = box
    face = right - left
    width, height = 2 * face, round(2 * face * 45 / 35)
    cx, cy = (left + right) / 2, (top + bottom) / 2 + 0.1 * face
    x0, y0 = round(cx - width / 2), round(cy - 0.45 * height)
    padded = cv2.copyMakeBorder(rgb, height, height, width, width, cv2.BORDER_CONSTANT,
                                value=(200, 200, 200))  # a plain photo backdrop
    crop = padded[y0 + height:y0 + 2 * height, x0 + width:x0 + 2 * width]
    face_px = 120 + seed % 41
    scale = face_px / face
    crop = cv2.resize(crop, (round(width * scale), round(height * scale)),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    style = ("colour", "grey", "halftone")[seed % 3]
    printed = _print(crop.astype(np.float32), style, rng)
    card = _card(printed)
    quality = 35 + seed % 31
    ok, buffer = cv2.imencode(".jpg", cv2.cvtColor(card, cv2.COLOR_RGB2BGR),
                              [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.cvtColor(cv2.imdecode(buffer, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _print(rgb: np.ndarray, style: str, rng: np.random.Generator) -> np.ndarray:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None]
    # A colour print keeps half the saturation; the other two are greyscale.
    image = 0.5 * rgb + 0.5 * grey if style == "colour" else np.repeat(grey, 3, axis=2)
    image = 0.7 * image + 0.3 * 180  # low contrast, lifted blacks (ink on a light card)
    if style == "halftone":
        cell = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]])
        h, w = image.shape[:2]
        tiled = (np.tile(cell, (h // 4 + 1, w // 4 + 1))[:h, :w] + 0.5) / 16 * 255
        image = np.where(image > tiled[..., None], 235.0, 60.0)
        image = cv2.GaussianBlur(image, (0, 0), 1.3)  # the phone camera does not resolve dots
    else:
        image = cv2.GaussianBlur(image, (0, 0), 0.9)
    image = image + rng.normal(0, 4, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _card(printed: np.ndarray) -> np.ndarray:
    h, w = printed.shape[:2]
    card_h, card_w = round(h * 1.3), round(h * 1.3 * 85.6 / 54)
    card = np.full((card_h, card_w, 3), (226, 221, 205), np.uint8)
    top, left = (card_h - h) // 2, round(0.06 * card_w)
    card[top:top + h, left:left + w] = printed
    for line in range(5):  # printed text lines next to the portrait
        y = top + line * h // 6 + 10
        cv2.rectangle(card, (left + w + 30, y), (card_w - 40 - 25 * line, y + 9), (70,) * 3, -1)
    return card


def load(split: str):
    built, failures = realdata.build(SET)
    if failures:
        sys.exit(f"{len(failures)} images of {SET!r} could not be built:\n" + "\n".join(failures))
    items = realdata.load(SET, split)
    images = [facematch.decode_rgb(item.file.read_bytes()) for item in items]
    return items, images


def templates(items, images):
    """Selfie-side and document-side templates of each photo, and of its printed portrait."""
    selfie = facematch.calibration_templates(images, "selfie")
    document = facematch.calibration_templates(images, "document")
    portraits = []
    for item, image in zip(items, images, strict=True):
        box = facematch.largest_face_box(image)
        portraits.append(None if box is None else portrait(image, box, seed_of(item.id)))
    printed = facematch.calibration_templates([p for p in portraits if p is not None],
                                              "document")
    it = iter(printed)
    return selfie, {"photo": document,
                    "document": [None if p is None else next(it) for p in portraits]}


def pairs(items):
    """(selfie index, document index, same person) over every pair of one split, once each."""
    by_person = defaultdict(list)
    for index, item in enumerate(items):
        by_person[item["identity"]].append(index)
    out = []
    for a, b in itertools.combinations(range(len(items)), 2):
        out.append((a, b, items[a]["identity"] == items[b]["identity"]))
    return out, by_person


def distances(selfie, document, pair_list):
    """{same person: [distance, ...]}, the pairs that could not be compared, and
    {same person: [(selfie index, document index), ...]} in the order of the distances."""
    found, missing, where = {True: [], False: []}, {True: 0, False: 0}, {True: [], False: []}
    for a, b, same in pair_list:
        if selfie[a] is None or document[b] is None:
            missing[same] += 1
            continue
        found[same].append(float(np.linalg.norm(selfie[a] - document[b])))
        where[same].append((a, b))
    return found, missing, where


def interval(k: int, n: int):
    return binomtest(k, n).proportion_ci(0.95, method="exact")


def rate(k: int, n: int) -> str:
    if n == 0:
        return "n/a (no pairs)"
    ci = interval(k, n)
    return (f"{k}/{n} = {100 * k / n:.2f} % "
            f"(95 % CI {100 * ci.low:.2f}-{100 * ci.high:.2f} %)")


def report(split: str, items, conditions: dict, threshold: float, seconds: float,
           by_person: dict, faceless: dict) -> None:
    people = len(by_person)
    print(f"face match on real people, {split} split ({seconds:.0f} s): {len(items)} photos of "
          f"{people} people ({sum(len(v) > 1 for v in by_person.values())} with 2 or more)")
    print("  no face found: " + "; ".join(f"{name} {len(ids)}/{len(items)} {' '.join(ids)}"
                                          for name, ids in faceless.items()))
    print(f"threshold {threshold} (match when distance <= threshold), "
          "Clopper-Pearson intervals; pairs share photos, so the intervals are optimistic")
    for name, (found, missing, where) in conditions.items():
        genuine, impostor = found[True], found[False]
        print(f"  {name} pairs: {len(genuine) + missing[True]} same-person, "
              f"{len(impostor) + missing[False]} different-people; "
              f"not compared (no face found): {missing[True]} + {missing[False]}")
        fnm = sum(d > threshold for d in genuine)
        fm = sum(d <= threshold for d in impostor)
        print(f"    false non-match rate  {rate(fnm, len(genuine))}")
        print(f"    false match rate      {rate(fm, len(impostor))}")
        if genuine and impostor:
            print(f"    median distance: same person {np.median(genuine):.3f}, "
                  f"different people {np.median(impostor):.3f}")
        for same, label in ((False, "false matches"), (True, "false non-matches")):
            wrong = sorted((d, items[a].id, items[b].id)
                           for d, (a, b) in zip(found[same], where[same], strict=True)
                           if (d > threshold) == same)
            print(f"    {label}: " + ", ".join(f"{a} vs {b} {d:.3f}" for d, a, b in wrong))
    print("  FNMR / FMR at other thresholds (k/n):")
    print("    threshold " + "  ".join(f"{name:>27}" for name in conditions))
    for t in THRESHOLDS:
        cells = []
        for found, _, _ in conditions.values():
            g, i = found[True], found[False]
            cells.append(f"{sum(d > t for d in g):4d}/{len(g):<4d} {sum(d <= t for d in i):5d}/"
                         f"{len(i):<6d}")
        print(f"    {t:9.3f} " + "  ".join(f"{c:>27}" for c in cells))


def chosen_threshold(impostor: list[float]) -> float:
    return max(d for d in GRID
               if interval(sum(x <= d for x in impostor), len(impostor)).high <= MAX_FMR_UPPER)


def calibration_table(found) -> dict:
    """The reviewer's score table (see kcheck/docintel/facescore.py), document condition."""
    genuine, impostor = found[True], found[False]
    return {
        "source": "bench/facematch.py --calibrate: datasets/faces, calibration split, "
                  "document-portrait-like pairs (photo against a printed portrait of another "
                  "photo)",
        "model": facematch.MODEL, "threshold": chosen_threshold(impostor),
        "threshold_rule": "largest grid distance whose false match rate on these pairs has "
                          f"a 95 % Clopper-Pearson upper bound <= {MAX_FMR_UPPER:.0%}",
        "same_person": len(genuine), "different_people": len(impostor),
        "rows": [{"distance": d,
                  "different_people_at_most": sum(x <= d for x in impostor),
                  "same_person_at_least": sum(x >= d for x in genuine)} for d in GRID],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calibrate", action="store_true",
                        help="measure the calibration split and rewrite the score table")
    args = parser.parse_args()
    split = "calibration" if args.calibrate else "test"
    started = time.perf_counter()
    items, images = load(split)
    selfie, documents = templates(items, images)
    pair_list, by_person = pairs(items)
    conditions = {name: distances(selfie, document, pair_list)
                  for name, document in documents.items()}
    faceless = {"as the selfie": [i.id for i, t in zip(items, selfie, strict=True) if t is None],
                 **{f"as the {name}": [i.id for i, t in zip(items, document, strict=True)
                                       if t is None] for name, document in documents.items()}}
    report(split, items, conditions, facematch.MATCH_THRESHOLD,
           time.perf_counter() - started, by_person, faceless)
    if args.calibrate:
        table = calibration_table(conditions["document"][0])
        facescore.TABLE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {facescore.TABLE.relative_to(ROOT)}: threshold by the rule "
              f"{table['threshold']} (the product uses {facematch.MATCH_THRESHOLD})")


if __name__ == "__main__":
    main()

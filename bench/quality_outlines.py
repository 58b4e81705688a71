"""How well the instant check outlines the document on real phone photos: MIDV-500's frames ship
the true outline of the document in each (a quad per frame, `knir/data/*/*.json`).

Run: KCHECK_REALDATA_DIR=... .venv/bin/python bench/quality_outlines.py [--split calibration|test|all]
Each MIDV-500 frame of datasets/photos (not the rows derived from them) is judged the way a
person's upload is (kcheck.quality.check_upload) and the outline it returns (the one the
reviewer's view draws, and that glare, exposure and blur are measured in) is scored against the
true one by intersection over union. Prints each frame (its label, the verdict, the IoU; "none"
where no outline was returned), then how many frames whose document lies whole in the frame have
an IoU of 0.9 or more (the corners within a few pixels: an annotator's own spread), 0.5-0.9,
under 0.5 and none. Frames of a document cut by the frame are listed, not counted. The quads are
read from the snapshot of the source repository (`fetch` it, as scripts/realdata.py's build
does) or from GitHub. Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import realdata  # noqa: E402

from bench.quality_accuracy import PHOTOS  # noqa: E402
from kcheck.quality import check_upload  # noqa: E402

MIDV = "onbehalfofhim/midv_dataset"
CLOSE = 0.9


def true_quad(item: realdata.Item) -> np.ndarray:
    """The frame's annotated quad (4 x 2, pixels). Its file is `<n>_<k>.json` beside the frame
    `<doc>_<0k>.png`, `<n>` being the folder's number or the document's (both occur)."""
    folder, name = item["path"].rsplit("/", 1)
    document, frame = Path(name).stem.split("_")
    for prefix in dict.fromkeys((folder.rsplit("/", 1)[1], document)):
        path = f"{folder}/{prefix}_{int(frame)}.json"
        data = realdata._from_mirror(item["repo"], item["commit"], path)
        if data is None:
            try:
                data = realdata._from_github(item["repo"], item["commit"], path)
            except OSError:
                continue
        return np.array(json.loads(data)["quad"], np.float32)
    raise SystemExit(f"no annotated quad found for {item.id} beside {item['path']}")


def iou(one: np.ndarray, other: np.ndarray) -> float:
    """Intersection over union of two convex quads."""
    one, other = (cv2.convexHull(q.astype(np.float32)) for q in (one, other))
    shared, _ = cv2.intersectConvexConvex(one, other)
    union = cv2.contourArea(one) + cv2.contourArea(other) - shared
    return float(shared / union) if union > 0 else 0.0


def judge(item: realdata.Item) -> tuple[str, str, str, bool, float | None]:
    """(id, label, verdict, whether the document lies whole in the frame, IoU or None)."""
    data = item.file.read_bytes()
    height, width = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE).shape
    truth = true_quad(item)
    whole = bool((truth >= 0).all() and (truth[:, 0] <= width).all() and (truth[:, 1] <= height).all())
    verdict = check_upload(data, item["slot"])
    score = None if verdict.document_quad is None else iou(np.array(verdict.document_quad), truth)
    label = item["expected"] + (f" ({item['reasons']})" if item["reasons"] else "")
    return item.id, label, verdict.verdict, whole, score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="calibration", choices=("calibration", "test", "all"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    built, failures = realdata.build(PHOTOS)
    if failures:
        sys.exit(f"{len(failures)} images of {PHOTOS!r} could not be built:\n" + "\n".join(failures))
    items = [item for item in realdata.load(PHOTOS, None if args.split == "all" else args.split)
             if item["repo"] == MIDV and not item.transform]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(judge, items))
    for ident, label, verdict, whole, score in sorted(rows, key=lambda r: (r[4] is not None, r[4] or 0)):
        shown = "none" if score is None else f"{score:.2f}"
        print(f"{ident:40} {label:36} {verdict:7} {'' if whole else 'cut by the frame':17} {shown}")
    scores = [score for *_, whole, score in rows if whole]
    close = sum(s is not None and s >= CLOSE for s in scores)
    middle = sum(s is not None and 0.5 <= s < CLOSE for s in scores)
    far = sum(s is not None and s < 0.5 for s in scores)
    print(f"\n{args.split}: {len(scores)} MIDV-500 frames with the document whole in the frame "
          f"({len(rows) - len(scores)} cut by it, not counted): IoU >= {CLOSE} {close}, "
          f"0.5-{CLOSE} {middle}, < 0.5 {far}, no outline {scores.count(None)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

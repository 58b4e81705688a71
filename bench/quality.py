"""Benchmark: check_photo on a 12-megapixel JPEG per slot vs its decode floor and a naive pipeline.

Run: .venv/bin/python bench/quality.py [--runs N] [--real]
Goals (from the issue): full check <= 2.5x the reduced-scale decode alone, and >= 4x
faster than a naive full-resolution pipeline. With --real, also the check's CPU time per real
document photo of the calibration split (datasets/photos, built into $KCHECK_REALDATA_DIR):
median and p95, each photo checked as the worker checks it (its stored copy). Prints figures;
never fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import realdata  # noqa: E402

from kcheck.quality import (  # noqa: E402
    ImageRejected,
    check_photo,
    check_upload,
    sanitize_upload,
    stored_copy,
    warm_up,
)
from kcheck.quality.decode import reduced_flag  # noqa: E402
from tests.fixtures.documents import PHONE_12MP, make_photo  # noqa: E402

SLOTS = ("id_front", "id_back", "passport_page", "selfie")


def median_ms(fn, runs: int) -> float:
    return median_ms_interleaved((fn,), runs)[0]


def median_ms_interleaved(fns, runs: int) -> list[float]:
    """Median CPU ms of each function, run in turn within each round. CPU time of this process
    (cv2 and dlib run on one thread here) is what the work costs; wall time on a shared
    machine also counts the time other processes held the core."""
    for fn in fns:
        fn()  # warm-up: caches, lazy detector load, page faults
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, own in zip(fns, times, strict=True):
            start = time.process_time()
            fn()
            own.append((time.process_time() - start) * 1000)
    return [statistics.median(own) for own in times]


def decode_floor(data: bytes, width: int, height: int) -> np.ndarray:
    """Decode alone, at the reduced scale check_photo uses."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), reduced_flag(width, height))


# The obvious face detector of the naive version: OpenCV's Haar cascade at full resolution.
_NAIVE_CASCADE = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def naive_pipeline(data: bytes) -> tuple:
    """The obvious version: everything at full resolution."""
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    sharpness = cv2.Laplacian(gray, cv2.CV_64F).var()
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256])
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    quads = [cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True) for c in contours]
    min_face = min(gray.shape) // 20
    faces = _NAIVE_CASCADE.detectMultiScale(gray, 1.1, 4, minSize=(min_face, min_face))
    return sharpness, hist, len(quads), len(faces)


def real_photos() -> None:
    """CPU ms per real document photo of the calibration split, once each: the person's whole
    way (check_upload: intake refusals, the stored copy, its check) and the check of the stored
    copy alone (check_photo, what this module's goals are about). Photos the intake refuses
    are left out."""
    built, failures = realdata.build("photos")
    if failures:
        sys.exit(f"{len(failures)} real photos could not be built:\n" + "\n".join(failures))
    photos = []
    for item in realdata.load("photos", "calibration"):
        if item["slot"] == "selfie":
            continue
        data = item.file.read_bytes()
        try:
            clean = sanitize_upload(data)
            photos.append((data, stored_copy(clean.data, clean.orientation).data, item["slot"]))
        except ImageRejected:
            continue
    warm_up()
    upload_ms, check_ms = [], []
    for data, copy, slot in photos:
        start = time.process_time()
        check_upload(data, slot)
        upload_ms.append((time.process_time() - start) * 1000)
        start = time.process_time()
        check_photo(copy, slot)
        check_ms.append((time.process_time() - start) * 1000)
    print(f"real document photos, calibration split: {len(photos)}, CPU ms each")
    for name, times in (("check_upload", upload_ms), ("check_photo of the stored copy", check_ms)):
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(f"  {name:31} median {statistics.median(times):6.1f}  p95 {p95:6.1f}  "
              f"mean {statistics.mean(times):6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--real", action="store_true", help="also time the real calibration photos")
    args = parser.parse_args()
    cv2.setNumThreads(1)  # as the RQ workers do

    print(f"12 MP photos, {args.runs} runs each (naive: {args.naive_runs}), cv2.setNumThreads(1), CPU ms")
    header = f"{'slot':14} {'check ms':>9} {'floor ms':>9} {'naive ms':>9} {'check/floor':>12} "
    print(header + f"{'naive/check':>12}  verdict")
    rows = []
    for slot in SLOTS:
        data = make_photo(slot, None, seed=1, long_side=PHONE_12MP[0])
        width, height = PHONE_12MP if slot != "selfie" else PHONE_12MP[::-1]
        check, floor = median_ms_interleaved(
            (lambda d=data, s=slot: check_photo(d, s),
             lambda d=data, w=width, h=height: decode_floor(d, w, h)),
            args.runs,
        )
        naive = median_ms(lambda d=data: naive_pipeline(d), args.naive_runs)
        verdict = check_photo(data, slot)
        rows.append((check, floor, naive))
        print(
            f"{slot:14} {check:9.1f} {floor:9.1f} {naive:9.1f} {check / floor:11.2f}x "
            f"{naive / check:11.1f}x  {verdict.verdict} {list(verdict.reasons)}"
        )
    worst_floor = max(c / f for c, f, _ in rows)
    worst_naive = min(n / c for c, _, n in rows)
    print(
        f"worst check/floor {worst_floor:.2f}x (goal <= 2.5x); "
        f"worst naive/check {worst_naive:.1f}x (goal >= 4x)"
    )
    if args.real:
        real_photos()


if __name__ == "__main__":
    main()

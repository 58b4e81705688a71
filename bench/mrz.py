"""Benchmark: our MRZ reader against PassportEye on generated document photos.

Run: .venv/bin/python bench/mrz.py [--per-format N] [--long-side PX]
Photos: TD1, TD2 and TD3 documents with valid MRZs (mrz package) in OCR-B, photographed in
perspective with blur, noise and JPEG compression (tests/fixtures/mrz_documents.py). A read
counts as valid when every check digit passes AND every field equals the generated one.
PassportEye needs Debian's `tesseract-ocr`; when it is missing and we are root, it is
installed with apt-get (and said so). Goal: more valid reads than PassportEye, and faster.
Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

# This file is called mrz.py: keep its folder off the path so `import mrz` finds the package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from kcheck.docintel.mrz import parse  # noqa: E402
from tests.fixtures.mrz_documents import bench_set  # noqa: E402


def ensure_tesseract() -> bool:
    if shutil.which("tesseract"):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("tesseract-ocr is missing (install it: apt-get install tesseract-ocr); "
              "PassportEye is skipped")
        return False
    print("tesseract-ocr missing: running apt-get install -y tesseract-ocr ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "tesseract-ocr"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"  {' '.join(cmd)} failed: {done.stderr.strip()[-300:]}")
            return False
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    print(f"  installed: {version.stdout.splitlines()[0]}")
    return True


def ours(jpeg: bytes) -> dict | None:
    from kcheck.docintel.mrz_zone import read_mrz

    reading = read_mrz(jpeg)
    return reading.fields if reading.valid else None


def passporteye(jpeg: bytes) -> dict | None:
    import io

    from passporteye import read_mrz

    found = read_mrz(io.BytesIO(jpeg))
    if found is None or not found.valid:
        return None
    # Parse PassportEye's own lines with our parser so fields compare like for like.
    reading = parse(found.aux["text"].split("\n"))
    return reading.fields if reading.valid else None


def run(name: str, reader, photos, expected) -> tuple[int, float, list[float]]:
    reader(photos[0][1])  # warm-up: model loading is not what we measure
    valid, wall, cpu = 0, [], []
    for (_label, jpeg, _spec), want in zip(photos, expected, strict=True):
        t0, c0 = time.perf_counter(), time.process_time()
        got = reader(jpeg)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        valid += got == want
    print(f"  {name:12s} valid reads {valid:3d}/{len(photos)}   median "
          f"{statistics.median(wall):7.0f} ms wall, {statistics.median(cpu):6.0f} ms CPU")
    return valid, statistics.median(wall), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-format", type=int, default=20)
    parser.add_argument("--long-side", type=int, default=2000)
    args = parser.parse_args()
    import cv2

    cv2.setNumThreads(1)
    warnings.filterwarnings("ignore", category=FutureWarning)  # PassportEye on new skimage
    photos = bench_set(args.per_format, args.long_side)
    expected = [parse(spec.lines()).fields for _, _, spec in photos]
    print(f"MRZ bench: {len(photos)} photos ({args.per_format} each of TD1, TD2, TD3), "
          f"{args.long_side} px long side, one thread")
    our_valid, our_ms, _ = run("kcheck", ours, photos, expected)
    if ensure_tesseract():
        eye_valid, eye_ms, _ = run("PassportEye", passporteye, photos, expected)
        print(f"  kcheck vs PassportEye: {our_valid} vs {eye_valid} valid reads; "
              f"{eye_ms / our_ms:.1f}x faster (wall: Tesseract runs in a subprocess, so "
              f"PassportEye's CPU column leaves it out)")


if __name__ == "__main__":
    main()

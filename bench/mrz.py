"""Benchmark: our MRZ reader against PassportEye, in the same run, on one thread.

Run: .venv/bin/python bench/mrz.py [--sets test test2 test3 test4 outside generated] [--per-format N]
Sets:
- `test`, `test2`, `test3`, `test4`, `calibration`: the real specimen pictures of
  datasets/mrz (build them first with `python scripts/realdata.py build mrz`). A read is
  right when it agrees with the person's labels: for a zone whose printed check digits pass,
  every check digit passes and the document number, dates, nationality, issuing country and
  sex equal the labels (names are counted apart: OCR slips in a name are not caught by any
  check digit); for a specimen printed with wrong check digits, exactly those checks fail;
  for a picture without a zone, no valid zone is reported. Rotated pictures are counted
  apart too.
- `outside`: PassportEye's own testdata, never tuned on: a read counts when every check digit
  passes (those rows carry no field labels).
- `generated`: TD1, TD2 and TD3 documents rendered in OCR-B and photographed in perspective
  with blur, noise and JPEG compression (tests/fixtures/mrz_documents.py); right when every
  check digit passes and every field equals the generated one.
PassportEye needs Debian's `tesseract-ocr`; when it is missing and we are root, it is
installed with apt-get (and said so). Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

# One thread everywhere (numpy, OpenCV, ONNX Runtime): the figures are per core.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# This file is called mrz.py: keep its folder off the path so `import mrz` finds the package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from kcheck.docintel.mrz import MrzReading, parse  # noqa: E402
from tests.fixtures.mrz_documents import bench_set  # noqa: E402

LABELLED = ("document_number", "birth_date", "expiry_date", "nationality", "country", "sex")


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


def ours(data: bytes) -> MrzReading:
    from kcheck.docintel.mrz_zone import read_mrz

    return read_mrz(data)


def passporteye(data: bytes) -> MrzReading:
    import io

    from passporteye import read_mrz

    found = read_mrz(io.BytesIO(data))
    if found is None:
        return MrzReading(found=False)
    # Parse PassportEye's own lines with our parser so both are judged alike.
    return parse(found.aux["text"].split("\n"))


def generated_case(spec):
    want = parse(spec.lines()).fields
    return lambda reading: reading.valid and reading.fields == want


def real_case(item):
    """A judge of one reading against the labels of one manifest row: (right, name right)."""
    expected = item["expected_checks"]
    if item.split == "outside":
        return lambda reading: (reading.valid, None)
    if expected == "no zone":
        return lambda reading: (not reading.valid, None)
    failing = set(expected.removeprefix("fail:").split()) if expected != "all pass" else set()

    def judge(reading: MrzReading):
        got = {**reading.fields, **reading.dates_as_written,
               "country": reading.fields.get("issuing_country")}
        fields_ok = all((got.get(k) or "") == item[k] for k in LABELLED)
        name_ok = (got.get("surname"), got.get("given_names")) == \
            (item["surname"], item["given_names"])
        return reading.found and set(reading.failed_checks) == failing and fields_ok, name_ok

    return judge


def _cpu() -> float:
    """CPU seconds of this process and of the subprocesses it waited for (Tesseract)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(name: str, reader, cases) -> dict:
    """cases: (label, image bytes, judge, rotated). Prints and returns the figures."""
    reader(cases[0][1])  # warm-up: model loading is not what we measure
    right = names = named = rotated = rotated_right = 0
    wall, cpu, misses = [], [], []
    for label, data, judge, turned in cases:
        t0, c0 = time.perf_counter(), _cpu()
        reading = reader(data)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((_cpu() - c0) * 1000)
        verdict = judge(reading)
        ok, name_ok = verdict if isinstance(verdict, tuple) else (verdict, None)
        right += bool(ok)
        if name_ok is not None:
            named += 1
            names += bool(ok and name_ok)
        if turned:
            rotated += 1
            rotated_right += bool(ok)
        if not ok:
            misses.append(label)
    line = (f"  {name:12s} right {right:3d}/{len(cases)}   median {statistics.median(wall):6.0f} ms "
            f"wall, {statistics.median(cpu):6.0f} ms CPU (with subprocesses)")
    if named:
        line += f"   names also right {names}/{named}"
    if rotated:
        line += f"   rotated {rotated_right}/{rotated}"
    print(line)
    print(f"    missed: {', '.join(misses) or '-'}")
    return {"right": right, "wall": statistics.median(wall), "cpu": statistics.median(cpu)}


def real_cases(split: str) -> list:
    sys.path.insert(0, str(HERE.parent / "scripts"))
    from realdata import load

    return [(item.id, item.file.read_bytes(), real_case(item),
             item["rotation"] not in ("", "0") or bool(item.transform))
            for item in load("mrz", split)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="+", default=["test", "outside"],
                        choices=["test", "test2", "test3", "test4", "calibration", "outside",
                                 "generated"])
    parser.add_argument("--per-format", type=int, default=20)
    parser.add_argument("--long-side", type=int, default=2000)
    parser.add_argument("--no-passporteye", action="store_true")
    args = parser.parse_args()
    import cv2

    cv2.setNumThreads(1)
    warnings.filterwarnings("ignore", category=FutureWarning)  # PassportEye on new skimage
    eye = not args.no_passporteye and ensure_tesseract()
    for name in args.sets:
        if name == "generated":
            photos = bench_set(args.per_format, args.long_side)
            cases = [(label, jpeg, generated_case(spec), False) for label, jpeg, spec in photos]
            print(f"MRZ bench, generated: {len(cases)} photos ({args.per_format} each of TD1, "
                  f"TD2, TD3), {args.long_side} px long side, one thread")
        else:
            cases = real_cases(name)
            print(f"MRZ bench, real {name} split: {len(cases)} pictures, one thread")
        mine = run("kcheck", ours, cases)
        if eye:
            theirs = run("PassportEye", passporteye, cases)
            print(f"  kcheck vs PassportEye: {mine['right']} vs {theirs['right']} right; "
                  f"{theirs['cpu'] / mine['cpu']:.1f}x faster in median CPU time, "
                  f"{theirs['wall'] / mine['wall']:.1f}x in median wall time")


if __name__ == "__main__":
    main()

"""Face-match calibration: distances of labelled genuine and impostor pairs, and the false
matches / false non-matches at kcheck.docintel.facematch.MATCH_THRESHOLD.

Run: .venv/bin/python bench/facematch.py [--lfw N]
Faces come only from installed packages: scikit-image's astronaut (one identity at a usable
size) and skimage.data.lfw_subset() (100 unlabelled 25 x 25 face thumbnails). Read the
figures with that in mind (see the facematch module docstring). Prints; never fails.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kcheck.docintel import facematch  # noqa: E402


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def rotate(rgb: np.ndarray, degrees: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)


def scale(rgb: np.ndarray, factor: float) -> np.ndarray:
    return cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA
                      if factor < 1 else cv2.INTER_CUBIC)


def grey(rgb: np.ndarray) -> np.ndarray:
    return np.dstack([cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)] * 3)


VARIANTS = {
    **{f"rotate{d:+d}": (lambda im, d=d: rotate(im, d)) for d in (-15, -8, 5, 12)},
    **{f"scale{f}": (lambda im, f=f: scale(im, f)) for f in (0.5, 0.75, 1.5)},
    **{f"jpeg{q}": (lambda im, q=q: jpeg(im, q)) for q in (25, 40, 60)},
    "greyscale": grey,
    "grey+rotate+jpeg": lambda im: jpeg(rotate(grey(im), 7), 40),
}


def lfw_faces(count: int) -> list[np.ndarray]:
    from skimage import data

    faces = (data.lfw_subset()[:100] * 255).astype(np.uint8)[:count]
    return [np.dstack([cv2.resize(f, (150, 150), interpolation=cv2.INTER_CUBIC)] * 3)
            for f in faces]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lfw", type=int, default=100, help="LFW thumbnails used (max 100)")
    args = parser.parse_args()
    from skimage import data

    from tests.fixtures.documents import make_photo

    started = time.perf_counter()
    astronaut = data.astronaut()
    genuine: list[tuple[str, float | None]] = []
    for name, variant in VARIANTS.items():
        genuine.append((f"astronaut/{name}", facematch.distance_between(astronaut,
                                                                      variant(astronaut))))
    for seed in range(4):  # the real pipeline: selfie fixture vs document fixture's portrait
        match = facematch.compare(make_photo("selfie", seed=seed),
                                  make_photo("id_front", seed=seed * 2))
        genuine.append((f"fixture selfie {seed} vs id_front {seed * 2}", match.distance))
    faces = lfw_faces(args.lfw)
    lfw_templates = [facematch._whole_template(f) for f in faces]
    for i, face in enumerate(faces):
        for name in ("rotate+8", "greyscale", "jpeg40"):
            other = facematch._whole_template(VARIANTS[name if name != "rotate+8" else
                                                       "rotate-8"](face))
            genuine.append((f"lfw{i}/{name}", float(np.linalg.norm(lfw_templates[i] - other))))
    impostor: list[tuple[str, float | None]] = []
    for i, face in enumerate(faces):
        impostor.append((f"astronaut vs lfw{i}",
                         facematch.distance_between(astronaut, face, whole_b=True)))
    for i, j in itertools.combinations(range(len(faces)), 2):
        impostor.append((f"lfw{i} vs lfw{j}",
                         float(np.linalg.norm(lfw_templates[i] - lfw_templates[j]))))
    report(genuine, impostor, facematch.MATCH_THRESHOLD, time.perf_counter() - started)


def report(genuine, impostor, threshold: float, seconds: float) -> None:
    g = [d for _, d in genuine if d is not None]
    i = [d for _, d in impostor if d is not None]
    missing = [name for name, d in genuine + impostor if d is None]
    fnm = [(n, d) for n, d in genuine if d is not None and d > threshold]
    fm = [(n, d) for n, d in impostor if d is not None and d <= threshold]
    print(f"face-match calibration ({seconds:.0f} s): threshold {threshold}")
    print(f"  genuine pairs  {len(g):5d}: distance median {np.median(g):.3f}, "
          f"max {max(g):.3f}; false non-matches {len(fnm)} ({100 * len(fnm) / len(g):.2f} %)")
    print(f"  impostor pairs {len(i):5d}: distance median {np.median(i):.3f}, "
          f"min {min(i):.3f}; false matches {len(fm)} ({100 * len(fm) / len(i):.2f} %)")
    for name, d in sorted(fnm, key=lambda x: -x[1])[:8]:
        print(f"    false non-match: {name} at {d:.3f}")
    for name, d in sorted(fm, key=lambda x: x[1])[:8]:
        print(f"    false match: {name} at {d:.3f}")
    for candidate in (0.45, 0.5, 0.55, 0.6):
        print(f"  at {candidate:.2f}: FNMR {100 * sum(d > candidate for d in g) / len(g):5.2f} %"
              f"  FMR {100 * sum(d <= candidate for d in i) / len(i):5.2f} %")
    if missing:
        print(f"  no face found in {len(missing)} image(s): {', '.join(missing[:5])}")


if __name__ == "__main__":
    main()

"""Real-image evaluation sets: rebuild them from their public sources, and load them.

Each set is a folder under `datasets/` with a `manifest.csv`: one row per image, naming
where it comes from (`repo`, `commit`, `path`), its licence, its split (`calibration`,
`test`, `test2`, `test3` and `test4` (later blind tests, each added after the one before had been looked
at) or `outside` for
material kept out of both) and the labels a person wrote for it.
No image is committed: `build` copies each one out of a local snapshot of its repository
(`$KCHECK_MIRROR_DIR/<owner>+<name>/repo`, a bare git directory or a checkout) or, failing
that, downloads it from GitHub at the pinned commit, and checks it against the manifest's
SHA-256.

    python scripts/realdata.py build [SET ...]     # into var/realdata/<set>/<id><ext>
    python scripts/realdata.py list                # sets, images, splits

Derived rows. A row may name a `transform` (and the `derived_from` row it copies): `build`
then checks the source file against the row's sha256 as usual, applies the steps (several
joined by `;`) and writes the result as PNG (EXIF orientation applied first).
The defects are deterministic (OpenCV + Pillow, no randomness); sizes are in pixels of the
source image after EXIF rotation, positions and shares are fractions of its width/height:

    gaussian_blur:SIGMA           Gaussian blur of standard deviation SIGMA px (out of focus)
    motion_blur:LENGTH[,ANGLE]    straight camera shake of LENGTH px at ANGLE degrees (default 0)
    exposure:F                    multiply by F and clip: F < 1 underexposes, F > 1 burns out
    crop:SIDE=SHARE[,SIDE=SHARE]  cut SHARE of the width/height off the left/right/top/bottom
    glare:X,Y,R                   specular highlight centred at (X, Y), radius R x the short side
    downscale:LONG                shrink (area interpolation) to LONG px on the long side
    scale:F                       resize by the factor F (area interpolation)
    rotate:DEGREES                turn clockwise; quarter turns are exact, other angles grow the
                                  canvas and repeat the border
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
CACHE = Path(os.environ.get("KCHECK_REALDATA_DIR", ROOT / "var" / "realdata"))
MIRRORS = Path(os.environ.get("KCHECK_MIRROR_DIR", "/work/.mirror"))
COMMON = ("id", "repo", "commit", "path", "sha256", "licence", "split")
SPLITS = ("calibration", "test", "test2", "test3", "test4", "outside")


@dataclass(frozen=True)
class Item:
    """One labelled image of a set: its source, licence, split, labels and local file."""

    set_name: str
    row: dict

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def split(self) -> str:
        return self.row["split"]

    @property
    def transform(self) -> str:
        return (self.row.get("transform") or "").strip()

    @property
    def file(self) -> Path:
        suffix = ".png" if self.transform else Path(self.row["path"]).suffix.lower() or ".bin"
        return CACHE / self.set_name / f"{self.id}{suffix}"

    def __getitem__(self, key: str) -> str:
        return self.row[key]


def sets() -> list[str]:
    return sorted(p.parent.name for p in DATASETS.glob("*/manifest.csv"))


def read_manifest(set_name: str) -> list[Item]:
    path = DATASETS / set_name / "manifest.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(row for row in fh if not row.startswith("#"))
        missing = [c for c in COMMON if c not in (reader.fieldnames or ())]
        if missing:
            raise SystemExit(f"{path}: missing columns {missing}")
        items = [Item(set_name, row) for row in reader]
    ids = [item.id for item in items]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise SystemExit(f"{path}: duplicate ids {sorted(dupes)}")
    bad = [item.id for item in items if item.split not in SPLITS]
    if bad:
        raise SystemExit(f"{path}: unknown split for {bad}")
    orphans = [i.id for i in items if i.row.get("derived_from") and i["derived_from"] not in ids]
    if orphans:
        raise SystemExit(f"{path}: derived_from names no row of the set for {orphans}")
    return items


def load(set_name: str, split: str | None = None) -> list[Item]:
    """The set's items (of one split if given) whose files are built; says how to build the rest."""
    items = [i for i in read_manifest(set_name) if split is None or i.split == split]
    missing = [i for i in items if not i.file.exists()]
    if missing:
        raise SystemExit(
            f"{len(missing)} of {len(items)} images of {set_name!r} are not built: "
            f"run `python scripts/realdata.py build {set_name}`"
        )
    return items


def _from_mirror(repo: str, commit: str, path: str) -> bytes | None:
    git_dir = MIRRORS / repo.replace("/", "+") / "repo"
    if (git_dir / ".git").is_dir():  # a snapshot kept with its work tree
        git_dir = git_dir / ".git"
    if not git_dir.is_dir():
        return None
    result = subprocess.run(  # noqa: S603 - fixed git command on our own snapshot
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def _from_github(repo: str, commit: str, path: str) -> bytes:
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{urllib.request.quote(path)}"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - fixed https host
        return response.read()


def build(set_name: str) -> tuple[int, list[str]]:
    """Fetch every image of the set into the cache; returns (built, failures)."""
    built, failures = 0, []
    for item in read_manifest(set_name):
        if item.file.exists() and (item.transform or _sha256(item.file.read_bytes()) ==
                                   item["sha256"]):
            built += 1
            continue
        data = _from_mirror(item["repo"], item["commit"], item["path"])
        if data is None:
            try:
                data = _from_github(item["repo"], item["commit"], item["path"])
            except OSError as exc:
                failures.append(f"{item.id}: {item['repo']}:{item['path']}: {type(exc).__name__}")
                continue
        if _sha256(data) != item["sha256"]:
            failures.append(f"{item.id}: content differs from the manifest's sha256")
            continue
        if item.transform:
            try:
                data = derive(data, item.transform, item.file.suffix)
            except ValueError as exc:
                failures.append(f"{item.id}: {exc}")
                continue
        item.file.parent.mkdir(parents=True, exist_ok=True)
        item.file.write_bytes(data)
        built += 1
    return built, failures


def derive(data: bytes, transform: str, suffix: str) -> bytes:
    """Apply one defect named as in the module docstring to image bytes; returns new bytes."""
    import io

    import numpy as np
    from PIL import Image, ImageOps

    try:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    except OSError as exc:
        raise ValueError("not an image") from exc
    pixels = np.asarray(image, dtype=np.float32)
    for step in transform.split(";"):
        name, _, args = step.strip().partition(":")
        if name not in _DEFECTS:
            raise ValueError(f"unknown transform {step!r}; expected one of {sorted(_DEFECTS)}")
        pixels = _DEFECTS[name](pixels, args)
    out = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    if suffix.lower() in (".jpg", ".jpeg"):
        out.save(buffer, "JPEG", quality=92)
    else:
        out.save(buffer, "PNG")
    return buffer.getvalue()


def _gaussian_blur(pixels, args: str):
    import cv2

    return cv2.GaussianBlur(pixels, (0, 0), float(args))


def _motion_blur(pixels, args: str):
    import cv2
    import numpy as np

    length, _, angle = args.partition(",")
    size = int(length)
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0
    centre = ((size - 1) / 2, (size - 1) / 2)
    rotation = cv2.getRotationMatrix2D(centre, float(angle or 0), 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (size, size))
    return cv2.filter2D(pixels, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REFLECT)


def _exposure(pixels, args: str):
    return pixels * float(args)


def _crop(pixels, args: str):
    height, width = pixels.shape[:2]
    top, bottom, left, right = 0, height, 0, width
    for part in args.split(","):
        side, _, share = part.partition("=")
        cut = float(share)
        if side == "left":
            left = round(width * cut)
        elif side == "right":
            right = width - round(width * cut)
        elif side == "top":
            top = round(height * cut)
        elif side == "bottom":
            bottom = height - round(height * cut)
        else:
            raise ValueError(f"crop side must be left, right, top or bottom, not {side!r}")
    return pixels[top:bottom, left:right]


def _glare(pixels, args: str):
    import numpy as np

    x, y, radius = (float(v) for v in args.split(","))
    height, width = pixels.shape[:2]
    sigma = radius * min(height, width)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    blob = np.exp(-((xx - x * width) ** 2 + (yy - y * height) ** 2) / (2 * sigma**2))
    # A hard white core fading out over about one radius, like a lamp on laminated plastic.
    light = np.clip(2.5 * blob, 0, 1)[..., None]
    return pixels * (1 - light) + 255.0 * light


def _downscale(pixels, args: str):
    import cv2

    height, width = pixels.shape[:2]
    factor = int(args) / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def _scale(pixels, args: str):
    import cv2

    return cv2.resize(pixels, None, fx=float(args), fy=float(args), interpolation=cv2.INTER_AREA)


def _rotate(image, args: str):
    import cv2
    import numpy as np

    degrees = float(args)
    quarter = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
               270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if degrees % 90 == 0:
        turns = int(degrees) % 360
        return image if turns == 0 else cv2.rotate(image, quarter[turns])
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (int(h * sin + w * cos), int(h * cos + w * sin))
    matrix[:, 2] += (np.array(size) - (w, h)) / 2
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


_DEFECTS = {
    "gaussian_blur": _gaussian_blur,
    "motion_blur": _motion_blur,
    "exposure": _exposure,
    "crop": _crop,
    "glare": _glare,
    "downscale": _downscale,
    "rotate": _rotate,
    "scale": _scale,
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="fetch the images of the named sets (default: all)")
    build_cmd.add_argument("sets", nargs="*")
    sub.add_parser("list", help="sets with their image counts per split")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name in sets():
            items = read_manifest(name)
            counts = {s: sum(i.split == s for i in items) for s in SPLITS}
            print(f"{name}: {len(items)} images {counts}")
        return 0
    status = 0
    for name in args.sets or sets():
        built, failures = build(name)
        print(f"{name}: {built} built into {CACHE / name}, {len(failures)} failed")
        for line in failures:
            print(f"  {line}", file=sys.stderr)
        status = status or (1 if failures else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())

"""scripts/realdata.py: derived rows are built from their checked source with the named defect."""

import hashlib
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("realdata", ROOT / "scripts" / "realdata.py")
realdata = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("realdata", realdata)  # its dataclasses look their module up by name
_spec.loader.exec_module(realdata)


def _photo(width=400, height=300, exif_orientation=None, fmt="PNG") -> bytes:
    """A sharp grey test card: fine black stripes and blocks on a mid-grey page."""
    pixels = np.full((height, width, 3), 160, np.uint8)
    pixels[::6, :] = 20
    pixels[40:120, 30:110] = 240
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _sharpness(data: bytes) -> float:
    gray = cv2.cvtColor(_pixels(data), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


@pytest.mark.parametrize("transform", ["gaussian_blur:4", "motion_blur:15,30"])
def test_blur_and_camera_shake_soften_the_photo(transform):
    original = _photo()
    assert _sharpness(realdata.derive(original, transform, ".png")) < _sharpness(original) / 4


def test_exposure_darkens_below_one_and_burns_out_above():
    dark = _pixels(realdata.derive(_photo(), "exposure:0.1", ".png"))
    bright = _pixels(realdata.derive(_photo(), "exposure:4", ".png"))
    assert np.median(dark) < 20
    assert (bright == 255).mean() > 0.8


def test_crop_cuts_the_named_share_off_each_side():
    cropped = _pixels(realdata.derive(_photo(), "crop:left=0.3,bottom=0.5", ".png"))
    assert cropped.shape[:2] == (150, 280)
    with pytest.raises(ValueError, match="crop side"):
        realdata.derive(_photo(), "crop:middle=0.2", ".png")


def test_glare_whitens_a_spot_and_leaves_the_rest():
    original = _pixels(_photo())
    glared = _pixels(realdata.derive(_photo(), "glare:0.75,0.5,0.1", ".png"))
    assert (glared[140:160, 290:310] == 255).all()
    assert (glared[:, :150] == original[:, :150]).all()


def test_downscale_sets_the_long_side():
    assert _pixels(realdata.derive(_photo(), "downscale:100", ".png")).shape[:2] == (75, 100)


def test_exif_orientation_is_applied_before_the_defect():
    # Orientation 6: the stored 400x300 pixels are shown turned a quarter, i.e. 300 wide, 400 high.
    turned = realdata.derive(_photo(exif_orientation=6, fmt="JPEG"), "downscale:200", ".jpg")
    assert Image.open(io.BytesIO(turned)).format == "JPEG"
    assert _pixels(turned).shape[:2] == (200, 150)


def test_an_unknown_transform_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown transform 'sepia:1'"):
        realdata.derive(_photo(), "sepia:1", ".png")


def _mirror_with(tmp_path: Path, name: str, data: bytes) -> str:
    """A bare git snapshot of owner/name holding one file, as `fetch` leaves them; its commit."""
    git_dir = tmp_path / "mirror" / "owner+name" / "repo"
    work = tmp_path / "work"
    work.mkdir()
    (work / name).write_bytes(data)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
    base = [*git, "--git-dir", str(git_dir), "--work-tree", str(work)]
    subprocess.run([*base, "add", name], check=True)
    subprocess.run([*base, "commit", "-qm", "one image"], check=True)
    out = subprocess.run([*base, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def test_build_checks_the_source_then_writes_the_derived_photo(tmp_path, monkeypatch):
    source = _photo()
    commit = _mirror_with(tmp_path, "card.png", source)
    digest = hashlib.sha256(source).hexdigest()
    manifest = tmp_path / "datasets" / "demo" / "manifest.csv"
    manifest.parent.mkdir(parents=True)
    common = f"owner/name,{commit},card.png"
    manifest.write_text(
        "# a comment line\n"
        "id,repo,commit,path,sha256,licence,split,derived_from,transform\n"
        f"good,{common},{digest},MIT,test,,\n"
        f"blurred,{common},{digest},MIT,test,good,gaussian_blur:4\n"
        f"tampered,{common},{'0' * 64},MIT,test,good,gaussian_blur:4\n"
    )
    monkeypatch.setattr(realdata, "DATASETS", tmp_path / "datasets")
    monkeypatch.setattr(realdata, "MIRRORS", tmp_path / "mirror")
    monkeypatch.setattr(realdata, "CACHE", tmp_path / "cache")

    built, failures = realdata.build("demo")

    assert built == 2
    assert failures == ["tampered: content differs from the manifest's sha256"]
    cache = tmp_path / "cache" / "demo"
    assert (cache / "good.png").read_bytes() == source
    assert _sharpness((cache / "blurred.png").read_bytes()) < _sharpness(source) / 4
    assert not (cache / "tampered.png").exists()


def test_a_snapshot_kept_as_a_checkout_is_read_and_test2_is_a_split(tmp_path, monkeypatch):
    source = _photo()
    work = tmp_path / "mirror" / "owner+name" / "repo"  # `fetch` sometimes leaves a checkout
    work.mkdir(parents=True)
    (work / "card.png").write_bytes(source)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "card.png"], check=True)
    subprocess.run([*git, "commit", "-qm", "one image"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    manifest = tmp_path / "datasets" / "demo" / "manifest.csv"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        "id,repo,commit,path,sha256,licence,split\n"
        f"fresh,owner/name,{commit},card.png,{hashlib.sha256(source).hexdigest()},MIT,test2\n"
    )
    monkeypatch.setattr(realdata, "DATASETS", tmp_path / "datasets")
    monkeypatch.setattr(realdata, "MIRRORS", tmp_path / "mirror")
    monkeypatch.setattr(realdata, "CACHE", tmp_path / "cache")

    assert realdata.build("demo") == (1, [])
    assert [item.id for item in realdata.load("demo", "test2")] == ["fresh"]
    assert (tmp_path / "cache" / "demo" / "fresh.png").read_bytes() == source


def test_every_real_photo_keeps_the_split_its_group_was_given_once():
    """The photo set's split rule (manifest header): a group is on the test split when the first
    byte of its UTF-8 name's SHA-256 is under 102, else on calibration, so a photo cannot be moved
    to calibration to be tuned on, and every photo of one document or person shares a split."""
    items = realdata.read_manifest("photos")
    assert len(items) >= 150
    for item in items:
        first_byte = int(hashlib.sha256(item["group"].encode("utf-8")).hexdigest()[:2], 16)
        assert item.split == ("test" if first_byte < 102 else "calibration"), item.id

"""Decoding the recogniser's scores for a line of the zone."""

import os
import subprocess
import sys

import numpy as np

from kcheck.docintel.mrz_ocr import _decode

ALPHABET = ["blank", "A", "K", "M", "<", " "]


def scores(steps: list[dict[str, float]]) -> np.ndarray:
    """Time steps x characters, each step's remaining probability on the CTC blank."""
    out = np.zeros((len(steps), len(ALPHABET)), np.float32)
    for row, step in zip(out, steps, strict=True):
        for char, p in step.items():
            row[ALPHABET.index(char)] = p
        row[0] = 1 - sum(step.values())
    return out


def test_a_filler_read_as_a_letter_is_a_filler_in_a_names_line_only():
    # "MA<<A": the recogniser's best guesses are M, A, K (a filler at 0.3), <, A.
    line = scores([{"M": 0.9}, {}, {"A": 0.9}, {"K": 0.5, "<": 0.3}, {}, {"<": 0.9}, {"A": 0.95}])
    assert _decode(line, ALPHABET, filler_letters=True) == "MA<<A"
    assert _decode(line, ALPHABET, filler_letters=False) == "MAK<A"


def test_a_printed_letter_stays_and_repeats_need_a_blank_between():
    line = scores([{"K": 0.97, "<": 0.001}, {"K": 0.97}, {}, {"K": 0.96}, {"A": 0.9}])
    assert _decode(line, ALPHABET, filler_letters=True) == "KKA"


def _traces_left_by(code: str, home) -> list[str]:
    """Files a fresh Python process running `code` leaves under its home directory. Its
    environment holds only what Python needs: onnxruntime keeps quiet by itself when it sees
    CI variables (CI, GITHUB_ACTIONS, ...), which a production host does not have."""
    env = {name: os.environ[name] for name in ("PATH", "PYTHONPATH", "LANG")
           if name in os.environ}
    env["HOME"] = str(home)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


def test_the_onnx_models_load_without_onnxruntime_telemetry(tmp_path):
    # The control shows where onnxruntime's telemetry leaves its device id and event queue
    # when nothing switches it off; kcheck's own way into the models must leave nothing.
    (bare := tmp_path / "bare").mkdir()
    assert any("Microsoft" in path for path in _traces_left_by("import onnxruntime", bare))
    (ours := tmp_path / "ours").mkdir()
    code = ("from kcheck.docintel import mrz_ocr; "
            "mrz_ocr.recognizer(28); mrz_ocr.direction_classifier()")
    assert _traces_left_by(code, ours) == []

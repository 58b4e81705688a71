"""Bad photos the check is sure of though the usual measures miss them: a page smeared along the
line of its print by a moving camera, ..."""

import numpy as np
import pytest

from kcheck.quality import check_photo
from tests.fixtures.documents import _encode, _motion_blur, render_card


def _page_scan(shake_px: int = 0, angle: float = 0.0) -> bytes:
    """A passport data page cropped to the frame (1250 px wide, no outline: known by its print),
    smeared by a camera that moved `shake_px` pixels along `angle` degrees."""
    page = render_card("id3", "front", 0).astype(np.float32)
    return _encode(_motion_blur(page, shake_px, angle) if shake_px else page)


@pytest.mark.parametrize("shake_px", [19, 25])
def test_a_page_smeared_along_its_lines_of_print_is_blurry(shake_px):
    """Smeared along its lines, the print still reads as lines and the re-blur measure of the
    page is a doubt; the frame is far softer along the motion than across it."""
    verdict = check_photo(_page_scan(shake_px), "passport_page")
    assert verdict.verdict == "retake" and "blurry" in verdict.reasons, verdict.metrics


def test_the_same_page_held_still_passes():
    verdict = check_photo(_page_scan(), "passport_page")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert verdict.metrics["shake"] < 0.1

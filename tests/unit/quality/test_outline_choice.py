"""Which outline is the document when a whole card and a larger shape running off the frame are
both found: a dark keyboard or strip under a card on a desk (MIDV-500's phone photos) is not the
card cut off. The reviewer's view shows the card's outline, and a reflection on the card is
measured against the card."""

import numpy as np
import pytest

from kcheck.quality import check_photo
from tests.fixtures.documents import _card_corners, _encode, _finish, _glare, _paste_warped, render_card

DESK = (176, 142, 104)  # light wood
DARK = (32, 32, 36)  # a black keyboard or strip


def _card_on_a_desk(variant: int, under: str, glare: bool = False) -> tuple[bytes, np.ndarray]:
    """A card's front (0.5 of the width of a 1200 x 1600 photo) on a wooden desk, lying on a dark
    keyboard that runs off the top and both sides of the frame (`under` "keyboard"), or across a
    dark strip that runs off both sides (`under` "strip"), with a lamp's reflection on the card
    (`glare`). Returns the JPEG and the card's corners in the photo."""
    card = render_card("id1", "front", variant).astype(np.float32)
    rng = np.random.default_rng(variant)
    frame = (1200, 1600)
    scene = np.empty((frame[1], frame[0], 3), np.float32)
    scene[:] = DESK
    if under == "keyboard":
        scene[: int(0.82 * frame[1])] = DARK
    else:
        scene[int(0.62 * frame[1]) : int(0.86 * frame[1])] = DARK
    corners = _card_corners(frame, (card.shape[1], card.shape[0]), 0.5, rng)
    if under == "strip":
        corners[:, 1] -= 0.08 * frame[1]  # its lower part on the strip, its upper part on the desk
    _paste_warped(scene, card, corners)
    if glare:
        _glare(scene, corners, rng)
    return _encode(_finish(scene, rng, frame[1])), corners


def _outlines_the_card(verdict, corners: np.ndarray) -> bool:
    """Each corner of the card lies near one of the outline's (which may start at any corner)."""
    if verdict.document_quad is None:
        return False
    found = np.array(verdict.document_quad, np.float32)
    reach = 0.05 * float(np.linalg.norm(corners[1] - corners[0]))
    return all(np.linalg.norm(found - corner, axis=1).min() < reach for corner in corners)


@pytest.mark.parametrize("variant", [2, 3])
def test_a_card_on_a_keyboard_running_off_the_frame_is_outlined_whole(variant):
    """The keyboard's outline holds the card's and is larger: before, it won as the document cut
    off. The card holds all the print, so the card is the document."""
    data, corners = _card_on_a_desk(variant, "keyboard")
    verdict = check_photo(data, "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _outlines_the_card(verdict, corners), (verdict.document_quad, verdict.metrics)


@pytest.mark.parametrize("variant", [2, 3])
def test_a_card_lying_across_a_dark_strip_is_outlined_whole(variant):
    """The strip's outline runs off the frame and is larger, but holds only part of the card:
    it is another thing on the desk, not the card cut off."""
    data, corners = _card_on_a_desk(variant, "strip")
    verdict = check_photo(data, "id_front")
    assert verdict.verdict == "pass", (verdict.reasons, verdict.metrics)
    assert _outlines_the_card(verdict, corners), (verdict.document_quad, verdict.metrics)


@pytest.mark.parametrize("variant", [1, 2, 3])
def test_a_reflection_on_a_card_on_a_keyboard_is_glare(variant):
    """Measured against the keyboard taken for the document, variant 1's reflection was too
    small a share of it to be glare."""
    data, corners = _card_on_a_desk(variant, "keyboard", glare=True)
    verdict = check_photo(data, "id_front")
    assert verdict.verdict == "retake" and "glare" in verdict.reasons, verdict.metrics
    assert _outlines_the_card(verdict, corners), (verdict.document_quad, verdict.metrics)


def _card_cut_beside_a_sheet(variant: int) -> bytes:
    """A card's front (0.55 of the width of a 1200 x 1600 photo) on a dark desk, running off the
    bottom of the frame, and a printed sheet of a passport page's shape (ruled lines, no text to
    read) lying whole in the upper half, apart from it."""
    card = render_card("id1", "front", variant).astype(np.float32)
    rng = np.random.default_rng(variant)
    frame = (1200, 1600)
    scene = np.empty((frame[1], frame[0], 3), np.float32)
    scene[:] = (58, 84, 70)  # a dark green desk
    sheet = np.full((300, 440, 3), 236, np.float32)
    for row in range(24, 280, 24):
        sheet[row : row + 4, 20 : 20 + int(rng.uniform(0.5, 0.9) * 400)] = 60
    sheet_corners = np.array([[120, 140], [560, 170], [540, 470], [100, 440]], np.float32)
    _paste_warped(scene, sheet, sheet_corners, alpha=np.ones(sheet.shape[:2], np.float32))
    corners = _card_corners(frame, (card.shape[1], card.shape[0]), 0.55, rng, (0, 1))
    _paste_warped(scene, card, corners)
    return _encode(_finish(scene, rng, frame[1]))


@pytest.mark.parametrize("variant", [2, 3, 4])  # (variant 1 leaves a piece smaller than the sheet)
def test_a_card_running_off_the_frame_beside_a_sheet_is_cut_off(variant):
    """The sheet is outlined whole and the card only as a larger shape running off the frame that
    does not hold the sheet: before, the sheet won as the document and the photo passed. The
    card holds the print and the portrait; the sheet holds neither."""
    verdict = check_photo(_card_cut_beside_a_sheet(variant), "id_front")
    assert verdict.verdict == "retake" and "document_cut_off" in verdict.reasons, verdict.metrics

"""Generated photos for `kcheck demo`: a specimen ID card, passport page and selfie.

Only runtime dependencies (Pillow, numpy, OpenCV). The portrait is a drawn, shaded face that
a frontal face detector recognises; every card says SPECIMEN, so nobody mistakes it for a
real document. Photos are seeded, so a (slot, seed) pair always gives the same JPEG.
"""

from __future__ import annotations

import functools
import io

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

CARD_SIZES = {"id1": (856, 540), "id3": (1250, 880)}  # 10 px per mm
SLOT_CARD = {"id_front": ("id1", "front"), "id_back": ("id1", "back"),
             "passport_page": ("id3", "front"), "selfie": ("id1", "front")}
SCENE = (1600, 1200)  # landscape phone photo, 1.9 MP
SELFIE_SCENE = (1200, 1600)
INK = (30, 30, 60)


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def drawn_face(size: int) -> np.ndarray:
    """A shaded frontal face (RGB): dark eyes and brows, lit nose bridge and forehead."""
    s = size
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    gray = np.full((s, s), 90, np.float32)
    cx, cy = s / 2, s * 0.52
    cv2.ellipse(gray, (int(cx), int(s * 0.42)), (int(s * 0.36), int(s * 0.40)), 0, 0, 360, 40, -1)
    skin = ((xx - cx) / (s * 0.30)) ** 2 + ((yy - cy) / (s * 0.38)) ** 2 <= 1
    gray[skin] = (200 - 40 * ((xx - cx) / (s * 0.30)) ** 2)[skin]

    def blob(x, y, rx, ry, value, strength):
        weight = strength * np.exp(-(((xx - x) / rx) ** 2 + ((yy - y) / ry) ** 2))
        gray[:] = gray * (1 - weight) + value * weight

    eye_y = cy - s * 0.08
    for side in (-1, 1):
        eye_x = cx + side * s * 0.12
        blob(eye_x, eye_y, s * 0.075, s * 0.045, 70, 0.9)  # socket
        blob(eye_x, eye_y, s * 0.035, s * 0.02, 25, 1.0)  # eye
        blob(eye_x, eye_y - s * 0.075, s * 0.08, s * 0.02, 50, 0.9)  # brow
        blob(cx + side * s * 0.05, cy + s * 0.12, s * 0.025, s * 0.015, 90, 0.8)  # nostril
    blob(cx, cy, s * 0.035, s * 0.12, 225, 0.6)  # nose bridge
    blob(cx, cy + s * 0.22, s * 0.1, s * 0.025, 80, 0.9)  # mouth
    blob(cx, cy - s * 0.25, s * 0.2, s * 0.06, 215, 0.4)  # forehead
    tint = np.where(skin[..., None], [1.08, 0.92, 0.80], [1.0, 1.0, 1.05])
    return np.clip(gray[..., None] * tint, 0, 255).astype(np.uint8)


@functools.cache
def render_card(kind: str, side: str) -> np.ndarray:
    """An RGB specimen ID card ("id1") or passport data page ("id3")."""
    width, height = CARD_SIZES[kind]
    unit = width / 856
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    wave = 6 * np.sin(xx / 23.0 + 4 * np.sin(yy / 61.0)) + 4 * np.sin((xx + yy) / 17.0)
    tint = np.array([205, 215, 222], np.float32)
    card = Image.fromarray(np.clip(tint + wave[..., None], 0, 232).astype(np.uint8))
    draw = ImageDraw.Draw(card)
    title = "PASSPORT / PASS / PASSEPORT" if kind == "id3" else "IDENTITY CARD / CARTE D'IDENTITE"
    draw.text((40 * unit, 22 * unit), title, fill=(120, 20, 20), font=_font(int(30 * unit)))
    if side == "front":
        top, portrait = int(90 * unit), int(250 * unit)
        card.paste(Image.fromarray(drawn_face(portrait)), (int(40 * unit), top))
        lines = ["Surname / Nom: SPECIMEN", "Given names / Prenoms: DEMO",
                 "Born / Ne le: 01.01.1985", "Nationality / Nationalite: CHE",
                 "Document no: S0000000"]
        for i, line in enumerate(lines):
            draw.text((320 * unit, top + i * 52 * unit), line, fill=INK, font=_font(int(27 * unit)))
    else:
        lines = ["Height / Taille: 1.72 m", "Place of origin / Lieu d'origine: BERN BE",
                 "Issued / Delivre: 01.03.2021", "SPECIMEN - NOT A VALID DOCUMENT"]
        for i, line in enumerate(lines):
            draw.text((40 * unit, (90 + i * 48) * unit), line, fill=INK, font=_font(int(27 * unit)))
    if side == "back" or kind == "id3":
        _draw_mrz(draw, kind, width, height, unit)
    return np.asarray(card)


def _draw_mrz(draw, kind, width, height, unit) -> None:
    if kind == "id3":
        rows = ["P<CHESPECIMEN<<DEMO".ljust(44, "<"), "S0000000<0CHE8501017F3012315<<<<<<<<<<<<<<02"]
    else:
        rows = ["IDCHES0000000<0<<<<<<<<<<<<<<<", "8501017F3012315CHE<<<<<<<<<<<2",
                "SPECIMEN<<DEMO".ljust(30, "<")]
    pitch = (width - 80 * unit) / len(rows[0])
    top = height - 30 * unit - 44 * unit * len(rows)
    for r, row in enumerate(rows):
        for c, char in enumerate(row):
            draw.text((40 * unit + c * pitch, top + r * 44 * unit), char, fill=(10, 10, 10),
                      font=_font(int(32 * unit)))


def _desk(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A dark wooden desk: enough texture to look like a photo, plain enough to find a card."""
    small = (max(8, width // 4), max(8, height // 4))
    yy, xx = np.mgrid[0 : small[1], 0 : small[0]].astype(np.float32)
    warp = cv2.resize(rng.normal(0, 1, (6, 6)).astype(np.float32), small)
    grain = np.sin(yy / 5 + 3 * warp + xx / 400)
    texture = np.array([95, 62, 35], np.float32) * (1 + 0.15 * grain[..., None])
    return cv2.resize(texture, (width, height), interpolation=cv2.INTER_LINEAR)


def _paste(scene: np.ndarray, image: np.ndarray, corners: np.ndarray) -> None:
    h, w = image.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(image.astype(np.float32), matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, size, flags=cv2.INTER_LINEAR)
    scene[:] = scene * (1 - mask[..., None]) + warped * mask[..., None]


def _card_corners(frame: tuple[int, int], card: tuple[int, int], fill: float, centre,
                  rng: np.random.Generator) -> np.ndarray:
    """Corners of the card covering `fill` of the frame width, slightly tilted."""
    width = frame[0] * fill
    height = width * card[1] / card[0]
    cx, cy = centre
    angle = np.deg2rad(rng.uniform(-4, 4))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    box = np.array([[-width, -height], [width, -height], [width, height], [-width, height]]) / 2
    corners = box @ rotation.T + [cx, cy]
    corners += rng.uniform(-0.01, 0.01, (4, 2)) * frame[0]  # a little perspective
    return corners.astype(np.float32)


def _jpeg(scene: np.ndarray, rng: np.random.Generator) -> bytes:
    scene = scene + rng.normal(0, 2.0, scene.shape).astype(np.float32)  # sensor noise
    image = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def document_photo(slot: str, seed: int = 0) -> bytes:
    """A phone photo (JPEG) of the specimen document side that `slot` asks for."""
    kind, side = SLOT_CARD[slot]
    rng = np.random.default_rng([11, seed, len(slot)])
    card = render_card(kind, side)
    scene = _desk(*SCENE, rng)
    centre = (SCENE[0] * rng.uniform(0.47, 0.53), SCENE[1] * rng.uniform(0.47, 0.53))
    _paste(scene, card, _card_corners(SCENE, card.shape[1::-1], 0.62, centre, rng))
    return _jpeg(scene, rng)


def selfie_photo(seed: int = 0) -> bytes:
    """A selfie (JPEG): a drawn person holding the specimen ID card below the face."""
    rng = np.random.default_rng([13, seed])
    width, height = SELFIE_SCENE
    scene = np.empty((height, width, 3), np.float32)
    scene[:] = np.linspace(150, 110, height, dtype=np.float32)[:, None, None] * [1.0, 0.97, 0.92]
    shoulders = np.zeros((height, width), np.float32)
    cv2.ellipse(shoulders, (width // 2, int(height * 0.78)), (int(width * 0.45), int(height * 0.3)),
                0, 0, 360, 1.0, -1)
    scene[:] = scene * (1 - shoulders[..., None]) + np.array([40, 70, 120]) * shoulders[..., None]
    face = int(width * 0.42)
    top, left = int(height * 0.06), (width - face) // 2
    scene[top : top + face, left : left + face] = drawn_face(face)
    card = render_card("id1", "front")
    centre = (width * 0.5, height * 0.66)
    _paste(scene, card, _card_corners(SELFIE_SCENE, card.shape[1::-1], 0.62, centre, rng))
    return _jpeg(scene, rng)


def demo_photo(slot: str, seed: int = 0) -> bytes:
    return selfie_photo(seed) if slot == "selfie" else document_photo(slot, seed)

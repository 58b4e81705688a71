"""Perceptual hashes find the same photo sent again, not a different one."""

import itertools

import cv2
import numpy as np

from kcheck.docintel import reuse
from tests.fixtures.documents import make_photo

KEY = "k" * 40


def reencoded(data: bytes, quality: int, scale: float) -> bytes:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def test_the_same_photo_re_encoded_is_found_by_a_shared_band():
    for slot in ("selfie", "id_front"):
        photo = make_photo(slot, seed=2)
        a, b = reuse.perceptual_hash(photo), reuse.perceptual_hash(reencoded(photo, 50, 0.6))
        assert reuse.distance(a, b) <= reuse.MAX_DISTANCE
        assert set(reuse.band_digests(KEY, a)) & set(reuse.band_digests(KEY, b))


def test_different_photos_are_not_flagged():
    hashes = [reuse.perceptual_hash(make_photo(slot, seed=seed))
              for slot in ("selfie", "id_front", "id_back") for seed in range(4)]
    assert min(reuse.distance(a, b) for a, b in itertools.combinations(hashes, 2)) \
        > reuse.MAX_DISTANCE


def test_band_digests_are_keyed_and_hide_the_hash():
    phash = reuse.perceptual_hash(make_photo("selfie", seed=1))
    digests = reuse.band_digests(KEY, phash)
    assert len(digests) == reuse.BANDS and not any(d in phash for d in digests)
    assert digests != reuse.band_digests("another-key-" * 4, phash)

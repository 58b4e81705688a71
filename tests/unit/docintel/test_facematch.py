"""Selfie-to-portrait comparison: score and verdict only."""

from kcheck.demo_images import demo_photo
from kcheck.docintel import facematch
from tests.fixtures.documents import make_photo


def test_the_same_person_on_the_selfie_and_the_id_card_matches():
    result = facematch.compare(make_photo("selfie", seed=1), make_photo("id_front", seed=4))
    assert result.verdict == "match"
    assert result.distance <= facematch.MATCH_THRESHOLD


def test_a_different_face_does_not_match():
    # The demo card carries a drawn face; the selfie fixture shows the astronaut.
    result = facematch.compare(make_photo("selfie", seed=1), demo_photo("id_front"))
    assert result.verdict == "no_match"
    assert result.distance > facematch.MATCH_THRESHOLD


def test_failures_say_what_failed_and_only_the_score_leaves_the_module():
    assert facematch.compare(make_photo("selfie", seed=1),
                             make_photo("id_back", seed=1)).verdict == "no_face_document"
    assert facematch.compare(b"junk", make_photo("id_front")).verdict == "unreadable"
    stored = facematch.compare(make_photo("selfie", seed=2), make_photo("id_front")).to_json()
    assert set(stored) == {"verdict", "distance", "similarity", "threshold", "model"}
    assert all(not isinstance(v, (list, tuple, bytes)) for v in stored.values())

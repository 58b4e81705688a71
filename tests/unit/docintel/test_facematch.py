"""Selfie-to-portrait comparison: score and verdict only, and the words a reviewer reads."""

import pytest

from kcheck.demo_images import demo_photo
from kcheck.docintel import facematch, facescore
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


# The words a reviewer reads for a score (kcheck.docintel.facescore).

SMALL_TABLE = {"threshold": 0.5, "same_person": 200, "different_people": 1000, "rows": [
    {"distance": 0.4, "different_people_at_most": 0, "same_person_at_least": 150},
    {"distance": 0.45, "different_people_at_most": 2, "same_person_at_least": 90},
    {"distance": 0.5, "different_people_at_most": 10, "same_person_at_least": 30},
    {"distance": 0.55, "different_people_at_most": 40, "same_person_at_least": 10},
    {"distance": 0.6, "different_people_at_most": 120, "same_person_at_least": 9},
    {"distance": 0.65, "different_people_at_most": 300, "same_person_at_least": 0}]}


@pytest.fixture
def small_table(monkeypatch):
    monkeypatch.setattr(facescore, "table", lambda: SMALL_TABLE)


def words(verdict: str, distance: float | None = None) -> tuple[str, float | None]:
    found = facescore.reading({"verdict": verdict, "distance": distance})
    return found.kind, found.share


def test_a_match_quotes_the_share_of_different_people_at_the_grid_point_above(small_table):
    assert words("match", 0.5) == ("likely_same", 10 / 1000)  # on the threshold itself
    assert words("match", 0.4501) == ("likely_same", 10 / 1000)  # rounded up, never down
    assert words("match", 0.45) == ("likely_same", 2 / 1000)
    assert words("match", 0.41) == ("likely_same", 2 / 1000)


def test_a_match_closer_than_any_different_people_pair_gives_an_upper_bound(small_table):
    assert words("match", 0.4) == ("likely_same_under", 1 / 1000)
    assert words("match", 0.1) == ("likely_same_under", 1 / 1000)


def test_no_match_is_unclear_while_many_same_person_pairs_score_as_far(small_table):
    assert words("no_match", 0.5001) == ("unclear", 30 / 200)  # rounded down, never up
    assert words("no_match", 0.55) == ("unclear", 10 / 200)  # 5 %: still unclear
    assert words("no_match", 0.6) == ("unlikely_same", 9 / 200)  # 4.5 %
    assert words("no_match", 0.7) == ("unlikely_same_under", 1 / 200)


def test_a_comparison_that_could_not_be_made_says_why_and_quotes_no_share():
    assert words("no_face_document") == ("no_face_document", None)
    assert words("no_face_selfie") == ("no_face_selfie", None)
    assert words("unreadable") == ("unreadable", None)
    assert words("error") == ("failed", None)
    assert words("match", None) == ("failed", None)


def test_the_stored_table_comes_from_calibration_and_is_monotonic():
    data = facescore.table()
    assert "calibration split" in data["source"] and data["model"] == facematch.MODEL
    assert data["threshold"] == facematch.MATCH_THRESHOLD
    assert data["threshold"] in [row["distance"] for row in data["rows"]]
    distances = [row["distance"] for row in data["rows"]]
    close = [row["different_people_at_most"] for row in data["rows"]]
    far = [row["same_person_at_least"] for row in data["rows"]]
    assert distances == sorted(set(distances))
    assert close == sorted(close) and far == sorted(far, reverse=True)
    assert close[0] >= 0 and close[-1] <= data["different_people"]
    assert far[-1] >= 0 and far[0] <= data["same_person"]
    assert data["different_people"] >= 1000 and data["same_person"] >= 100


def test_real_comparisons_read_as_the_reviewer_would_expect():
    same = facematch.compare(make_photo("selfie", seed=1), make_photo("id_front", seed=4))
    other = facematch.compare(make_photo("selfie", seed=1), demo_photo("id_front"))
    assert facescore.reading(same.to_json()).kind.startswith("likely_same")
    assert facescore.reading(other.to_json()).kind in ("unclear", "unlikely_same",
                                                       "unlikely_same_under")

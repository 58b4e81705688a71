"""The checks against the labelled synthetic set: error rates and per-defect reasons."""

from collections import Counter, defaultdict

import pytest

from tests.fixtures.documents import DOCUMENT_DEFECTS, SELFIE_DEFECTS

MAX_FALSE_PASS = 0.05
MAX_FALSE_RETAKE = 0.05
# Share of defective photos whose reasons must include the one the defect calls for.
MIN_REASON_ACCURACY = 0.9


def test_false_pass_and_false_retake_rates(labelled_verdicts):
    bad = [v for v in labelled_verdicts if v[2] == "retake"]
    good = [v for v in labelled_verdicts if v[2] == "pass"]
    false_passes = [name for name, _, _, _, verdict in bad if verdict.verdict == "pass"]
    false_retakes = [(name, verdict.reasons) for name, _, _, _, verdict in good if verdict.verdict != "pass"]
    pass_rate = len(false_passes) / len(bad)
    retake_rate = len(false_retakes) / len(good)
    print(
        f"\nlabelled set: {len(labelled_verdicts)} photos; "
        f"false passes {len(false_passes)}/{len(bad)} = {pass_rate:.1%} {false_passes}; "
        f"false retakes {len(false_retakes)}/{len(good)} = {retake_rate:.1%} {false_retakes}"
    )
    assert len(good) >= 40 and len(bad) >= 150
    assert pass_rate <= MAX_FALSE_PASS, false_passes
    assert retake_rate <= MAX_FALSE_RETAKE, false_retakes


def test_defects_are_named_by_the_expected_reason(labelled_verdicts):
    """A retake names its reason; a usable photo with a doubt carries it as a note."""
    hits, totals, misses = Counter(), Counter(), defaultdict(list)
    for name, _, expected, reason, verdict in labelled_verdicts:
        if reason is None:
            continue
        group = name.rsplit("/", 1)[0]
        totals[group] += 1
        named = verdict.reasons if expected == "retake" else dict(verdict.notes)
        if reason in named:
            hits[group] += 1
        else:
            misses[group].append((name, verdict.reasons))
    accuracy = sum(hits.values()) / sum(totals.values())
    print(f"\nexpected reason reported for {accuracy:.1%} of defective photos; misses: {dict(misses)}")
    assert accuracy >= MIN_REASON_ACCURACY
    # Every kind of defect is recognised at least most of the time.
    for group, total in totals.items():
        assert hits[group] / total >= 0.6, (group, misses[group])


def test_every_defect_kind_is_in_the_set(labelled_verdicts):
    groups = {name.rsplit("/", 1)[0] for name, *_ in labelled_verdicts}
    for defect in DOCUMENT_DEFECTS:
        for slot in ("id_front", "id_back", "passport_page"):
            assert f"{slot}/{defect or 'good'}" in groups
    for defect in SELFIE_DEFECTS:
        assert f"selfie/{defect or 'good'}" in groups


@pytest.mark.parametrize("slot", ["id_front", "id_back", "passport_page", "selfie"])
def test_good_photos_carry_the_geometry_reviewers_see(labelled_verdicts, slot):
    for name, verdict_slot, expected, _, verdict in labelled_verdicts:
        if verdict_slot != slot or expected != "pass" or verdict.verdict != "pass":
            continue
        assert verdict.document_quad is not None and len(verdict.document_quad) == 4, name
        xs = [x for x, _ in verdict.document_quad]
        ys = [y for _, y in verdict.document_quad]
        # Original-pixel coordinates: the labelled photos are 2000 px on the long side.
        assert min(xs) >= 0 and max(xs) <= verdict.metrics["width"], name
        assert min(ys) >= 0 and max(ys) <= verdict.metrics["height"], name
        if slot != "id_back":
            assert verdict.faces, name

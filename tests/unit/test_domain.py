"""Case steps, expiry and retention rules, without Flask, Redis or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kcheck.domain import cases
from kcheck.domain.retention import purge_due

T = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def progress(**kw):
    base = dict(phone=True, location=True, document_type="id_card", photos={})
    base.update(kw)
    return cases.Progress(**base)


def photo(slot, status="pass", attempt=1):
    return cases.PhotoState(slot, status, attempt)


def test_next_step_follows_the_order():
    assert progress(phone=False).next_step() == "phone"
    assert progress(location=False).next_step() == "location"
    assert progress(document_type=None).next_step() == "document_type"
    assert progress().next_step() == "photos"
    done = {s: photo(s) for s in ("id_front", "id_back", "selfie")}
    assert progress(photos=done).next_step() == "submit"


def test_out_of_order_names_the_first_missing_step():
    with pytest.raises(cases.StepError) as info:
        progress(phone=False, location=False).require_before("document_type")
    assert info.value.missing_step == "phone"
    with pytest.raises(cases.StepError) as info:
        progress().require_slot_order("selfie")
    assert info.value.missing_step == "photo:id_front"
    with pytest.raises(cases.StepError):
        progress(document_type="passport").require_slot_order("id_back")


def test_after_three_retakes_a_failing_photo_counts_but_is_flagged():
    photos = {"id_front": photo("id_front", "retake", attempt=3), "id_back": photo("id_back"),
              "selfie": photo("selfie")}
    assert progress(photos=photos).missing() == ["photo:id_front"]
    photos["id_front"] = photo("id_front", "retake", attempt=4)
    assert progress(photos=photos).missing() == []
    assert progress(photos=photos).flagged_slots() == ["id_front"]


def test_pending_photos_block_submission():
    photos = {"passport_page": photo("passport_page", "pending"), "selfie": photo("selfie")}
    p = progress(document_type="passport", photos=photos)
    assert p.missing() == ["photo:passport_page"]
    assert cases.pending_slots(p) == ["passport_page"]


def test_resubmission_slots_need_a_new_photo():
    photos = {s: photo(s) for s in ("id_front", "id_back", "selfie")}
    assert progress(photos=photos, resubmission_slots=("selfie",)).missing() == ["photo:selfie"]


def test_expiry_defaults():
    assert cases.default_expiry("order_unblock", T) == T + timedelta(days=10)
    assert cases.default_expiry("password_reset", T) == T + timedelta(days=3)
    assert cases.default_expiry("other", T, days=1) == T + timedelta(days=1)


def test_transitions():
    assert cases.can_transition("created", "in_progress")
    assert not cases.can_transition("approved", "in_progress")
    assert not cases.can_transition("expired", "submitted")


def test_purge_due_is_the_earlier_of_decision_and_the_72_hour_cap():
    assert purge_due(None, None) is None
    assert purge_due(T, None) == T + timedelta(hours=72)
    assert purge_due(T, T + timedelta(hours=2)) == T + timedelta(hours=2)
    assert purge_due(T, T + timedelta(hours=80)) == T + timedelta(hours=72)
    assert purge_due(T, T + timedelta(hours=1), grace_seconds=600) == T + timedelta(hours=1,
                                                                                   minutes=10)


def test_the_guess_budget_locks_a_code_after_five_and_the_case_after_ten():
    from kcheck.domain.otp import MAX_FAILED_GUESSES_PER_CASE, GuessBudget

    budget = GuessBudget(0, 0)
    for _ in range(4):
        budget = budget.after_failure()
    assert not budget.challenge_locked and budget.attempts_left == 1
    budget = budget.after_failure()
    assert budget.challenge_locked and not budget.case_exhausted
    # A new number or a resent link starts a new challenge, never a new case budget.
    fresh = GuessBudget(0, budget.case_failures)
    assert fresh.attempts_left == 5
    for _ in range(4):
        fresh = fresh.after_failure()
    assert fresh.attempts_left == 1 and not fresh.case_exhausted
    last = fresh.after_failure()
    assert last.case_exhausted and last.attempts_left == 0
    assert last.case_failures == MAX_FAILED_GUESSES_PER_CASE == 10
    # The case budget caps what a challenge would still allow.
    assert GuessBudget(0, 8).attempts_left == 2

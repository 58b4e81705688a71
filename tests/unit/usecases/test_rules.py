"""The domain rules the use cases apply: legal moves of a case, and the SMS code rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from kcheck.domain import cases, otp

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_transition_moves_legal_cases_and_refuses_the_rest():
    case = SimpleNamespace(status="in_progress", updated_at=None)
    cases.transition(case, "submitted", NOW)
    assert (case.status, case.updated_at) == ("submitted", NOW)
    for final in cases.FINAL:
        ended = SimpleNamespace(status=final, updated_at=None)
        with pytest.raises(cases.TransitionRefused):
            cases.transition(ended, "in_progress", NOW)
        assert ended.status == final and ended.updated_at is None


def test_a_bulk_move_names_the_statuses_it_may_match():
    assert cases.bulk_move("in_review", cases.AWAITING_REVIEW) == (
        ("submitted", "in_review"), {"status": "in_review"})
    with pytest.raises(cases.TransitionRefused):
        cases.bulk_move("in_review", ("created",))


def send(**overrides):
    facts = dict(case_sends=0, budget=otp.GuessBudget(0, 0), last_sent_at=None,
                 sends_to_number=0, now=NOW) | overrides
    otp.check_send(**facts)


def test_send_rules():
    send()
    with pytest.raises(otp.CodeRefused) as spacing:
        send(last_sent_at=NOW - timedelta(seconds=29, milliseconds=500))
    assert (spacing.value.code, spacing.value.retry_after_s) == ("rate_limited", 1)
    with pytest.raises(otp.CodeRefused) as per_case:
        send(case_sends=otp.MAX_SENDS_PER_CASE)
    assert per_case.value.code == "sms_limit"
    with pytest.raises(otp.CodeRefused) as spent:
        send(budget=otp.GuessBudget(0, otp.MAX_FAILED_GUESSES_PER_CASE))
    assert spent.value.code == "sms_limit"
    with pytest.raises(otp.CodeRefused) as per_number:
        send(sends_to_number=otp.MAX_SENDS_PER_NUMBER_PER_HOUR)
    assert per_number.value.retry_after_s == 3600


def test_what_a_wrong_guess_leads_to():
    assert otp.failure_outcome(otp.GuessBudget(1, 1)) == "wrong_code"
    assert otp.failure_outcome(otp.GuessBudget(otp.MAX_FAILURES, 5)) == "code_locked"
    assert otp.failure_outcome(otp.GuessBudget(2, otp.MAX_FAILED_GUESSES_PER_CASE)) == \
        "verification_locked"

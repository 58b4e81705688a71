"""Claim, release and decide: one holder at a time, the first decision wins."""

from __future__ import annotations

import pytest

from kcheck.domain.decisions import DecisionRequest
from kcheck.models import Case, StaffUser
from kcheck.usecases import review
from kcheck.usecases.review import CaseNotFound, Conflict
from tests.unit.usecases.conftest import status_of


@pytest.fixture
def submitted(svc, new_case) -> str:
    case_id, _token = new_case()
    with svc.transaction() as session:
        case = session.get(Case, case_id)
        case.status, case.submitted_at, case.document_type = "submitted", svc.now(), "passport"
        for name in ("ana", "ben"):
            session.add(StaffUser(id=name, email=f"{name}@example.test", role="reviewer",
                                  password_hash="x", totp_secret=b"x", created_at=svc.now()))
    return case_id


def version(svc, case_id: str) -> str:
    with svc.sessions() as session:
        return str(session.get(Case, case_id).version)


APPROVE = DecisionRequest(outcome="approved", reason_code="identity_confirmed", note="",
                          slots=(), message="")


def test_one_reviewer_holds_the_claim_until_it_lapses(svc, clock, submitted):
    assert review.claim(svc, submitted, "ana")
    assert status_of(svc, submitted) == "in_review"
    assert not review.claim(svc, submitted, "ben")
    assert review.claim(svc, submitted, "ana")  # renewing one's own claim
    clock.advance(minutes=16)
    assert review.claim(svc, submitted, "ben")
    with pytest.raises(CaseNotFound):
        review.claim(svc, "no-such-case", "ana")


def test_only_the_holder_releases_unless_admin(svc, submitted):
    review.claim(svc, submitted, "ana")
    assert not review.release(svc, submitted, "ben", any_holder=False)
    assert review.release(svc, submitted, "ben", any_holder=True)
    assert status_of(svc, submitted) == "submitted"
    assert not review.release(svc, submitted, "ana", any_holder=True)  # nothing to release


def test_the_first_decision_wins(svc, submitted):
    seen = version(svc, submitted)
    review.decide(svc, submitted, "ana", APPROVE, seen)
    assert status_of(svc, submitted) == "approved"
    with pytest.raises(Conflict) as late:
        review.decide(svc, submitted, "ben", APPROVE, seen)
    assert late.value.kind == "decided"


def test_a_decision_on_a_changed_or_claimed_case_is_refused(svc, submitted):
    seen = version(svc, submitted)
    review.claim(svc, submitted, "ben")
    with pytest.raises(Conflict) as claimed:
        review.decide(svc, submitted, "ana", APPROVE, version(svc, submitted))
    assert claimed.value.kind == "claimed"
    with pytest.raises(Conflict) as changed:
        review.decide(svc, submitted, "ben", APPROVE, seen)  # seen before the claim
    assert changed.value.kind == "changed"
    assert status_of(svc, submitted) == "in_review"

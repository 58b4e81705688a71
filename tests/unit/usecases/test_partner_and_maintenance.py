"""Cancel and expire: who may end a case, and when."""

from __future__ import annotations

import pytest

from kcheck.models import Case, WebhookEvent
from kcheck.usecases import Refused, intake, partner
from kcheck.usecases.maintenance import expire_due
from tests.unit.usecases.conftest import status_of


def test_a_cancelled_case_stays_cancelled_and_keeps_nothing(svc, client_id, person_case):
    case = partner.cancel(svc, client_id, person_case)
    assert case.status == "cancelled" and case.purge_due_at == svc.now()
    assert partner.cancel(svc, client_id, person_case).status == "cancelled"  # a retry
    with pytest.raises(Refused) as refused:
        partner.resend(svc, client_id, person_case)
    assert refused.value.code == "conflict"


def test_another_clients_case_is_not_found(svc, person_case):
    with pytest.raises(Refused) as refused:
        partner.cancel(svc, "someone-else", person_case)
    assert refused.value.code == "not_found"


def test_a_decided_case_cannot_be_cancelled(svc, client_id, person_case):
    with svc.transaction() as session:
        session.get(Case, person_case).status = "approved"
    with pytest.raises(Refused) as refused:
        partner.cancel(svc, client_id, person_case)
    assert refused.value.detail == "A approved case cannot be cancelled."


def test_a_resent_link_replaces_the_old_one(svc, client_id, new_case):
    case_id, first = new_case()
    _case, second = partner.resend(svc, client_id, case_id)
    with pytest.raises(Refused):
        intake.open_session(svc, first)
    assert intake.open_session(svc, second).case.id == case_id


def test_open_cases_expire_at_their_deadline_only(svc, clock, new_case, person_case):
    later, _token = new_case("order_unblock")  # 10 days instead of 3
    clock.advance(days=3, seconds=1)
    assert expire_due(svc, svc.now()) == 1
    assert (status_of(svc, person_case), status_of(svc, later)) == ("expired", "created")
    with svc.sessions() as session:
        assert session.query(WebhookEvent).filter_by(case_id=person_case,
                                                     event_type="case.expired").count() == 1
    assert expire_due(svc, svc.now()) == 0

"""What the requester sends with a case (the expected holder name) has its own 72-hour
deadline from the moment it is stored, whether or not the person ever opens the case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kcheck import retention
from kcheck.models import AuditEvent, Case, SmsChallenge
from tests.integration.test_retention_cli import cli


def open_named_case(partner) -> dict:
    response = partner.open_case(reason="order_unblock", subject_ref="x",
                                 expected_name="Marie Curie", expires_in_days=30)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_issue_reproduction_is_audited_before_the_purge_and_gone_after(
        partner, person_for, svc, settings, clock):
    view = open_named_case(partner)
    as_of = (clock.now() + timedelta(days=5)).isoformat()
    before = cli(settings, "retention", "audit", "--as-of", as_of)
    assert before.exit_code == 1
    assert f"column cases.expected_name  case={view['id']}  past its deadline" in before.output
    assert "column cases.wrapped_data_key" in before.output  # it sealed only the name
    dry = cli(settings, "purge", "--dry-run", "--as-of", as_of)
    assert f"would delete the requester's data of case {view['id']}" in dry.output
    purged = cli(settings, "purge", "--as-of", as_of)
    assert purged.exit_code == 0, purged.output
    assert "deleted the requester's data of 1 case(s) (2 field(s)); those cases go on" \
        in purged.output
    after = cli(settings, "retention", "audit", "--as-of", as_of)
    assert after.exit_code == 0 and "clean" in after.output, after.output
    with svc.sessions() as session:
        case = session.get(Case, view["id"])
        assert (case.expected_name, case.wrapped_data_key, case.status) == (None, None, "created")
        assert "case.requester_data_purged" in session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    # The case goes on: with a new link (links last 72 hours) the person starts, with a new key.
    clock.advance(days=5)
    resent = partner.post(f"/v1/cases/{view['id']}/resend")
    assert resent.status_code == 200
    person = person_for(resent.get_json()["verification_url"])
    assert person.open().status_code == 201
    assert person.request_code().status_code == 202


def test_the_name_goes_at_72_hours_even_when_the_person_started_later(
        partner, person_for, svc, clock):
    view = open_named_case(partner)
    clock.advance(hours=48)
    person = person_for(view["verification_url"])
    assert person.open().status_code == 201 and person.request_code().status_code == 202
    clock.advance(hours=23, minutes=59)
    assert retention.purge_due_cases(svc, clock.now()).requester == 0
    clock.advance(minutes=1)
    totals = retention.purge_due_cases(svc, clock.now())
    assert (totals.requester, totals.requester_fields, totals.cases) == (1, 1, 0)
    with svc.sessions() as session:
        case = session.get(Case, view["id"])
        # The person's data (sealed under the same key) keeps its own, later deadline.
        assert case.expected_name is None and case.wrapped_data_key is not None
        assert session.scalar(select(SmsChallenge.phone).where(
            SmsChallenge.case_id == case.id)) is not None

"""Cases not submitted by their expires_at expire, tell the requester, and lose their data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kcheck import retention
from kcheck.job_specs import MAINTENANCE
from kcheck.models import AuditEvent, Case
from kcheck.workers.process import PERIODIC


def expire_tick(app, run_jobs) -> None:
    """Enqueue the expiry exactly as the scheduler does (its PERIODIC entry) and run it."""
    entry = next(p for p in PERIODIC if p.name == "expire-cases")
    assert entry.interval_s == 60
    app.extensions["kcheck"].queue.enqueue(entry.func, spec=MAINTENANCE)
    run_jobs()


def events(partner, case_id: str) -> list[str]:
    return [e["type"] for e in partner.get(f"/v1/cases/{case_id}/events").get_json()["events"]]


def test_order_unblock_case_expires_after_10_days(app, svc, partner, clock, run_jobs):
    case = partner.open_case(reason="order_unblock", expected_name="Erika Mustermann").get_json()
    clock.advance(days=10, seconds=-1)
    expire_tick(app, run_jobs)
    assert partner.get(f"/v1/cases/{case['id']}").get_json()["status"] == "created"

    clock.advance(seconds=1)
    expire_tick(app, run_jobs)
    view = partner.get(f"/v1/cases/{case['id']}").get_json()
    assert view["status"] == "expired"
    assert events(partner, case["id"]) == ["case.opened", "case.expired"]
    with svc.sessions() as session:
        assert session.get(Case, case["id"]).purge_due_at == clock.now()
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.case_id == case["id"])).all()
    assert actions[-1] == "case.expired"
    # The next purge removes what the requester gave (the expected name) and says so.
    assert retention.purge_due_cases(svc, clock.now()).cases == 1
    assert events(partner, case["id"])[-1] == "case.data_purged"
    with svc.sessions() as session:
        assert session.get(Case, case["id"]).expected_name is None


def test_submitted_and_decided_cases_do_not_expire(app, svc, partner, clock, run_jobs):
    submitted = partner.open_case(reason="password_reset", expires_in_days=1).get_json()
    resubmit = partner.open_case(reason="password_reset", expires_in_days=1).get_json()
    with svc.transaction() as session:
        session.get(Case, submitted["id"]).status = "submitted"
        session.get(Case, resubmit["id"]).status = "resubmission_requested"
    clock.advance(days=2)
    expire_tick(app, run_jobs)
    assert partner.get(f"/v1/cases/{submitted['id']}").get_json()["status"] == "submitted"
    # A resubmission request waits on the person: it expires like any open case.
    assert partner.get(f"/v1/cases/{resubmit['id']}").get_json()["status"] == "expired"


def test_expiry_runs_once_per_case(app, svc, partner, clock, run_jobs):
    case = partner.open_case(reason="password_reset", expires_in_days=1).get_json()
    clock.advance(days=1)
    expire_tick(app, run_jobs)
    clock.advance(minutes=1)
    expire_tick(app, run_jobs)
    assert events(partner, case["id"]).count("case.expired") == 1


def test_many_cases_expire_in_one_tick(app, svc, partner, clock, run_jobs):
    ids = [partner.open_case(reason="password_reset", subject_ref=f"acct-{i}",
                             expires_in_days=1).get_json()["id"] for i in range(5)]
    clock.advance(days=1, minutes=1)
    expire_tick(app, run_jobs)
    with svc.sessions() as session:
        statuses = session.scalars(select(Case.status).where(Case.id.in_(ids))).all()
    assert statuses == ["expired"] * 5


def test_expiry_does_not_postpone_an_earlier_purge(app, svc, partner, clock):
    from kcheck.workers.expiry import expire_due

    case = partner.open_case(reason="password_reset", expires_in_days=5).get_json()
    with svc.transaction() as session:
        session.get(Case, case["id"]).purge_due_at = clock.now() + timedelta(hours=1)
    clock.advance(days=5)
    expire_due(svc, clock.now())
    with svc.sessions() as session:
        assert session.get(Case, case["id"]).purge_due_at < clock.now()

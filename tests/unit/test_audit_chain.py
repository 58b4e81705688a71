"""The audit trail detects an edited, inserted or deleted row."""

from __future__ import annotations

from sqlalchemy import text

from kcheck import audit


def test_chain_verifies_and_detects_tampering(svc):
    with svc.transaction() as session:
        for i in range(4):
            audit.record(session, svc.now(), "staff", "s1", "case.viewed", f"case-{i}")
    with svc.sessions() as session:
        assert audit.verify(session) == []
    with svc.transaction() as session:
        session.execute(text("UPDATE audit_events SET action='case.approved' WHERE id=2"))
    with svc.sessions() as session:
        assert any("edited" in p for p in audit.verify(session))


def test_deleting_a_row_is_detected(svc):
    with svc.transaction() as session:
        for i in range(3):
            audit.record(session, svc.now(), "system", None, "purge", f"case-{i}")
        session.execute(text("DELETE FROM audit_events WHERE id=2"))
    with svc.sessions() as session:
        problems = audit.verify(session)
    assert problems and any("deleted" in p or "chain broken" in p for p in problems)


def test_removing_the_newest_rows_is_caught_by_an_anchor(svc):
    with svc.transaction() as session:
        for i in range(5):
            audit.record(session, svc.now(), "staff", "s1", "case.viewed", f"case-{i}")
    with svc.sessions() as session:
        count, anchor = audit.head(session)
    assert count == 5
    with svc.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE id >= 4"))
    with svc.sessions() as session:
        assert audit.verify(session) == []  # a shorter chain is still a valid chain...
        assert audit.verify(session, anchor) != []  # ...but the kept head is gone

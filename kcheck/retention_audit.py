"""The retention audit: the proof that nothing outlived its deadline. It reports every personal
column value or blob past its deadline, and every blob that belongs to no case or to a purged one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from kcheck.domain import retention as rules
from kcheck.models import Case
from kcheck.retention import _owner, pii_columns


@dataclass(frozen=True)
class Finding:
    """Personal data the audit found where the promise says there is none (never the value)."""

    case_id: str | None
    what: str  # "column photos.blob_key" | "blob cases/…"
    why: str

    def line(self) -> str:
        return f"{self.what}  case={self.case_id or '-'}  {self.why}"


def find_leftovers(svc, as_of: datetime, chunk: int = 500) -> list[Finding]:
    """Every personal column value or blob past its deadline, and every blob in storage that
    belongs to no case or to a purged case. A full scan: this is the proof, not the hot path."""
    hours = svc.settings.retention_hours
    with svc.sessions() as session:
        overdue = _overdue(session, as_of, hours)
        findings = _column_findings(session, overdue, chunk)
    findings += _blob_findings(svc, as_of, hours, chunk)
    return findings


def _deadline(purge_due_at: datetime | None, received_at: datetime | None, hours: int):
    candidates = [d for d in (purge_due_at, received_at and rules.hard_deadline(received_at, hours))
                  if d is not None]
    return min(candidates) if candidates else None


def _overdue(session, as_of: datetime, hours: int) -> dict[str, datetime]:
    """Unpurged cases whose deadline passed, by the stored deadline or by the 72-hour cap."""
    cap_start = as_of - timedelta(hours=hours)
    rows = session.execute(select(Case.id, Case.purge_due_at, Case.data_received_at).where(
        Case.data_purged_at.is_(None),
        or_(Case.purge_due_at <= as_of, Case.data_received_at <= cap_start)))
    return {r.id: _deadline(r.purge_due_at, r.data_received_at, hours) for r in rows}


def _column_findings(session, overdue: dict[str, datetime], chunk: int) -> list[Finding]:
    findings = []
    purged_ids = select(Case.id).where(Case.data_purged_at.is_not(None)).scalar_subquery()
    for table, columns in pii_columns().items():
        owner = _owner(table)
        any_value = or_(*[c.is_not(None) for c in columns])
        queries = [(select(owner, *columns).where(owner.in_(purged_ids), any_value), None)]
        ids = sorted(overdue)
        queries += [(select(owner, *columns).where(owner.in_(ids[i:i + chunk]), any_value),
                     True) for i in range(0, len(ids), chunk)]
        for query, is_overdue in queries:
            for row in session.execute(query):
                case_id = row[0]
                why = (f"past its deadline {overdue[case_id].isoformat()}" if is_overdue
                       else "case already marked purged")
                findings += [Finding(case_id, f"column {table.name}.{c.name}", why)
                             for c, value in zip(columns, row[1:], strict=True)
                             if value is not None]
    return findings


def _blob_findings(svc, as_of: datetime, hours: int, chunk: int) -> list[Finding]:
    findings: list[Finding] = []
    keys: list[str] = []
    for key in svc.storage.list_keys(""):
        keys.append(key)
        if len(keys) >= chunk:
            findings += _judge_blobs(svc, keys, as_of, hours)
            keys = []
    if keys:
        findings += _judge_blobs(svc, keys, as_of, hours)
    return findings


def _judge_blobs(svc, keys: list[str], as_of: datetime, hours: int) -> list[Finding]:
    owners = {key: _blob_case_id(key) for key in keys}
    with svc.sessions() as session:
        cases = {r.id: r for r in session.execute(
            select(Case.id, Case.data_purged_at, Case.purge_due_at, Case.data_received_at)
            .where(Case.id.in_({c for c in owners.values() if c})))}
    findings = []
    for key, case_id in owners.items():
        row = cases.get(case_id) if case_id else None
        if row is None:
            findings.append(Finding(case_id, f"blob {key}", "belongs to no case"))
        elif row.data_purged_at is not None:
            findings.append(Finding(case_id, f"blob {key}", "case already marked purged"))
        else:
            deadline = _deadline(row.purge_due_at, row.data_received_at, hours)
            if deadline is not None and deadline <= as_of:
                findings.append(Finding(case_id, f"blob {key}",
                                        f"past its deadline {deadline.isoformat()}"))
    return findings


def _blob_case_id(key: str) -> str | None:
    parts = key.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "cases" and parts[1] else None

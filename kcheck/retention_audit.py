"""The retention audit: the proof that nothing outlived its deadline. It checks every personal
column value and blob of every case, whatever the case's state, against the deadline of the lot
the value belongs to (kcheck.domain.retention), and reports every blob that belongs to no case
or to a purged one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, or_, select
from sqlalchemy.sql.schema import Column

from kcheck.domain.retention import RetentionClock
from kcheck.models import Case
from kcheck.retention import DATA_KEY, REQUESTER_SUPPLIED, _owner, pii_columns

CLOCK_COLUMNS = (Case.created_at, Case.data_received_at, Case.purge_due_at,
                 Case.requester_data_due_at, Case.data_purged_at)


@dataclass(frozen=True)
class Finding:
    """Personal data the audit found where the promise says there is none (never the value)."""

    case_id: str | None
    what: str  # "column photos.blob_key" | "blob cases/…"
    why: str

    def line(self) -> str:
        return f"{self.what}  case={self.case_id or '-'}  {self.why}"


def lot_of(column: Column) -> str:
    if column in REQUESTER_SUPPLIED:
        return "requester"
    return "key" if column is DATA_KEY else "person"


def find_leftovers(svc, as_of: datetime, chunk: int = 500) -> list[Finding]:
    """Every personal column value or blob past its deadline or without one, and every blob in
    storage that belongs to no case or to a purged case. A full scan: this is the proof, not
    the hot path."""
    hours = svc.settings.retention_hours
    findings = []
    with svc.sessions() as session:
        for table, columns in pii_columns().items():
            findings += _column_findings(session, table, columns, as_of, hours)
    findings += _blob_findings(svc, as_of, hours, chunk)
    return findings


def _judge(row, lot: str, as_of: datetime, hours: int) -> str | None:
    """Why a value held for the case described by ``row`` breaks the promise, or None."""
    if row.data_purged_at is not None:
        return "case already marked purged"
    clock = RetentionClock(row.created_at, row.data_received_at, row.purge_due_at,
                           row.requester_data_due_at)
    deadline = clock.deadline(lot, hours)
    if deadline is None:
        return "stored without a retention deadline"
    if deadline <= as_of:
        return f"past its deadline {deadline.isoformat()}"
    return None


def _column_findings(session, table: Table, columns: list[Column], as_of: datetime,
                     hours: int) -> list[Finding]:
    owner = _owner(table)
    query = select(owner.label("case_id"), *columns, *CLOCK_COLUMNS).where(
        or_(*[c.is_not(None) for c in columns]))
    if table.name != "cases":
        query = query.join(Case, Case.id == owner)
    findings = []
    for row in session.execute(query):
        for column in columns:
            if row._mapping[column] is None:
                continue
            why = _judge(row, lot_of(column), as_of, hours)
            if why:
                findings.append(Finding(row.case_id, f"column {table.name}.{column.name}", why))
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
        cases = {r.id: r for r in session.execute(select(Case.id, *CLOCK_COLUMNS).where(
            Case.id.in_({c for c in owners.values() if c})))}
    findings = []
    for key, case_id in owners.items():
        row = cases.get(case_id) if case_id else None
        why = "belongs to no case" if row is None else _judge(row, "person", as_of, hours)
        if why:
            findings.append(Finding(case_id, f"blob {key}", why))
    return findings


def _blob_case_id(key: str) -> str | None:
    parts = key.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "cases" and parts[1] else None

"""The retention purge: destroy a case's data key, then its blobs, then its personal columns,
and leave a receipt. Idempotent, resumable after a crash at any step, safe with two purges."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, and_, func, null, or_, select, text, update
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Engine
from sqlalchemy.sql.schema import Column

from kcheck import audit, models
from kcheck.adapters.storage import BlobStore, StorageError
from kcheck.domain import retention as rules
from kcheck.domain.cases import AWAITING_REVIEW, OPEN_FOR_PERSON, transition
from kcheck.events import emit
from kcheck.models import Case, Photo
from kcheck.vault import blob_prefix

log = logging.getLogger(__name__)
BATCH = 100
WORKERS = 4
DELETE_TRIES = 3
# Undecided cases can no longer be reviewed once their data is gone: they expire.
UNDECIDED = OPEN_FOR_PERSON + AWAITING_REVIEW
# Personal values the requester sends when opening a case, before the person's clock starts.
REQUESTER_SUPPLIED = (Case.__table__.c.expected_name,)
DATA_KEY = Case.__table__.c.wrapped_data_key


def requester_data_stored(case: Case, now: datetime, settings) -> datetime:
    """Call when the requester's personal values are stored (at creation): they get their own
    deadline, whether or not the person ever opens the case."""
    case.requester_data_due_at = rules.hard_deadline(now, settings.retention_hours)
    return case.requester_data_due_at


def schedule_after_decision(case: Case, now: datetime, settings) -> datetime | None:
    """Call when a decision is recorded (its event emitted in the same transaction): the data
    goes after the grace period, never later than the 72-hour cap."""
    case.purge_due_at = rules.purge_due(case.data_received_at, case.decided_at or now,
                                        settings.retention_hours, settings.purge_grace_seconds)
    return case.purge_due_at


@functools.cache
def pii_columns() -> dict[Table, list[Column]]:
    """Every column declared personal (`info=models.PERSONAL`), by table, for the tables that
    belong to a case (the `cases` table itself or one with a `case_id`)."""
    found: dict[Table, list[Column]] = {}
    for table in models.Base.metadata.sorted_tables:
        if table.name != "cases" and "case_id" not in table.c:
            continue
        personal = [c for c in table.c if c.info.get("personal")]
        if personal:
            found[table] = personal
    return found


def _owner(table: Table) -> Column:
    return table.c.id if table.name == "cases" else table.c.case_id


@dataclass
class PurgeTotals:
    cases: int = 0
    blobs: int = 0
    fields: int = 0
    pending: list[str] = field(default_factory=list)  # storage refused: retried next tick
    skipped: int = 0  # another purge holds the case
    requester: int = 0  # cases whose requester data alone was due (the case goes on)
    requester_fields: int = 0

    def as_dict(self) -> dict:
        return {"cases": self.cases, "blobs": self.blobs, "fields": self.fields,
                "pending": len(self.pending), "skipped": self.skipped,
                "requester": self.requester, "requester_fields": self.requester_fields}


def due_filter(now: datetime):
    # Matches the partial index ix_cases_purge_pending.
    return and_(Case.purge_due_at <= now, Case.data_purged_at.is_(None))


def requester_due_cases(session, now: datetime) -> list[tuple[str, datetime]]:
    """(id, due) of every case whose requester data is due before the rest of its data."""
    return [(r.id, r.requester_data_due_at) for r in session.execute(
        select(Case.id, Case.requester_data_due_at).where(
            Case.requester_data_due_at <= now, Case.data_purged_at.is_(None))
        .order_by(Case.requester_data_due_at, Case.id))]


def count_due(session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Case).where(due_filter(now))) or 0


def due_cases(sessions, now: datetime, batch: int = BATCH) -> Iterator[tuple[str, datetime]]:
    """(id, due) of every due case, in deadline order, read in batches with a keyset cursor so
    a case left pending is not read again in the same run."""
    cursor = None
    while True:
        query = select(Case.id, Case.purge_due_at).where(due_filter(now))
        if cursor is not None:
            query = query.where(or_(Case.purge_due_at > cursor[1],
                                    and_(Case.purge_due_at == cursor[1], Case.id > cursor[0])))
        with sessions() as session:
            rows = session.execute(query.order_by(Case.purge_due_at, Case.id).limit(batch)).all()
        yield from ((r.id, r.purge_due_at) for r in rows)
        if len(rows) < batch:
            return
        cursor = (rows[-1].id, rows[-1].purge_due_at)


def purge_due_cases(svc, now: datetime, on_case: Callable[[str, str], None] | None = None,
                    budget_s: float | None = None, workers: int = WORKERS) -> PurgeTotals:
    """Purge every case due at ``now``, ``workers`` cases at a time (the work is mostly waiting
    on storage). ``on_case(case_id, result)`` follows progress; after ``budget_s`` seconds the
    run stops between two batches (the next run goes on from there)."""
    totals = PurgeTotals()
    started = time.monotonic()
    batch: list[str] = []
    locks = CaseLocks(svc.engine)
    try:
        with svc.sessions() as session:
            requester_due = requester_due_cases(session, now)
        for case_id, _due in requester_due:
            fields = purge_requester_data(svc, case_id, now, locks)
            if fields is not None:
                totals.requester += 1
                totals.requester_fields += fields
        with ThreadPoolExecutor(max(1, workers), thread_name_prefix="purge") as pool:
            for case_id, _due in due_cases(svc.sessions, now):
                batch.append(case_id)
                if len(batch) < BATCH:
                    continue
                _purge_batch(svc, now, pool, locks, batch, totals, on_case)
                batch = []
                if budget_s is not None and time.monotonic() - started > budget_s:
                    break
            else:
                _purge_batch(svc, now, pool, locks, batch, totals, on_case)
    finally:
        locks.close()
    if totals.cases or totals.pending or totals.requester:
        log.info("purge finished", extra=totals.as_dict())
    return totals


def _purge_batch(svc, now, pool, locks, batch, totals: PurgeTotals, on_case) -> None:
    for case_id, result in zip(batch, pool.map(lambda c: purge_case(svc, c, now, locks), batch),
                               strict=True):
        if result.state == "purged":
            totals.cases += 1
            totals.blobs += result.blobs
            totals.fields += result.fields
        elif result.state == "pending":
            totals.pending.append(case_id)
        elif result.state == "skipped":
            totals.skipped += 1
        if on_case:
            on_case(case_id, result.state)


@dataclass(frozen=True)
class CaseResult:
    state: str  # purged | pending | skipped | done_elsewhere
    blobs: int = 0
    fields: int = 0


def purge_case(svc, case_id: str, now: datetime, locks: CaseLocks) -> CaseResult:
    with locks.hold(case_id) as mine:
        if not mine:
            return CaseResult("skipped")
        if not _destroy_key(svc, case_id, now):
            return CaseResult("done_elsewhere")
        for _round in range(3):
            try:
                keys, referenced = _case_blob_keys(svc, case_id)
                if len(keys) > referenced:
                    # Blobs no row points at are counted before they go: a rerun after a
                    # crash would not find them, and must report as many.
                    _note_blobs(svc, case_id, len(keys))
                failed = delete_blobs(svc.storage, keys)
            except StorageError as exc:
                log.warning("purge: storage unavailable (%s); case stays pending", exc,
                            extra={"case": case_id})
                return CaseResult("pending")
            if failed:
                log.warning("purge: storage refused %d blob(s); case stays pending", len(failed),
                            extra={"case": case_id})
                return CaseResult("pending")
            result = _finish(svc, case_id, now, deleted=keys)
            if result is not None:
                return result
        return CaseResult("pending")  # blobs kept appearing: try again next tick


class CaseLocks:
    """On PostgreSQL, session advisory locks so two purges never work on one case at once;
    all taken on one connection per purge run, and released by the server if the process
    dies. SQLite serialises writers: the steps' own checks suffice there."""

    def __init__(self, engine: Engine):
        self.conn = None
        if engine.dialect.name == "postgresql":
            self.conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.mutex = threading.Lock()

    @staticmethod
    def _key(case_id: str) -> int:
        return int.from_bytes(hashlib.sha256(f"purge:{case_id}".encode()).digest()[:8], "big",
                              signed=True)

    @contextmanager
    def hold(self, case_id: str) -> Iterator[bool]:
        if self.conn is None:
            yield True
            return
        with self.mutex:
            mine = bool(self.conn.scalar(text("SELECT pg_try_advisory_lock(:k)"),
                                         {"k": self._key(case_id)}))
        try:
            yield mine
        finally:
            if mine:
                with self.mutex:
                    self.conn.execute(text("SELECT pg_advisory_unlock(:k)"),
                                      {"k": self._key(case_id)})

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def purge_requester_data(svc, case_id: str, now: datetime, locks: CaseLocks) -> int | None:
    """Delete what the requester sent once its own deadline passed, and leave the case open to
    the person (the full purge takes the rest at its deadline). The data key goes too when it
    sealed nothing else. Returns how many values were deleted, None if someone else did it."""
    with locks.hold(case_id) as mine, svc.transaction() as session:
        case = _load_for_update(session, case_id) if mine else None
        if case is None or case.data_purged_at is not None or case.requester_data_due_at is None \
                or case.requester_data_due_at > now:
            return None
        columns = list(REQUESTER_SUPPLIED)
        if case.data_received_at is None:
            columns.append(DATA_KEY)
        count = 0
        for column in columns:
            if getattr(case, column.key) is not None:
                count += 1
                setattr(case, column.key, None)
        case.requester_data_due_at = None
        case.updated_at = now
        audit.record(session, now, "system", None, "case.requester_data_purged", case.id,
                     fields_deleted=count)
    return count


def _load_for_update(session, case_id: str) -> Case | None:
    return session.scalar(select(Case).where(Case.id == case_id).with_for_update())


def _destroy_key(svc, case_id: str, now: datetime) -> bool:
    """Step 1, committed before any blob is touched: without its data key every copy of the
    case's blobs and sealed columns, backups included, is unreadable. An undecided case
    expires here, since it can no longer be reviewed."""
    with svc.transaction() as session:
        case = _load_for_update(session, case_id)
        if case is None or case.data_purged_at is not None or case.purge_due_at is None \
                or case.purge_due_at > now:
            return False
        if case.status in UNDECIDED:
            transition(case, "expired", now)
            case.token_hash = None
            emit(session, case, "case.expired", now)
            audit.record(session, now, "system", None, "case.expired", case.id,
                         cause="retention_deadline")
        receipt = dict(case.purge_receipt or {})
        if case.wrapped_data_key is not None:
            case.wrapped_data_key = None
            receipt.update(data_key_destroyed_at=now.isoformat(), data_key_fields=1)
        receipt.setdefault("data_key_destroyed_at", now.isoformat())
        case.purge_receipt = receipt
    return True


def _case_blob_keys(svc, case_id: str) -> tuple[list[str], int]:
    """Every blob of the case: those its rows point at, and any other under its prefix.
    Returns them with how many the rows point at."""
    with svc.sessions() as session:
        rows = session.execute(select(Photo.blob_key, Photo.preview_key)
                               .where(Photo.case_id == case_id)).all()
    keys = {k for row in rows for k in row if k}
    referenced = len(keys)
    for attempt in range(DELETE_TRIES):
        try:
            keys.update(svc.storage.list_keys(blob_prefix(case_id)))
            break
        except StorageError:
            if attempt == DELETE_TRIES - 1:
                raise
            time.sleep(0.2 * (attempt + 1))  # a transient error; the case is pending otherwise
    return sorted(keys), referenced


def delete_blobs(storage: BlobStore, keys: list[str], tries: int = DELETE_TRIES) -> list[str]:
    """Delete (in batches, inside the store); retry the keys that failed. Returns those that
    still could not be deleted."""
    failed = list(keys)
    for _ in range(tries):
        if not failed:
            break
        failed = storage.delete_many(failed)
    return failed


def _note_blobs(svc, case_id: str, count: int) -> None:
    """Remember how many blobs the case had, so a rerun after a crash reports the same count."""
    with svc.transaction() as session:
        case = _load_for_update(session, case_id)
        if case is None or case.data_purged_at is not None:
            return
        receipt = dict(case.purge_receipt or {})
        receipt["blobs_found"] = max(count, receipt.get("blobs_found", 0))
        case.purge_receipt = receipt


def _finish(svc, case_id: str, now: datetime, deleted: list[str]) -> CaseResult | None:
    """Step 3, one transaction: null the personal columns, mark purged, emit the receipt.
    Returns None when a blob appeared since the deletion (deleted again by the caller)."""
    with svc.transaction() as session:
        case = _load_for_update(session, case_id)
        if case is None or case.data_purged_at is not None:
            return CaseResult("done_elsewhere")
        referenced = {k for row in session.execute(
            select(Photo.blob_key, Photo.preview_key).where(Photo.case_id == case_id))
            for k in row if k}
        if referenced - set(deleted):
            return None
        receipt = dict(case.purge_receipt or {})
        fields = receipt.get("data_key_fields", 0) + _null_pii(session, case)
        blobs = max(receipt.get("blobs_found", 0), len(deleted))
        case.data_purged_at = now
        case.updated_at = now
        case.requester_data_due_at = None
        case.purge_receipt = {"purged_at": now.isoformat(), "due_at": case.purge_due_at.isoformat(),
                              "data_key_destroyed_at": receipt.get("data_key_destroyed_at"),
                              "blobs_deleted": blobs, "fields_deleted": fields}
        emit(session, case, "case.data_purged", now, blobs_deleted=blobs, fields_deleted=fields,
             purged_at=now.isoformat())
        audit.record(session, now, "system", None, "case.data_purged", case.id,
                     blobs_deleted=blobs, fields_deleted=fields)
    return CaseResult("purged", blobs, fields)


def _null_pii(session, case: Case) -> int:
    """Null every personal column of the case and its rows; return how many held a value."""
    count = 0
    for table, columns in pii_columns().items():
        if table.name == "cases":
            for column in columns:
                if getattr(case, column.key) is not None:
                    count += 1
                    setattr(case, column.key, null())  # SQL NULL, also for JSON columns
            continue
        owner = _owner(table)
        count += session.scalar(select(func.coalesce(func.sum(
            sum(_not_null(c) for c in columns)), 0)).where(owner == case.id)) or 0
        session.execute(update(table).where(owner == case.id)
                        .values({c.name: null() for c in columns}))
    session.flush()
    return int(count)


def _not_null(column: Column):
    return sql_case((column.is_not(None), 1), else_=0)

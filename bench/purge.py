"""Purge throughput: 10,000 decided cases with their blobs in the S3 server (moto over HTTP),
once in a table of 10,000 cases and once in a table of 200,000. Prints cases per second and the
ratio between the two runs: the cost must follow what is purged, not the table's size.

    .venv/bin/python bench/purge.py [--due 10000] [--big 200000] [--blobs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from kcheck import retention  # noqa: E402
from kcheck.adapters.storage import S3BlobStore  # noqa: E402
from kcheck.clock import FrozenClock  # noqa: E402
from kcheck.db import upgrade  # noqa: E402
from kcheck.models import ApiClient, Case, Photo  # noqa: E402
from kcheck.services import Services  # noqa: E402
from kcheck.settings import Settings  # noqa: E402
from tests.servers import s3_server  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHUNK = 5000


def case_row(client_id: str, kind: str, i: int) -> dict:
    """A due decided case, a case purged long ago, or an open case not due yet."""
    received = NOW - timedelta(hours=2)
    row = dict(id=str(uuid.uuid4()), api_client_id=client_id, reason="password_reset",
               subject_ref=f"acct-{i}", locale="en", status="approved", created_at=received,
               updated_at=received, expires_at=NOW + timedelta(days=3), version=1,
               sms_locks=0, sms_sends=0, data_received_at=received, outcome="approved",
               reason_code="identity_confirmed", decided_at=NOW - timedelta(minutes=1),
               purge_due_at=NOW - timedelta(minutes=1), data_purged_at=None,
               wrapped_data_key=b"k" * 60, phone=b"p" * 40, location=b"l" * 60,
               location_country="CH")
    if kind == "history":
        old = NOW - timedelta(days=30 + i % 300)
        row.update(created_at=old, updated_at=old, data_received_at=old, decided_at=old,
                   purge_due_at=old, data_purged_at=old, wrapped_data_key=None, phone=None,
                   location=None, location_country=None,
                   purge_receipt={"blobs_deleted": 2, "fields_deleted": 6})
    elif kind == "open":
        row.update(status="in_progress", outcome=None, reason_code=None, decided_at=None,
                   purge_due_at=NOW + timedelta(hours=70))
    return row


def seed(settings: Settings, due: int, others: int, blobs: int) -> list[str]:
    engine = Services.from_settings(settings).engine
    with engine.begin() as conn:
        client_id = str(uuid.uuid4())
        conn.execute(insert(ApiClient), [dict(id=client_id, name="bench", key_prefix="bench",
                                              key_hash="0" * 64, scopes="cases:read",
                                              created_at=NOW)])
    kinds = ["due"] * due + ["history" if i % 5 else "open" for i in range(others)]
    due_ids: list[str] = []
    for start in range(0, len(kinds), CHUNK):
        rows = [case_row(client_id, kind, start + n)
                for n, kind in enumerate(kinds[start:start + CHUNK])]
        photos = []
        for row, kind in zip(rows, kinds[start:start + CHUNK], strict=True):
            if kind == "history":
                continue
            if kind == "due":
                due_ids.append(row["id"])
            photos.append(dict(id=str(uuid.uuid4()), case_id=row["id"], slot="selfie", attempt=1,
                               status="pass", byte_size=100, flagged=False,
                               created_at=row["created_at"],
                               blob_key=f"cases/{row['id']}/photo-selfie-{uuid.uuid4().hex}",
                               preview_key=(f"cases/{row['id']}/preview-selfie-"
                                            f"{uuid.uuid4().hex}" if blobs > 1 else None)))
        with engine.begin() as conn:
            conn.execute(insert(Case), rows)
            if photos:
                conn.execute(insert(Photo), photos)
    engine.dispose()
    return due_ids


def put_blobs(store: S3BlobStore, settings: Settings, blobs: int) -> int:
    from sqlalchemy import create_engine, select

    engine = create_engine(settings.database_url)
    with engine.connect() as conn:
        keys = [k for row in conn.execute(select(Photo.blob_key, Photo.preview_key).join(
            Case, Case.id == Photo.case_id).where(Case.purge_due_at <= NOW,
                                                  Case.data_purged_at.is_(None)))
                for k in row if k]
    engine.dispose()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda k: store.put(k, b"\x01sealed-bytes"), keys))
    return len(keys)


def run(label: str, s3_endpoint: str, due: int, others: int, blobs: int, root: Path) -> float:
    db = root / f"{label}.db"
    settings = Settings(env="test", database_url=f"sqlite:///{db}",
                        redis_url="redis://127.0.0.1:1/0", storage_backend="s3",
                        s3_bucket=f"bench-{label}-{uuid.uuid4().hex[:8]}",
                        s3_endpoint_url=s3_endpoint, s3_access_key_id="bench",
                        s3_secret_access_key="bench")
    upgrade(settings.database_url)
    started = time.perf_counter()
    seed(settings, due, others, blobs)
    store = S3BlobStore.from_settings(settings)
    store.ensure_bucket()
    stored = put_blobs(store, settings, blobs)
    print(f"[{label}] seeded {due + others:,} cases and {stored:,} blobs in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    svc = Services.from_settings(settings, clock=FrozenClock(NOW))
    started = time.perf_counter()
    totals = retention.purge_due_cases(svc, NOW)
    passes, cases, blobs = 1, totals.cases, totals.blobs
    while totals.pending and passes < 5:  # what the next scheduler tick does
        print(f"[{label}] {len(totals.pending)} case(s) pending after pass {passes} "
              f"(storage errors); next pass", flush=True)
        totals = retention.purge_due_cases(svc, NOW)
        passes, cases, blobs = passes + 1, cases + totals.cases, blobs + totals.blobs
    elapsed = time.perf_counter() - started
    left = sum(1 for _ in store.list_keys(""))
    svc.engine.dispose()
    assert cases == due and left == 0 and not totals.pending, (totals, left)
    rate = cases / elapsed
    print(f"[{label}] purged {cases:,} cases ({blobs:,} blobs) among {due + others:,} in "
          f"{elapsed:.1f} s ({passes} pass(es)): {rate:.0f} cases/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--blobs", type=int, default=2, choices=(1, 2))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kcheck-bench-") as tmp, s3_server() as s3:
        small = run("small", s3.endpoint, args.due, 0, args.blobs, Path(tmp))
        s3.reset()
        big = run("big", s3.endpoint, args.due, args.big - args.due, args.blobs, Path(tmp))
    print(f"cases/s among {args.due:,}: {small:.0f}; among {args.big:,}: {big:.0f}; "
          f"ratio big/small = {big / small:.2f} (1.00 = cost independent of table size)")


if __name__ == "__main__":
    main()

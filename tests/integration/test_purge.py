"""The 72-hour promise on real servers: S3 (moto over HTTP), Redis, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from kcheck import retention
from kcheck.adapters.storage import S3BlobStore
from kcheck.domain.retention import purge_due
from kcheck.models import AuditEvent, Case, Photo, SmsChallenge, WebhookEvent
from kcheck.vault import blob_prefix
from kcheck.workers.process import PERIODIC
from tests import images
from tests.concurrency import run_together

pytestmark = pytest.mark.s3

# The personal columns the issue names; the purge must null at least these.
NAMED_PII = {
    "cases": ("expected_name", "phone", "location", "location_country", "wrapped_data_key"),
    "sms_challenges": ("phone", "phone_digest", "code_hash"),
    "photos": ("blob_key", "preview_key", "metrics"),
}
PHONE = "+41791234567"


@pytest.fixture
def s3_settings(settings, s3_srv):
    s3 = dataclasses.replace(settings, storage_backend="s3",
                             s3_bucket=f"kcheck-{uuid.uuid4().hex[:12]}",
                             s3_endpoint_url=s3_srv.endpoint, s3_access_key_id="test",
                             s3_secret_access_key="test")
    S3BlobStore.from_settings(s3).ensure_bucket()
    return s3


@pytest.fixture
def app(make_app, s3_settings):
    return make_app(s3_settings)


@pytest.fixture
def client_id(svc, api_key):
    from kcheck.models import ApiClient

    with svc.sessions() as session:
        return session.scalar(select(ApiClient.id))


def case_with_data(svc, client_id: str, now, status: str = "submitted",
                   slots=("id_front", "id_back", "selfie"), orphans: int = 0,
                   callback_url: str | None = None) -> str:
    """A case as the intake leaves it: sealed columns, an SMS challenge, photos and previews
    in storage, and optionally blobs under its prefix that no row points at (crash leftovers)."""
    vault = svc.vault()
    jpeg = images.plain_jpeg(64, 48)
    with svc.transaction() as session:
        case = Case(api_client_id=client_id, reason="password_reset", subject_ref="acct-1",
                    status=status, created_at=now, updated_at=now, callback_url=callback_url,
                    expires_at=now + timedelta(days=3), submitted_at=now)
        session.add(case)
        session.flush()
        case.expected_name = vault.seal_value(case, "expected_name", "Erika Mustermann")
        case.phone = vault.seal_value(case, "phone", PHONE)
        case.location = vault.seal_value(case, "location", {"lat": 46.52, "lon": 6.63})
        case.location_country = "CH"
        case.data_received_at = now
        case.purge_due_at = purge_due(now, None, svc.settings.retention_hours)
        session.add(SmsChallenge(case_id=case.id, phone=vault.seal_value(case, "sms_phone", PHONE),
                                 phone_digest="a" * 64, code_hash="b" * 64, created_at=now,
                                 sent_at=now, expires_at=now + timedelta(minutes=10)))
        for slot in slots:
            session.add(Photo(case_id=case.id, slot=slot, status="pass",
                              blob_key=vault.put_blob(case, f"photo-{slot}", jpeg),
                              preview_key=vault.put_blob(case, f"preview-{slot}", jpeg),
                              byte_size=len(jpeg), width=64, height=48,
                              metrics={"sharpness": 312.5}, created_at=now))
        for i in range(orphans):
            vault.put_blob(case, f"photo-orphan{i}", jpeg)
        return case.id


def pii_left(svc, case_id: str) -> list[str]:
    """Every personal column of the case (the named ones and every one declared personal) still set."""
    tables = {t.name: [c.name for c in cols] for t, cols in retention.pii_columns().items()}
    for table, names in NAMED_PII.items():
        assert set(names) <= set(tables[table]), f"{table}: the purge would not null {names}"
    left = []
    with svc.engine.connect() as conn:
        for table, names in tables.items():
            owner = "id" if table == "cases" else "case_id"
            for row in conn.execute(text(f"SELECT {', '.join(names)} FROM {table} "
                                         f"WHERE {owner} = :id"), {"id": case_id}):
                left += [f"{table}.{n}" for n, v in zip(names, row, strict=True) if v is not None]
    return left


def stored_keys(svc, case_id: str | None = None) -> list[str]:
    return list(svc.storage.list_keys(blob_prefix(case_id) if case_id else ""))


def receipts(svc, case_id: str) -> tuple[list[dict], list[dict]]:
    with svc.sessions() as session:
        events = [e.payload["data"] for e in session.scalars(select(WebhookEvent).where(
            WebhookEvent.case_id == case_id, WebhookEvent.event_type == "case.data_purged"))]
        audits = [a.details for a in session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "case.data_purged"))]
    return events, audits


def run_purge_tick(app, run_jobs) -> None:
    """Enqueue the purge exactly as the scheduler does (its PERIODIC entry) and run it."""
    from kcheck.job_specs import MAINTENANCE

    entry = next(p for p in PERIODIC if p.name == "purge-due-cases")
    assert entry.interval_s == 60
    app.extensions["kcheck"].queue.enqueue(entry.func, spec=MAINTENANCE)
    run_jobs()


def redis_dump(url: str) -> dict[str, tuple[int, bytes]]:
    import redis

    conn = redis.Redis.from_url(url)
    out = {}
    for key in conn.scan_iter():
        kind = conn.type(key).decode()
        if kind == "string":
            value = conn.get(key) or b""
        elif kind == "hash":
            value = repr(conn.hgetall(key)).encode()
        elif kind == "list":
            value = repr(conn.lrange(key, 0, -1)).encode()
        elif kind == "set":
            value = repr(conn.smembers(key)).encode()
        elif kind == "zset":
            value = repr(conn.zrange(key, 0, -1)).encode()
        else:
            value = b""
        out[key.decode()] = (conn.ttl(key), value)
    return out


def test_photos_received_at_t_are_kept_until_t_plus_72h_then_nothing_is_left(
        app, svc, partner, person_for, clock, run_jobs, s3_settings):
    from tests.fixtures.documents import make_photo
    from tests.integration.test_retention_cli import cli

    case = partner.open_case(reason="password_reset", subject_ref="acct-9",
                             expected_name="Erika Mustermann").get_json()
    person = person_for(case["verification_url"])
    person.through_document_type("id_card")
    for slot in ("id_front", "id_back", "selfie"):
        assert person.upload(slot, make_photo(slot)).status_code == 202
    run_jobs()  # quality checks: previews are stored too
    with svc.sessions() as session:
        received = session.get(Case, case["id"]).data_received_at
    assert received == clock.now()
    blobs = stored_keys(svc, case["id"])
    assert len(blobs) == 6  # three photos, three previews

    clock.set(received + timedelta(hours=71, minutes=59))
    run_purge_tick(app, run_jobs)
    assert stored_keys(svc, case["id"]) == blobs
    assert set(pii_left(svc, case["id"])) >= {"cases.phone", "cases.location",
                                              "cases.expected_name", "photos.blob_key"}
    early = cli(s3_settings, "retention", "audit", "--as-of", clock.now().isoformat())
    assert early.exit_code == 0, early.output

    clock.set(received + timedelta(hours=72))
    run_purge_tick(app, run_jobs)
    assert stored_keys(svc) == []
    assert pii_left(svc, case["id"]) == []
    view = partner.get(f"/v1/cases/{case['id']}").get_json()
    assert view["status"] == "expired"  # undecided: it can no longer be reviewed
    assert view["data_purged_at"] == clock.now().isoformat()
    events = [e["type"] for e in partner.get(f"/v1/cases/{case['id']}/events").get_json()["events"]]
    assert {"case.expired", "case.data_purged"} <= set(events)
    purged_events, purged_audits = receipts(svc, case["id"])
    assert len(purged_events) == len(purged_audits) == 1
    assert purged_events[0]["blobs_deleted"] == purged_audits[0]["blobs_deleted"] == 6
    assert purged_events[0]["fields_deleted"] >= 10
    # Redis: no personal data, and nothing about jobs that outlives a day.
    dump = redis_dump(s3_settings.redis_url)
    for key, (ttl, value) in dump.items():
        blob = key.encode() + value
        assert b"791234567" not in blob and b"Mustermann" not in blob, key
        assert case["verification_url"].split("#")[1].encode() not in blob, key
        if key.startswith("rq:job:"):
            assert 0 < ttl <= 24 * 3600, key
    late = cli(s3_settings, "retention", "audit", "--as-of", clock.now().isoformat())
    assert late.exit_code == 0, late.output
    assert "clean" in late.output


def test_decided_case_loses_its_data_at_the_next_scheduler_tick(app, svc, client_id, clock,
                                                                 run_jobs):
    from kcheck.events import emit

    kept = case_with_data(svc, client_id, clock.now())
    decided = case_with_data(svc, client_id, clock.now())
    clock.advance(hours=2)
    with svc.transaction() as session:
        case = session.get(Case, decided)
        case.status, case.outcome, case.reason_code = "approved", "approved", "identity_confirmed"
        case.decided_at = clock.now()
        due = retention.schedule_after_decision(case, clock.now(), svc.settings)
        emit(session, case, "case.approved", clock.now())
    assert due == clock.now()
    clock.advance(seconds=30)  # the next tick comes within a minute
    run_purge_tick(app, run_jobs)
    assert stored_keys(svc, decided) == [] and pii_left(svc, decided) == []
    assert len(stored_keys(svc, kept)) == 6 and pii_left(svc, kept)
    with svc.sessions() as session:
        case = session.get(Case, decided)
        assert case.status == "approved" and case.outcome == "approved"  # the decision stays
        assert case.purge_receipt["blobs_deleted"] == 6
        types = session.scalars(select(WebhookEvent.event_type).where(
            WebhookEvent.case_id == decided)).all()
    assert "case.expired" not in types and "case.data_purged" in types


def test_grace_period_delays_the_purge_after_a_decision(make_app, s3_settings, clock):
    from kcheck import apikeys

    app = make_app(dataclasses.replace(s3_settings, purge_grace_seconds=600))
    svc = app.extensions["kcheck"]
    with svc.transaction() as session:
        client = apikeys.create(session, "x", ["cases:read"], clock.now(),
                                svc.settings.master_key).client.id
    case_id = case_with_data(svc, client, clock.now())
    with svc.transaction() as session:
        case = session.get(Case, case_id)
        case.status, case.decided_at = "rejected", clock.now()
        retention.schedule_after_decision(case, clock.now(), svc.settings)
    clock.advance(seconds=599)
    assert retention.purge_due_cases(svc, clock.now()).cases == 0
    clock.advance(seconds=1)
    assert retention.purge_due_cases(svc, clock.now()).cases == 1
    assert stored_keys(svc, case_id) == []


def test_storage_refusing_keys_leaves_the_case_pending_and_the_audit_shows_it(
        svc, client_id, clock, s3_settings):
    import boto3

    from tests.integration.test_retention_cli import cli

    refused = case_with_data(svc, client_id, clock.now())
    fine = case_with_data(svc, client_id, clock.now())
    s3 = boto3.client("s3", endpoint_url=s3_settings.s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    bucket = s3_settings.s3_bucket
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                       "Resource": f"arn:aws:s3:::{bucket}/cases/{refused}/photo-id_back*"}]}))
    clock.advance(hours=72)
    totals = retention.purge_due_cases(svc, clock.now())
    assert totals.cases == 1 and totals.pending == [refused]
    assert stored_keys(svc, fine) == [] and pii_left(svc, fine) == []
    with svc.sessions() as session:
        case = session.get(Case, refused)
        assert case.data_purged_at is None  # never marked purged while blobs remain
        assert case.wrapped_data_key is None  # but the key is gone: what remains is unreadable
    assert len(stored_keys(svc, refused)) == 1
    assert receipts(svc, refused) == ([], [])
    report = cli(s3_settings, "retention", "audit", "--as-of", clock.now().isoformat())
    assert report.exit_code == 1
    assert f"blob cases/{refused}/photo-id_back" in report.output
    assert f"column cases.phone  case={refused}" in report.output
    assert fine not in report.output

    s3.delete_bucket_policy(Bucket=bucket)  # storage fixed: the next tick finishes the job
    clock.advance(minutes=1)
    again = retention.purge_due_cases(svc, clock.now())
    assert again.cases == 1 and again.pending == []
    assert stored_keys(svc) == [] and pii_left(svc, refused) == []
    events, audits = receipts(svc, refused)
    assert len(events) == len(audits) == 1 and events[0]["blobs_deleted"] == 6
    assert cli(s3_settings, "retention", "audit", "--as-of", clock.now().isoformat()).exit_code == 0


def test_blobs_no_row_points_at_are_deleted_and_counted(svc, client_id, clock):
    case_id = case_with_data(svc, client_id, clock.now(), orphans=2)
    assert len(stored_keys(svc, case_id)) == 8
    clock.advance(hours=72)
    totals = retention.purge_due_cases(svc, clock.now())
    assert (totals.cases, totals.blobs) == (1, 8)
    assert stored_keys(svc) == []


def test_purge_is_idempotent(svc, client_id, clock):
    case_id = case_with_data(svc, client_id, clock.now())
    clock.advance(hours=72)
    first = retention.purge_due_cases(svc, clock.now())
    second = retention.purge_due_cases(svc, clock.now())
    assert (first.cases, second.cases, second.blobs) == (1, 0, 0)
    events, audits = receipts(svc, case_id)
    assert len(events) == len(audits) == 1


def test_kill_9_during_purges_then_rerun_leaves_nothing_and_reports_each_case_once(
        svc, client_id, clock, s3_settings):
    cases = [case_with_data(svc, client_id, clock.now(), orphans=8) for _ in range(30)]
    as_of = (clock.now() + timedelta(hours=72)).isoformat()
    db_path = s3_settings.database_url.removeprefix("sqlite:///")
    env = {**os.environ, **cli_env(s3_settings)}

    def purged() -> int:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM cases "
                                "WHERE data_purged_at IS NOT NULL").fetchone()[0]

    kills = []
    for target in (3, 8):
        proc = subprocess.Popen([sys.executable, "-m", "kcheck", "purge", "--as-of", as_of],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while purged() < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills.append(purged())
    # The first purge is killed mid-way; the second may finish before its kill lands on a loaded
    # machine (CI once saw [3, 30]): the rerun must then report none, still each case once.
    assert 0 < kills[0] < len(cases) and kills[0] <= kills[1], kills
    done = subprocess.run([sys.executable, "-m", "kcheck", "purge", "--as-of", as_of], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"purged {len(cases) - kills[1]} case(s)" in done.stdout
    assert stored_keys(svc) == []
    for case_id in cases:
        assert pii_left(svc, case_id) == []
        events, audits = receipts(svc, case_id)
        assert len(events) == len(audits) == 1, case_id
        assert events[0]["blobs_deleted"] == 14, case_id  # 3 photos, 3 previews, 8 orphans
    audit = subprocess.run([sys.executable, "-m", "kcheck", "retention", "audit", "--as-of",
                            as_of], env=env, capture_output=True, text=True, timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    verify = subprocess.run([sys.executable, "-m", "kcheck", "audit", "verify"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stderr


def cli_env(settings) -> dict[str, str]:
    from tests.integration.test_retention_cli import env_for

    return env_for(settings)


@pytest.mark.postgres
def test_two_purges_at_once_on_postgresql_share_the_work(postgres_url, s3_settings, make_app,
                                                         clock):
    from kcheck import apikeys
    from kcheck.db import upgrade

    name = f"kcheck_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    app = make_app(dataclasses.replace(s3_settings, database_url=url))
    svc = app.extensions["kcheck"]
    with svc.transaction() as session:
        client = apikeys.create(session, "x", ["cases:read"], clock.now(),
                                svc.settings.master_key).client.id
    cases = [case_with_data(svc, client, clock.now(), orphans=4) for _ in range(40)]
    now = clock.now() + timedelta(hours=72)
    results = run_together(lambda: retention.purge_due_cases(svc, now))
    assert sum(r.cases for r in results) == len(cases)
    assert all(r.pending == [] for r in results)
    assert sum(r.blobs for r in results) == len(cases) * 10
    assert stored_keys(svc) == []
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent).where(
            WebhookEvent.event_type == "case.data_purged")) == len(cases)
        assert session.scalar(select(func.count()).select_from(WebhookEvent).where(
            WebhookEvent.event_type == "case.expired")) == len(cases)
        assert session.scalar(select(func.count()).select_from(Case).where(
            Case.data_purged_at.is_(None))) == 0
    for case_id in cases[:5]:
        assert pii_left(svc, case_id) == []
    from kcheck import audit

    with svc.sessions() as session:
        assert audit.verify(session) == []

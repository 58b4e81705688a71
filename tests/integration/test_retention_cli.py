"""The operator's commands: purge, retention audit, webhook secrets and redelivery, storage init."""

from __future__ import annotations

import base64
import json
import os
import pty
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from kcheck.cli import main
from kcheck.models import ApiClient, Case, WebhookEvent
from tests.integration import test_purge as world
from tests.integration.test_purge import case_with_data, pii_left, stored_keys

# The same S3-backed app as the purge tests.
s3_settings, app, client_id = world.s3_settings, world.app, world.client_id

pytestmark = pytest.mark.s3


def env_for(settings) -> dict[str, str]:
    """The environment that makes a `kcheck` process see the same system as the test app."""
    return {
        "KCHECK_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "STORAGE_BACKEND": settings.storage_backend,
        "STORAGE_PATH": str(settings.storage_path),
        "S3_BUCKET": settings.s3_bucket,
        "S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "AWS_ACCESS_KEY_ID": settings.s3_access_key_id,
        "AWS_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "SMS_OUTBOX_PATH": str(settings.sms_outbox_path),
        "PUBLIC_URL": settings.public_url,
        "SECRET_KEY": settings.secret_key,
        "MASTER_KEY": base64.b64encode(settings.master_key).decode(),
        "RETENTION_HOURS": str(settings.retention_hours),
        "PURGE_GRACE_SECONDS": str(settings.purge_grace_seconds),
    }


def cli(settings, *args: str):
    return CliRunner().invoke(main, list(args), env=env_for(settings), catch_exceptions=False)


def test_dry_run_lists_due_cases_and_deletes_nothing(svc, client_id, clock, s3_settings):
    due = case_with_data(svc, client_id, clock.now())
    clock.advance(hours=1)
    later = case_with_data(svc, client_id, clock.now())
    as_of = (clock.now() + timedelta(hours=71, minutes=30)).isoformat()
    result = cli(s3_settings, "purge", "--dry-run", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    assert f"would purge case {due}" in result.output and later not in result.output
    assert "1 case(s) due" in result.output
    assert len(stored_keys(svc, due)) == 6 and pii_left(svc, due)


def test_purge_reports_counts_and_the_audit_agrees(svc, client_id, clock, s3_settings):
    cases = [case_with_data(svc, client_id, clock.now()) for _ in range(3)]
    as_of = (clock.now() + timedelta(hours=72)).isoformat()
    before = cli(s3_settings, "retention", "audit", "--as-of", as_of)
    assert before.exit_code == 1
    # Each case: 6 blobs; 5 case columns, 3 of its SMS challenge, 3 of each of its 3 photos.
    assert before.output.count("past its deadline") == 3 * (6 + 5 + 3 + 9)
    result = cli(s3_settings, "purge", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    assert "purged 3 case(s): 18 blob(s) and 51 field(s) deleted" in result.output
    assert all(pii_left(svc, c) == [] for c in cases)
    after = cli(s3_settings, "retention", "audit", "--as-of", as_of)
    assert after.exit_code == 0 and "clean" in after.output


def test_audit_finds_blobs_without_a_case_and_blobs_of_a_purged_case(svc, client_id, clock,
                                                                     s3_settings):
    from kcheck import retention

    case_id = case_with_data(svc, client_id, clock.now())
    clock.advance(hours=72)
    retention.purge_due_cases(svc, clock.now())
    svc.storage.put(f"cases/{case_id}/photo-late", b"sealed bytes")  # e.g. a racing writer
    svc.storage.put("cases/00000000-0000-0000-0000-000000000000/photo-x", b"sealed")
    svc.storage.put("stray-upload", b"?")
    result = cli(s3_settings, "retention", "audit", "--as-of", clock.now().isoformat())
    assert result.exit_code == 1
    assert f"blob cases/{case_id}/photo-late  case={case_id}  case already marked purged" \
        in result.output
    assert "blob cases/00000000-0000-0000-0000-000000000000/photo-x" in result.output
    assert "blob stray-upload  case=-  belongs to no case" in result.output
    assert "sealed" not in result.output


def test_audit_counts_the_hard_cap_even_if_the_stored_deadline_is_later(svc, client_id, clock,
                                                                         s3_settings):
    case_id = case_with_data(svc, client_id, clock.now())
    with svc.transaction() as session:
        session.get(Case, case_id).purge_due_at = clock.now() + timedelta(days=30)  # a bug
    as_of = (clock.now() + timedelta(hours=72)).isoformat()
    result = cli(s3_settings, "retention", "audit", "--as-of", as_of)
    assert result.exit_code == 1 and f"column cases.phone  case={case_id}" in result.output


def test_bad_as_of_is_refused(s3_settings):
    result = cli(s3_settings, "purge", "--as-of", "next tuesday")
    assert result.exit_code == 2 and "ISO-8601" in result.output


def test_purge_shows_a_progress_bar_on_a_terminal(svc, client_id, clock, s3_settings):
    for _ in range(2):
        case_with_data(svc, client_id, clock.now())
    as_of = (clock.now() + timedelta(hours=72)).isoformat()
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "kcheck", "purge", "--as-of", as_of],
                            env={**os.environ, **env_for(s3_settings)}, stdout=follower,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    proc.wait(60)
    os.close(leader)
    text = output.decode()
    assert proc.returncode == 0
    assert "purging" in text and "100%" in text
    assert "purged 2 case(s): 12 blob(s)" in text


def _client(svc) -> ApiClient:
    with svc.sessions() as session:
        return session.scalars(select(ApiClient)).first()


def test_rotate_secret_signs_with_both_for_24_hours(svc, client_id, s3_settings):
    from kcheck.webhook_signing import signature_header

    old = cli(s3_settings, "webhooks", "secret", client_id).output.strip()
    rotated = cli(s3_settings, "webhooks", "rotate-secret", client_id)
    assert rotated.exit_code == 0
    new = rotated.output.strip().splitlines()[-1]
    assert new.startswith("whsec_") and new != old
    assert cli(s3_settings, "webhooks", "secret", client_id).output.strip() == new
    from kcheck import apikeys

    now = datetime.now().astimezone()
    body = json.dumps({"type": "case.opened"})
    for moment, expected in ((now, 2), (now + timedelta(hours=24, seconds=1), 1)):
        secrets = apikeys.webhook_secrets(_client(svc), svc.settings.master_key, moment)
        assert secrets[0] == new and len(secrets) == expected
    both = apikeys.webhook_secrets(_client(svc), svc.settings.master_key, now)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": signature_header(both, "msg_1", now, body)}
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body + " ", headers)


def test_secret_of_unknown_client_fails_cleanly(s3_settings):
    result = cli(s3_settings, "webhooks", "secret", "nope")
    assert result.exit_code == 1 and "no such API client" in result.output


def test_redeliver_makes_one_event_due_again(svc, client_id, clock, s3_settings):
    case_id = case_with_data(svc, client_id, clock.now(), callback_url="http://127.0.0.1:9/hook")
    from kcheck.events import emit

    with svc.transaction() as session:
        event = emit(session, session.get(Case, case_id), "case.submitted", clock.now())
        event.status, event.next_attempt_at, event.attempts = "failed", None, 8
        event_id = event.id
    result = cli(s3_settings, "webhooks", "redeliver", event_id)
    assert result.exit_code == 0 and "queued" in result.output
    with svc.sessions() as session:
        event = session.get(WebhookEvent, event_id)
        assert event.status == "pending" and event.next_attempt_at is not None
    assert cli(s3_settings, "webhooks", "redeliver", "msg_nope").exit_code == 1


def test_storage_init_sets_the_lifecycle_backstop_on_the_s3_server(s3_settings):
    import boto3

    bucket = s3_settings.s3_bucket + "-init"
    settings = s3_settings.__class__(**{**s3_settings.__dict__, "s3_bucket": bucket})
    result = cli(settings, "storage", "init")
    assert result.exit_code == 0, result.output
    s3 = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["Status"] == "Enabled"
    assert rules[0]["Expiration"]["Days"] == 4
    assert rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 1
    assert cli(settings, "storage", "init").exit_code == 0  # idempotent

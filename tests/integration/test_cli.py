"""The operator's command line, run as a process like an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.fixtures.documents import make_photo


@pytest.fixture
def run(settings):
    env = {**os.environ, "KCHECK_ENV": "test", "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "STORAGE_PATH": str(settings.storage_path),
           "SMS_OUTBOX_PATH": str(settings.sms_outbox_path)}

    def kcheck(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kcheck", *args], env=env,
                              capture_output=True, text=True, check=check, timeout=120)

    return kcheck


def test_help_lists_every_command_with_a_description(run):
    out = run("--help").stdout
    for command in ("serve", "worker", "scheduler", "migrate", "dev", "apikey", "sms",
                    "check-image", "storage", "audit", "purge", "retention", "webhooks",
                    "staff", "demo"):
        line = next((li for li in out.splitlines() if li.strip().startswith(command + " ")), "")
        assert len(line.split()) > 1, command


def test_apikey_create_list_revoke(run, client):
    created = run("apikey", "create", "--name", "order-system", "--scopes", "cases:write")
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("kck_")
    listed = run("apikey", "list").stdout
    assert "order-system" in listed and key not in listed
    headers = {"Authorization": f"Bearer {key}"}
    body = {"reason": "other", "subject_ref": "x"}
    assert client.post("/v1/cases", json=body, headers=headers).status_code == 201
    client_id = listed.split()[0]
    run("apikey", "revoke", client_id)
    assert client.post("/v1/cases", json=body, headers=headers).status_code == 401
    bad = run("apikey", "create", "--name", "x", "--scopes", "cases:delete", check=False)
    assert bad.returncode == 2 and "scopes" in bad.stderr


def test_check_image_prints_one_json_object_per_file(run, tmp_path):
    good = tmp_path / "good.jpg"
    good.write_bytes(make_photo("passport_page", seed=2))
    blurred = tmp_path / "blurred.jpg"
    blurred.write_bytes(make_photo("passport_page", defect="blur", seed=2))
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"<html>not a photo</html>")
    result = run("check-image", "--slot", "passport_page", "--json", str(good), str(blurred),
                 str(junk))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["verdict"] for line in lines] == ["pass", "retake", "reject"]
    assert "blurry" in lines[1]["reasons"] and lines[0]["ms"] > 0
    assert {"path", "verdict", "reasons", "metrics", "ms"} <= set(lines[0])


def test_sms_outbox_shows_the_development_messages(run, person_for, partner, settings):
    assert "The SMS outbox is empty" in run("sms", "outbox").stdout  # not a blank answer
    case = partner.open_case().get_json()
    person = person_for(case["verification_url"])
    person.open()
    person.request_code()
    out = run("sms", "outbox").stdout
    assert "+41791234567" in out and "kcheck" in out and "empty" not in out


def test_read_mrz_prints_fields_and_names_the_failing_check(run, tmp_path):
    from tests.fixtures.mrz_documents import make_mrz_photo

    good, spec = make_mrz_photo("TD3", seed=4)
    bad, _ = make_mrz_photo("TD3", seed=4, broken_check="document_number")
    (tmp_path / "good.jpg").write_bytes(good)
    (tmp_path / "bad.jpg").write_bytes(bad)
    result = run("read-mrz", "--json", str(tmp_path / "good.jpg"), str(tmp_path / "bad.jpg"))
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["found"] and first["valid"] and first["format"] == "TD3"
    assert first["fields"]["surname"] == spec.surname
    assert first["fields"]["document_number"] == spec.document_number
    assert second["found"] and not second["valid"]
    # The composite digit covers the document number's digit, so it fails with it.
    assert {name for name, ok in second["checks"].items() if not ok} == {"document_number",
                                                                         "composite"}
    assert second["failed_checks"] == ["document_number", "composite"]
    assert first["implausible"] == second["implausible"] == []
    assert first["plausibility"]["birth_date"] == "ok" and first["rotation"] == 0
    # A wrong check digit is reported as printed, not repaired into another number.
    assert first["corrected"] == second["corrected"] == []


def test_commands_beside_make_run_use_the_checkouts_keys(tmp_path, settings, make_app, clock):
    """`make run` and a `kcheck` command in another terminal of the same checkout read the same
    keys (var/dev-secrets.json), not the built-in development ones."""
    import base64
    import dataclasses
    import re

    import pyotp
    from sqlalchemy import select

    from kcheck import apikeys
    from kcheck.models import ApiClient
    from kcheck.settings import development_secrets
    from kcheck.staff import Enrolment
    from tests.integration.review.conftest import Reviewer

    keys = development_secrets(tmp_path / "var" / "dev-secrets.json")
    app = make_app(dataclasses.replace(settings, secret_key=keys["SECRET_KEY"],
                                       master_key=base64.b64decode(keys["MASTER_KEY"])))
    svc = app.extensions["kcheck"]
    with svc.transaction() as session:  # the development API key `make run` creates
        apikeys.create(session, "development", ["cases:write"], svc.now(), svc.settings.master_key)
    with svc.sessions() as session:
        client = session.scalars(select(ApiClient)).one()
        [secret] = apikeys.webhook_secrets(client, svc.settings.master_key, svc.now())
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MASTER_KEY")}
    env.update(KCHECK_ENV="development", DATABASE_URL=settings.database_url,
               REDIS_URL=settings.redis_url, STORAGE_PATH=str(settings.storage_path),
               SMS_OUTBOX_PATH=str(settings.sms_outbox_path))

    def kcheck(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kcheck", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    shown = kcheck("webhooks", "secret", client.id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == secret
    created = kcheck("staff", "create", "--email", "ops@example.test", "--role", "admin", "--dev")
    assert created.returncode == 0, created.stderr
    password = re.search(r"password:\s+(\S+)", created.stdout).group(1)
    totp = re.search(r"TOTP secret:\s+([A-Z2-7]+)", created.stdout).group(1)
    member = Reviewer(app, clock, Enrolment("?", "ops@example.test", "admin", password, totp))
    assert member.login(code=pyotp.TOTP(totp).at(clock.now())).status_code == 302

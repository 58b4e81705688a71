"""Use cases against in-memory fakes of the ports (SMS, storage, queue) and the movable clock,
on the real models in an in-memory SQLite database: no server of any kind."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from kcheck import apikeys, crypto
from kcheck.db import make_sessionmaker
from kcheck.models import Base, Case
from kcheck.services import Services
from kcheck.settings import Settings
from kcheck.usecases import intake, partner


class FakeSms:
    """Records what would have been sent."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, to_e164: str, body: str) -> None:
        self.sent.append((to_e164, body))

    def last_code(self) -> str:
        return self.sent[-1][1].split(": ", 1)[1][:6]


class MemoryBlobs:
    def __init__(self):
        self.blobs: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> None:
        self.blobs[key] = data

    def get(self, key: str) -> bytes:
        return self.blobs[key]

    def delete_many(self, keys) -> list[str]:
        for key in keys:
            self.blobs.pop(key, None)
        return []

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        return iter(sorted(k for k in self.blobs if k.startswith(prefix)))

    def ping(self) -> None:
        pass


class ListQueue:
    def __init__(self):
        self.jobs: list[tuple] = []

    def enqueue(self, func: str, *args, spec=None) -> None:
        self.jobs.append((func, args))


@pytest.fixture
def sms() -> FakeSms:
    return FakeSms()


@pytest.fixture
def svc(clock, sms, tmp_path) -> Iterator[Services]:
    engine = create_engine("sqlite://", poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    settings = Settings(env="test", database_url="sqlite://", redis_url="redis://unused",
                        storage_path=tmp_path / "unused", sms_outbox_path=tmp_path / "unused",
                        public_url="http://kcheck.test")
    yield Services(settings=settings, engine=engine, sessions=make_sessionmaker(engine),
                   storage=MemoryBlobs(), sms=sms, queue=ListQueue(), clock=clock)
    engine.dispose()


@pytest.fixture
def client_id(svc) -> str:
    with svc.transaction() as session:
        return apikeys.create(session, "orders", ["cases:write"], svc.now(),
                              svc.settings.master_key).client.id


@pytest.fixture
def new_case(svc, client_id):
    """Open a case as the requester would; returns (case id, link token)."""
    def make(reason: str = "password_reset") -> tuple[str, str]:
        wanted = partner.NewCase(reason=reason, subject_ref="account-1", order_ref=None,
                                 locale="en", callback_url=None, expected_name=None,
                                 expires_in_days=None, idempotency_key=None, fingerprint="f")
        with svc.transaction() as session:
            case, token = partner.open_case(svc, session, client_id, wanted, svc.now())
        return case.id, token
    return make


@pytest.fixture
def person_case(svc, new_case) -> str:
    """A case whose link the person opened."""
    case_id, token = new_case()
    intake.open_session(svc, token)
    return case_id


def status_of(svc, case_id: str) -> str:
    with svc.sessions() as session:
        return session.get(Case, case_id).status


def photo(data: bytes = b"jpeg") -> SimpleNamespace:
    """A sanitised upload as the intake path hands it to the use case."""
    return SimpleNamespace(data=data, width=1600, height=1200, orientation=1)


def code_digest(svc, case_id: str, code: str) -> str:
    return crypto.keyed_digest(svc.settings.secret_key, f"{case_id}:{code}", "otp")

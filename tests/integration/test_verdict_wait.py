"""Waiting for a photo's verdict in one request (GET /v1/session/photos/<slot>?wait=N): on the
live system (gunicorn, an RQ worker, Redis), and the Redis notices that wake the wait."""

from __future__ import annotations

import threading
import time

import pytest
import redis
import requests

from kcheck.adapters.verdict_notices import VerdictWaiters, announce_verdict
from kcheck.domain.cases import MAX_VERDICT_WAIT_S
from tests.fixtures.documents import make_photo
from tests.live import person_at_photo_step
from tests.servers import RedisServer

PHOTO = "/v1/session/photos/passport_page"


@pytest.fixture(scope="module")
def live(tmp_path_factory, redis_srv):
    """The live web tier (gunicorn) without a worker: a photo stays pending until a test runs
    its check (`check_queued`)."""
    from tests.live import LiveSystem

    redis.Redis.from_url(redis_srv.url).flushdb()
    system = LiveSystem(root=tmp_path_factory.mktemp("live"), redis_url=redis_srv.url,
                        worker_processes=0).start()
    system.key = system.api_key()
    yield system
    system.stop()


@pytest.fixture
def person(live):
    http = requests.Session()
    http.headers["Authorization"] = person_at_photo_step(live.url, live.key,
                                                         live.root / "outbox.jsonl")
    return http


def check_queued(live) -> None:
    """Run the queued checks as the worker would, on the live system's database and Redis."""
    from rq import SimpleWorker

    from kcheck.services import Services
    from kcheck.settings import Settings
    from kcheck.workers.runtime import serving

    svc = Services.from_settings(Settings.from_env(live.env))
    try:
        with serving(svc):
            SimpleWorker(["quality"], connection=svc.queue.redis).work(burst=True)
    finally:
        svc.engine.dispose()


def upload(live, http) -> None:
    put = http.put(live.url + PHOTO, data=make_photo("passport_page", seed=3),
                   headers={"Content-Type": "image/jpeg"}, timeout=30)
    assert put.status_code == 202, put.text


def test_a_held_request_answers_with_the_verdict_once_it_is_stored(live, person):
    upload(live, person)
    answers = []
    asking = threading.Thread(target=lambda: answers.append(person.get(
        f"{live.url}{PHOTO}?wait={MAX_VERDICT_WAIT_S}", timeout=60)))
    started = time.monotonic()
    asking.start()
    time.sleep(1.5)  # the request is at the server, the photo still pending
    assert answers == []  # held, not answered "pending" at once
    check_queued(live)
    asking.join(60)
    answer = answers[0]
    assert answer.status_code == 200
    assert answer.json()["quality"]["status"] == "pass"  # the verdict, in the same request
    # Woken by the worker's notice, not by the end of the wait (which re-reads as well).
    assert time.monotonic() - started < MAX_VERDICT_WAIT_S


def test_the_wait_is_bounded_and_its_parameter_checked(live, person):
    upload(live, person)
    answer = person.get(f"{live.url}{PHOTO}?wait=1", timeout=30)
    assert answer.status_code == 200
    assert answer.json()["quality"] == {"status": "pending"}
    for bad in (str(MAX_VERDICT_WAIT_S + 1), "-1", "1.5", "soon", "٣"):
        refused = person.get(f"{live.url}{PHOTO}", params={"wait": bad}, timeout=30)
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "wait"
    # Without `wait`, the answer comes at once, as before.
    assert person.get(live.url + PHOTO, timeout=30).json()["quality"]["status"] == "pending"


def test_a_process_holds_no_more_requests_than_its_waiting_slots(redis_srv):
    waiters = VerdictWaiters(redis.Redis.from_url(redis_srv.url), capacity=1)
    with waiters.waiting("photo-a") as first, waiters.waiting("photo-b") as second:
        assert first is not None
        assert second is None  # answered at once: threads stay free for uploads
    with waiters.waiting("photo-b") as again:
        assert again is not None  # the slot is free again
    with VerdictWaiters(redis.Redis.from_url(redis_srv.url), capacity=0).waiting("x") as none:
        assert none is None  # VERDICT_WAITERS=0: never hold a request


def test_notices_wake_only_their_photo_and_survive_a_redis_restart():
    server = RedisServer().start()
    try:
        connection = redis.Redis.from_url(server.url)
        waiters = VerdictWaiters(connection, capacity=4)
        with waiters.waiting("photo-a") as woken, waiters.waiting("photo-b") as other:
            assert notice_reaches(connection, woken, other)
            server.stop()
            # Disconnected: every waiter is woken to read the database again.
            assert other.wait(10)
            server = RedisServer(port=server.port).start()
            assert notice_reaches(connection, woken, other)  # once subscribed again
        announce_verdict(redis.Redis(port=1, socket_connect_timeout=1), "photo-a")  # no raise
    finally:
        server.stop()


def notice_reaches(connection, woken, other) -> bool:
    """Whether a notice for `woken`'s photo wakes it and not `other` (a waiter of another photo),
    tried until the subscriber is back: a reconnection wakes every waiter once."""
    for _ in range(40):
        woken.clear()
        other.clear()
        announce_verdict(connection, "photo-a")
        if woken.wait(0.5) and not other.is_set():
            return True
    return False

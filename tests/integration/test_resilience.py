"""Failures halfway leave nothing half-written; lost checks heal by themselves."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import func, select

from kcheck.adapters.storage import LocalBlobStore
from kcheck.models import Photo
from kcheck.workers.runtime import serving
from kcheck.workers.sweepers import requeue_stuck_photos
from tests.fixtures.documents import make_photo
from tests.live import worker_process
from tests.servers import RedisServer


def at_photo_step(partner, person_for, document_type="passport"):
    case = partner.open_case().get_json()
    person = person_for(case["verification_url"])
    person.through_document_type(document_type)
    return case, person


def test_storage_down_answers_503_and_writes_nothing(make_app, settings, tmp_path, clock):
    from kcheck import apikeys
    from tests.actors import Partner, Person

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the blob folder should be")
    app = make_app(settings, storage=LocalBlobStore(blocked / "blobs"))
    svc = app.extensions["kcheck"]
    with svc.transaction() as session:
        key = apikeys.create(session, "x", ["cases:write", "cases:read"], svc.now(),
                             svc.settings.master_key).key
    client = app.test_client()
    case = Partner(client, key).open_case().get_json()
    person = Person(client, settings, clock, case["verification_url"].split("#", 1)[1])
    person.through_document_type("passport")
    response = person.upload("passport_page", make_photo("passport_page"))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["code"] == "service_unavailable"
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Photo)) == 0
    assert person.call("GET", "/v1/session").get_json()["photos"] == {}


def test_queue_down_keeps_the_photo_and_the_sweeper_enqueues_it(
        make_app, settings, partner, person_for, run_jobs, clock, app):
    case, person = at_photo_step(partner, person_for)
    dead = RedisServer()  # never started: nothing listens there
    down_app = make_app(settings.__class__(**{**settings.__dict__, "redis_url": dead.url}))
    response = down_app.test_client().put(
        "/v1/session/photos/passport_page", data=make_photo("passport_page", seed=4),
        content_type="image/jpeg", headers=person.headers)
    assert response.status_code == 202  # stored; its check will be queued later
    with serving(app.extensions["kcheck"]):
        assert requeue_stuck_photos() == 1
        assert requeue_stuck_photos() == 0  # enqueued once, not again right away
    run_jobs()
    quality = person.call("GET", "/v1/session/photos/passport_page").get_json()["quality"]
    assert quality["status"] == "pass"


def test_running_the_check_twice_stores_one_result(partner, person_for, run_jobs, app, svc):
    from kcheck.workers.quality_job import check_photo

    at_photo_step(partner, person_for)[1].upload("passport_page", make_photo("passport_page"))
    with svc.sessions() as session:
        photo_id = session.scalar(select(Photo.id))
    with serving(app.extensions["kcheck"]):
        assert check_photo(photo_id) == "pass"
        assert check_photo(photo_id) == "skipped"
    previews = [k for k in svc.storage.list_keys() if "/preview-" in k]
    assert len(previews) == 1


def wait_for_first_verdict(svc):
    """Wait until one photo is checked; return the function counting checked photos."""
    def checked() -> int:
        with svc.sessions() as session:
            return session.scalar(select(func.count()).select_from(Photo).where(
                Photo.status != "pending"))

    deadline = time.monotonic() + 60
    while checked() < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    return checked


def test_worker_killed_mid_check_heals_through_the_sweeper(
        partner, person_for, run_jobs, app, svc, settings, clock):
    """kill -9 a real worker process while it checks 12-megapixel photos: every photo still
    gets exactly one verdict, from the sweeper's re-enqueue."""
    for seed in range(4):
        _, person = at_photo_step(partner, person_for)
        person.upload("passport_page", make_photo("passport_page", seed=seed, long_side=4000))
    worker = worker_process(settings, "quality")
    checked = wait_for_first_verdict(svc)
    os.kill(worker.pid, signal.SIGKILL)  # mid-way through the next photo
    worker.wait()
    assert checked() < 4, "the worker finished everything before it was killed"
    clock.advance(seconds=61)
    # Jobs still queued run as well: the check is idempotent, so no photo gets two results.
    with serving(app.extensions["kcheck"]):
        assert requeue_stuck_photos() == 4 - checked()
    run_jobs()
    with svc.sessions() as session:
        statuses = session.scalars(select(Photo.status)).all()
    assert sorted(statuses) == ["pass"] * 4


def _pages_being_checked(make_app, settings, clock, api_key):
    """Three passport pages of 4000 px uploaded and a real `kcheck worker` started on them, on a
    Redis server of their own: (that server, the app's services, the worker process)."""
    import dataclasses

    from tests.actors import Partner, Person

    redis = RedisServer().start()
    local = dataclasses.replace(settings, redis_url=redis.url)
    app = make_app(local)
    client = app.test_client()
    for seed in range(3):
        case = Partner(client, api_key).open_case().get_json()
        person = Person(client, local, clock, case["verification_url"].split("#", 1)[1])
        person.through_document_type("passport")
        person.upload("passport_page", make_photo("passport_page", seed=seed, long_side=4000))
    return redis, app.extensions["kcheck"], worker_process(local, "quality")


def test_a_worker_outlives_a_redis_restart(make_app, settings, clock, api_key):
    """Redis restarted while a worker checks a photo: RQ's own worker quits when it cannot
    record the job's end; `kcheck worker` starts a new one, and the checks lost with Redis
    are re-queued by the sweeper."""
    redis, svc, worker = _pages_being_checked(make_app, settings, clock, api_key)
    try:
        checked = wait_for_first_verdict(svc)
        redis.stop()  # mid-way through the next check
        time.sleep(3)
        redis = RedisServer(port=redis.port).start()
        time.sleep(1)
        assert worker.poll() is None, "kcheck worker exited with Redis"
        clock.advance(seconds=61)
        with serving(svc):
            requeue_stuck_photos()  # what the scheduler runs every 30 s
        deadline = time.monotonic() + 90
        while checked() < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert checked() == 3
        worker.terminate()  # a stop request still stops it
        assert worker.wait(30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
        redis.stop()


def test_a_stop_request_between_two_workers_stops_the_process(make_app, settings, clock, api_key):
    """Redis gone mid-check: RQ's worker finishes the check, cannot record it and gives up, and
    `kcheck worker` waits 5 s before starting another. A stop request then (a deploy, a
    scale-down) stops the process, with success. It was lost: RQ's handlers belonged to the
    worker that had ended, which still counted itself busy and only noted the request; the next
    worker ran on and the process never stopped (CI saw it outlive its SIGTERM by 30 s)."""
    redis, svc, worker = _pages_being_checked(make_app, settings, clock, api_key)
    try:
        wait_for_first_verdict(svc)
        redis.stop()  # mid-way through the next check
        time.sleep(2.5)  # the check ends, its end cannot be recorded: the next worker is 5 s off
        assert worker.poll() is None, "kcheck worker exited with Redis"
        worker.terminate()
        assert worker.wait(10) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
        redis.stop()


class CheckFault(Exception):
    """A fault inside the pixel check (a bug met on one person's photo, or the job's timeout)."""


class WorkerDeath(BaseException):
    """What kill -9 or the kernel's OOM killer does to a run: nothing after it runs."""


def test_a_check_that_fails_passes_the_photo_unchecked_once(
        partner, person_for, run_jobs, app, svc, clock, monkeypatch, caplog):
    """A fault in the check must not leave the photo pending (the person waiting for a verdict
    that never comes, the sweeper re-enqueueing it every minute): it passes, the fault is
    logged without the photo's data, and it is not checked again."""
    from kcheck import quality

    def faulty(*args, **kwargs):
        raise CheckFault("index 7 is out of bounds for axis 0")

    monkeypatch.setattr(quality, "checked_copy", faulty)
    _, person = at_photo_step(partner, person_for)
    person.upload("passport_page", make_photo("passport_page"))
    run_jobs()
    shown = person.call("GET", "/v1/session/photos/passport_page").get_json()["quality"]
    assert shown["status"] == "pass" and not shown.get("reasons")
    failed = [r for r in caplog.records if r.getMessage() == "photo check failed"]
    assert len(failed) == 1 and failed[0].exc_info[0] is CheckFault
    with svc.sessions() as session:
        photo = session.scalars(select(Photo)).one()
    assert photo.metrics["metrics"] == {"unchecked": True} and "/upload-" in photo.blob_key
    clock.advance(seconds=3600)
    with serving(svc):
        assert requeue_stuck_photos() == 0


def test_a_photo_whose_check_dies_every_time_passes_unchecked_after_three_runs(
        partner, person_for, app, svc, clock, monkeypatch):
    """Without a bound, a photo that kills its worker (memory, a native crash) would be
    re-enqueued every minute forever: the fourth run gives up and passes it unchecked."""
    from kcheck import quality
    from kcheck.workers.quality_job import check_photo

    runs = []

    def dies(*args, **kwargs):
        runs.append(1)
        raise WorkerDeath

    monkeypatch.setattr(quality, "checked_copy", dies)
    _, person = at_photo_step(partner, person_for)
    person.upload("passport_page", make_photo("passport_page"))
    with svc.sessions() as session:
        photo_id = session.scalar(select(Photo.id))
    with serving(svc):
        for _ in range(3):  # the run queued at upload, then two re-enqueues'
            with pytest.raises(WorkerDeath):
                check_photo(photo_id)
            assert person.call("GET", "/v1/session/photos/passport_page").get_json()[
                "quality"]["status"] == "pending"
            clock.advance(seconds=61)
            assert requeue_stuck_photos() == 1
        clock.advance(seconds=61)  # that run's job lost too (Redis restarted): queued again
        assert requeue_stuck_photos() == 1
        assert check_photo(photo_id) == "pass"
        clock.advance(seconds=3600)
        assert requeue_stuck_photos() == 0
    assert len(runs) == 3


def test_a_photo_waiting_in_a_long_queue_is_still_checked(
        partner, person_for, run_jobs, app, svc, clock):
    """A burst of uploads can keep a photo queued for minutes, and the sweeper enqueues it
    again meanwhile: runs that never began do not count towards giving up its check."""
    _, person = at_photo_step(partner, person_for)
    person.upload("passport_page", make_photo("passport_page"))
    with serving(svc):
        for _ in range(5):
            clock.advance(seconds=61)
            assert requeue_stuck_photos() == 1
    run_jobs()
    with svc.sessions() as session:
        photo = session.scalars(select(Photo)).one()
    assert photo.status == "pass" and "unchecked" not in photo.metrics["metrics"]
    assert photo.preview_key is not None
    assert person.call("GET", "/v1/session/photos/passport_page").get_json()[
        "quality"]["status"] == "pass"


class StorageDownAfterTheVerdict:
    """The real blob store, refusing to store the stored copy or the preview (`refused`: as S3
    going away, or the worker killed, right after the verdict)."""

    def __init__(self, storage, refused: str = "/photo-"):
        self.storage = storage
        self.refused = refused

    def put(self, key, data):
        if self.refused in key:
            raise OSError("storage unavailable")
        return self.storage.put(key, data)

    def __getattr__(self, name):
        return getattr(self.storage, name)


@pytest.mark.parametrize("refused", ["/photo-", "/preview-"])
def test_a_check_cut_off_after_its_verdict_is_finished_by_the_sweeper(
        partner, person_for, run_jobs, app, svc, clock, refused):
    """The person has the verdict; the reviewer still gets the upright copy and the preview,
    and neither the full-size upload nor a half-stored copy stays behind."""
    import dataclasses

    from rq import SimpleWorker

    from kcheck.adapters.queue import QUEUES, redis_from_url
    from kcheck.workers.quality_job import check_photo

    at_photo_step(partner, person_for)[1].upload(
        "passport_page", make_photo("passport_page", long_side=4000))
    with svc.sessions() as session:
        photo_id = session.scalar(select(Photo.id))
    failing = dataclasses.replace(svc, storage=StorageDownAfterTheVerdict(svc.storage, refused))
    with serving(failing):  # the queued check runs and fails after storing its verdict
        SimpleWorker(list(QUEUES), connection=redis_from_url(svc.settings.redis_url)).work(
            burst=True)
    with svc.sessions() as session:
        photo = session.get(Photo, photo_id)
    assert photo.status == "pass" and photo.preview_key is None and "/upload-" in photo.blob_key
    assert [k for k in svc.storage.list_keys() if "/photo-" in k or "/preview-" in k] == []
    with serving(svc):
        assert requeue_stuck_photos() == 0  # a worker may still be storing it
        clock.advance(seconds=121)
        assert requeue_stuck_photos() == 1
    run_jobs()
    with svc.sessions() as session:
        photo = session.get(Photo, photo_id)
    assert photo.status == "pass" and photo.preview_key is not None
    assert "/photo-" in photo.blob_key and max(photo.width, photo.height) < 4000
    keys = svc.storage.list_keys()
    assert not [k for k in keys if "/upload-" in k]
    with serving(svc):
        assert requeue_stuck_photos() == 0 and check_photo(photo_id) == "skipped"


def test_a_suspended_worker_checks_nothing_until_resumed(partner, person_for, svc, settings):
    """`rq suspend` holds a real worker (photos stay pending); once resumed it checks what
    queued meanwhile, and a stop request still stops it while suspended."""
    import redis as redis_client
    from rq import Worker
    from rq.suspension import resume, suspend

    connection = redis_client.Redis.from_url(settings.redis_url)

    def until(condition) -> None:
        deadline = time.monotonic() + 60
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)

    def states() -> list[str]:
        return [w.get_state() for w in Worker.all(connection=connection)]

    def verdicts() -> list[str]:
        with svc.sessions() as session:
            return sorted(session.scalars(select(Photo.status)))

    suspend(connection)
    for seed in range(2):
        at_photo_step(partner, person_for)[1].upload("passport_page",
                                                     make_photo("passport_page", seed=seed))
    worker = worker_process(settings, "quality")
    try:
        until(lambda: states() == ["suspended"])
        assert states() == ["suspended"]
        assert verdicts() == ["pending", "pending"]
        resume(connection)
        until(lambda: verdicts() == ["pass", "pass"])
        assert verdicts() == ["pass", "pass"]
        suspend(connection)
        until(lambda: states() == ["suspended"])
        worker.terminate()
        assert worker.wait(30) == 0
    finally:
        resume(connection)
        if worker.poll() is None:
            worker.kill()

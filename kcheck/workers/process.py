"""The worker and scheduler processes (Procfile `worker:` and `scheduler:`)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.suspension import is_suspended
from rq.worker import WorkerStatus

from kcheck.adapters.queue import QUEUES, redis_from_url
from kcheck.job_specs import CHECK_PHOTO
from kcheck.services import Services
from kcheck.settings import Settings
from kcheck.workers.runtime import serving

log = logging.getLogger(__name__)
RESUMED_POLL_S = 0.1


class KcheckWorker(SimpleWorker):
    """Runs jobs in the worker process itself (no fork per job: the image libraries stay warm
    and a verdict comes back sooner). One process per core; SIGTERM finishes the current job
    (RQ's warm shutdown) and a second SIGTERM stops at once. A process killed mid-job loses
    the job: the sweepers enqueue its work again."""

    def check_for_suspension(self, burst: bool) -> None:
        """As RQ's, but a suspended worker looks ten times a second (RQ: once) whether it was
        resumed: a queue that filled while the workers were suspended waited up to a second
        for each of them."""
        if burst:  # RQ's: a suspended burst worker stops
            super().check_for_suspension(burst)
            return
        before = None
        while not self._stop_requested and is_suspended(self.connection, self):
            if before is None:
                self.log.info("Worker %s: suspended, run `rq resume` to resume", self.name)
                before = self.get_state()
                self.set_state(WorkerStatus.SUSPENDED)
            time.sleep(RESUMED_POLL_S)
        if before is not None:
            self.set_state(before)


def run_worker(svc: Services, queues: list[str] | None = None, burst: bool = False) -> None:
    """Work the queues with `svc` as every job's services (no web app in this process)."""
    import cv2

    cv2.setNumThreads(1)  # one worker per core scales better than threads inside one check
    if queues is None or CHECK_PHOTO.queue in queues:
        # Importing the checks and loading their models cost about 2 s of CPU: paid
        # here, not by the first person whose photo this worker checks.
        from kcheck import quality

        quality.warm_up()
    # Between two RQ workers (after one gave up) a stop request is this loop's: RQ's handlers
    # belong to the worker that ended (one that lost Redis mid-job stays "busy" and would only
    # note the request, and the next worker would run on).
    stop = threading.Event()
    with serving(svc):
        while True:
            worker = KcheckWorker(queues or list(QUEUES),
                                  connection=redis_from_url(svc.settings.redis_url))
            if stop.is_set():
                return
            try:
                worker.work(burst=burst, with_scheduler=True,
                            logging_level=svc.settings.log_level)
            except RedisError as exc:  # raised while tearing down without Redis
                log.warning("worker lost Redis (%s)", type(exc).__name__)
            if burst:
                return
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda signum, frame: stop.set())
            if worker._shutdown_requested_date is not None:  # SIGTERM/SIGINT while it worked
                return
            # RQ's worker gives up when Redis goes away (a restart, a failover): start a new
            # one rather than leave the queue without workers. Lost jobs are the sweepers'.
            log.warning("worker stopped without a stop request; a new one starts in 5 s")
            if stop.wait(5):
                return


@dataclass(frozen=True)
class Periodic:
    """A periodic job, declared as data with a stable name."""

    name: str
    func: str
    interval_s: int
    queue: str = "maintenance"


PERIODIC = (
    Periodic("requeue-stuck-photos", "kcheck.workers.sweepers.requeue_stuck_photos", 30),
    Periodic("dispatch-webhooks", "kcheck.workers.webhooks.dispatch_due_webhooks", 15),
    Periodic("expire-cases", "kcheck.workers.expiry.expire_cases", 60),
    Periodic("purge-due-cases", "kcheck.workers.purge.purge_due_cases", 60),
    Periodic("analyse-submitted-cases", "kcheck.workers.docintel_job.enqueue_due_analyses", 20),
    Periodic("forget-ended-staff-sessions", "kcheck.workers.sweepers.forget_ended_staff_sessions", 3600),
)


def register_periodic(scheduler, periodic=PERIODIC) -> None:
    from importlib import import_module

    for item in periodic:
        module, _, name = item.func.rpartition(".")
        scheduler.register(getattr(import_module(module), name), queue_name=item.queue,
                           interval=item.interval_s, job_timeout=300, result_ttl=0,
                           ttl=item.interval_s * 2, failure_ttl=24 * 3600, name=item.name)


def run_scheduler(settings: Settings) -> None:
    """Enqueue the periodic jobs; survives Redis outages by reconnecting."""
    from rq.cron import CronScheduler

    while True:
        redis = redis_from_url(settings.redis_url)
        scheduler = CronScheduler(connection=redis, logging_level=settings.log_level)
        register_periodic(scheduler)
        try:
            scheduler.start()
            return  # stopped by a signal
        except RedisError as exc:
            log.warning("scheduler lost Redis (%s); retrying in 5 s", type(exc).__name__)
            time.sleep(5)

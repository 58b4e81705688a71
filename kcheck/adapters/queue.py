"""Job queue port on RQ. Jobs take ids only, and no job record outlives 24 hours in Redis."""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

QUEUES = ("quality", "webhooks", "maintenance")
DAY = 24 * 3600


class QueueUnavailable(Exception):
    """Redis could not take the job."""


@dataclass(frozen=True)
class JobSpec:
    """How one kind of job is run: its queue and time limits."""

    queue: str
    timeout: int = 60
    result_ttl: int = 60
    failure_ttl: int = DAY


class RqJobQueue:
    def __init__(self, redis: Redis):
        self.redis = redis

    @classmethod
    def from_url(cls, url: str) -> RqJobQueue:
        return cls(redis_from_url(url))

    def enqueue(self, func: str, *ids: str, spec: JobSpec, job_id: str | None = None,
                delay_s: float = 0) -> None:
        from datetime import timedelta

        from rq import Queue

        for arg in ids:
            if not isinstance(arg, str) or len(arg) > 64:
                raise TypeError("jobs take ids only")
        queue = Queue(spec.queue, connection=self.redis)
        options = dict(job_timeout=spec.timeout, result_ttl=spec.result_ttl,
                       failure_ttl=spec.failure_ttl, ttl=DAY, job_id=job_id)
        try:
            if delay_s > 0:
                queue.enqueue_in(timedelta(seconds=delay_s), func, *ids, **options)
            else:
                queue.enqueue(func, *ids, **options)
        except RedisError as exc:
            raise QueueUnavailable(type(exc).__name__) from exc

    def enqueue_each(self, func: str, ids, spec: JobSpec, after=None) -> int:
        """One job per id, for the periodic sweepers: stops at the first Redis failure (the
        next tick tries again); `after(id)` runs once each job is queued. Returns how many."""
        count = 0
        for item in ids:
            try:
                self.enqueue(func, item, spec=spec)
            except QueueUnavailable:
                break
            if after is not None:
                after(item)
            count += 1
        return count

    def ping(self) -> None:
        try:
            self.redis.ping()
        except RedisError as exc:
            raise QueueUnavailable(type(exc).__name__) from exc


def redis_from_url(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5,
                          health_check_interval=30)

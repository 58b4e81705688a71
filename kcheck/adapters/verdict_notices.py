"""Word that a photo's verdict is stored, from the worker to the web processes holding a
person's request for it (`GET /v1/session/photos/<slot>?wait=N`), over Redis pub/sub.

A notice carries the photo's id only. A lost notice (Redis restarting, a web process
reconnecting) costs a later answer, never a wrong one: a woken request re-reads the database,
and every wait is bounded."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
CHANNEL = "kcheck:photo-verdicts"
RECONNECT_S = 1.0


def announce_verdict(redis: Redis, photo_id: str) -> None:
    """Wake whoever waits for this photo's verdict (already stored). Best effort: if Redis is
    down, the waiting request answers at the end of its bounded wait."""
    try:
        redis.publish(CHANNEL, photo_id)
    except RedisError as exc:
        log.warning("verdict notice not sent: %s", type(exc).__name__, extra={"photo": photo_id})


class VerdictWaiters:
    """The requests of one web process that wait for verdicts, woken by one subscriber thread.

    At most `capacity` requests wait at once, so waiting never takes all of the process's
    threads from uploads and other requests; beyond that a request is answered at once."""

    def __init__(self, redis: Redis, capacity: int):
        self.redis = redis
        self.capacity = capacity
        self._slots = threading.BoundedSemaphore(max(capacity, 1))
        self._lock = threading.Lock()
        self._waiting: dict[str, set[threading.Event]] = {}
        self._subscribed = threading.Event()
        self._pid: int | None = None  # the process whose thread listens (gunicorn forks)

    @contextmanager
    def waiting(self, photo_id: str) -> Iterator[threading.Event | None]:
        """An event set whenever the verdict of `photo_id` may have been stored (clear it before
        each read of the database); None when this process cannot hold a request now (every
        waiting slot taken, or Redis unreachable): answer at once."""
        if self.capacity < 1 or not self._slots.acquire(blocking=False):
            yield None
            return
        try:
            if not self._listening():
                yield None
                return
            event = threading.Event()
            with self._lock:
                self._waiting.setdefault(photo_id, set()).add(event)
            try:
                yield event
            finally:
                with self._lock:
                    events = self._waiting.get(photo_id, set())
                    events.discard(event)
                    if not events:
                        self._waiting.pop(photo_id, None)
        finally:
            self._slots.release()

    def _listening(self) -> bool:
        """Start this process's subscriber on first use (after gunicorn's fork), and say whether
        it is subscribed. Only the first caller waits (a moment) for the subscription."""
        with self._lock:
            first = self._pid != os.getpid()
            if first:
                self._pid = os.getpid()
                self._subscribed.clear()
                threading.Thread(target=self._listen, name="verdict-notices",
                                 daemon=True).start()
        if first:
            self._subscribed.wait(2)
        return self._subscribed.is_set()

    def _listen(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                pubsub.subscribe(CHANNEL)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._subscribed.set()
                        # Notices sent while this process was not subscribed are lost:
                        # everyone waiting re-reads the database.
                        self._wake_all()
                    elif message["type"] == "message":
                        self._wake(message["data"].decode("ascii", "replace"))
            except (RedisError, OSError) as exc:
                log.warning("verdict notices interrupted: %s", type(exc).__name__)
            finally:
                self._subscribed.clear()
                with suppress(RedisError, OSError):
                    pubsub.close()
            self._wake_all()  # they answer what the database says, or wait out their bound
            with self._lock:
                if not self._waiting:  # nobody waits: the next wait starts a new listener
                    self._pid = None
                    return
            time.sleep(RECONNECT_S)

    def _wake(self, photo_id: str) -> None:
        with self._lock:
            events = list(self._waiting.get(photo_id, ()))
        for event in events:
            event.set()

    def _wake_all(self) -> None:
        with self._lock:
            events = [event for events in self._waiting.values() for event in events]
        for event in events:
            event.set()

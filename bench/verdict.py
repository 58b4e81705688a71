"""Time to verdict: from the end of an upload to pass/retake visible on
GET /v1/session/photos/{slot}; p95 over 40 uploads from 10 concurrent clients, with 2 worker
processes and gunicorn (2 workers) on this machine. Goal: p95 under 1 second.

In the same run, the floor: the same clients polling an upload whose verdict is already
stored (the cost of the poll itself).

    .venv/bin/python bench/verdict.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.documents import make_photo  # noqa: E402
from tests.live import LiveSystem, person_at_photo_step  # noqa: E402
from tests.servers import redis_server  # noqa: E402

CLIENTS = 10
UPLOADS = 40
WAIT_S = 20  # as verify.js: the API holds the request until the verdict is stored


def upload_and_wait(base: str, auth: str, data: bytes) -> float:
    headers = {"Authorization": auth}
    response = requests.put(f"{base}/v1/session/photos/passport_page", data=data, timeout=60,
                            headers={**headers, "Content-Type": "image/jpeg"})
    assert response.status_code == 202, response.text[:200]
    uploaded = time.perf_counter()
    while True:
        asked = time.perf_counter()
        quality = requests.get(f"{base}/v1/session/photos/passport_page?wait={WAIT_S}",
                               headers=headers, timeout=60).json()["quality"]
        if quality["status"] != "pending":
            return time.perf_counter() - uploaded
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - asked)))


def main() -> None:
    photos = [make_photo("passport_page", seed=s, long_side=4000) for s in range(4)]
    print(f"{UPLOADS} uploads of 12 MP JPEGs (~{len(photos[0]) / 1e6:.1f} MB), {CLIENTS} clients,"
          " 2 worker processes")
    with redis_server() as redis, tempfile.TemporaryDirectory() as tmp:
        live = LiveSystem(Path(tmp) / "live", redis.url, worker_processes=2,
                          extra_env={"RATE_LIMITS_ENABLED": "false", "LOG_LEVEL": "WARNING"})
        live.start()
        try:
            key = live.api_key()
            auths = [person_at_photo_step(live.url, key, live.root / "outbox.jsonl", i)
                     for i in range(CLIENTS)]
            upload_and_wait(live.url, auths[0], photos[0])  # warm the workers
            jobs = [(auths[i % CLIENTS], photos[i % len(photos)]) for i in range(UPLOADS)]
            with ThreadPoolExecutor(CLIENTS) as pool:
                latencies = list(pool.map(lambda job: upload_and_wait(live.url, *job), jobs))
        finally:
            live.stop()
    latencies.sort()
    p95 = latencies[int(0.95 * len(latencies)) - 1]
    print(f"time to verdict: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (goal: p95 < 1000 ms)")


if __name__ == "__main__":
    main()

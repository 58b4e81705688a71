"""Photo uploads per second through the intake API, against bare endpoints in the same run.

kcheck: `kcheck serve` (gunicorn, 2 workers of 4 + 32 threads) on loopback, S3 (moto's server) and
Redis real, SQLite. Baselines: a bare Flask endpoint served with the same gunicorn settings
(`kcheck.cli.run_gunicorn`) that stores the body in the same S3 bucket through kcheck's own
storage adapter ("bare -> S3", the goal's baseline: the storage I/O kcheck must do too); the
same plus the metadata removal ("bare + strip -> S3", the one step kcheck cannot skip; lossless,
no decode), to show what the rest of the pipeline costs (encryption, database, queue); and the
body written to a local folder ("bare -> disk", the baseline before 2026-12: it left moto's CPU
on kcheck's side of the measure only). The pixel work (the downscaled stored copy) is the
quality worker's. 8 concurrent clients upload ~3 MB JPEGs. Quality workers are not running
during the measure (checks are only queued), so every side gets the same two cores.
CPU per upload is counted per process (/proc): the web server's and moto's, which in production
is the S3 service's, not the web host's. Both servers run for the whole measure and the sides
take turns, round after round, so a change in a shared machine's load weighs on each alike.

    .venv/bin/python bench/intake.py [--uploads-per-client 6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._procs import cpu_s, with_children  # noqa: E402
from kcheck.settings import Settings  # noqa: E402
from tests.live import LiveSystem, person_at_photo_step  # noqa: E402
from tests.servers import free_port, redis_server, s3_server, wait_for_port  # noqa: E402

CLIENTS = 8
# `kcheck serve`'s defaults: 4 working threads a process, one more per verdict waiter.
WEB_WORKERS, WEB_THREADS = 2, 4 + Settings.verdict_waiters


def photo_3mb() -> bytes:
    """A 12-megapixel phone-like JPEG of about 3 MB."""
    import io

    from PIL import Image

    from tests.fixtures.documents import make_photo

    image = Image.open(io.BytesIO(make_photo("id_front", seed=1, long_side=4000)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=96)
    return out.getvalue()


@dataclass
class Target:
    """One side of the measure: where its clients upload and which processes serve it."""

    url: str
    auths: list[str]
    processes: dict[str, list[int]]  # role -> pids (children included): its CPU is counted
    uploads: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.uploads / self.elapsed

    def cpu_ms(self, role: str) -> float:
        """CPU milliseconds per upload of one role."""
        return 1000 * self.cpu_s.get(role, 0.0) / self.uploads


def hammer(target: Target, data: bytes, per_client: int, pool: ThreadPoolExecutor,
           counted: bool = True) -> None:
    """`per_client` uploads from each of CLIENTS clients at once, added to `target`'s totals."""
    def client(auth: str) -> list[float]:
        latencies = []
        with requests.Session() as http:
            for _ in range(per_client):
                started = time.perf_counter()
                response = http.put(target.url, data=data, timeout=60, headers={
                    "Authorization": auth, "Content-Type": "image/jpeg"})
                assert response.status_code == 202, response.text[:200]
                latencies.append(time.perf_counter() - started)
        return latencies

    def cpu() -> dict[str, float]:
        return {role: sum(cpu_s(p) for pid in pids for p in with_children(pid))
                for role, pids in target.processes.items()}

    before, started = cpu(), time.perf_counter()
    results = list(pool.map(client, target.auths))
    elapsed, after = time.perf_counter() - started, cpu()
    if counted:
        target.uploads += CLIENTS * per_client
        target.elapsed += elapsed
        target.latencies += [x for r in results for x in r]
        for role in after:
            target.cpu_s[role] = target.cpu_s.get(role, 0.0) + after[role] - before[role]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads-per-client", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = photo_3mb()
    rounds = max(1, min(args.rounds, args.uploads_per_client))
    per_round = max(1, args.uploads_per_client // rounds)
    print(f"photo: {len(data) / 1e6:.1f} MB JPEG, {CLIENTS} clients x {per_round * rounds} uploads"
          f" on each side, in {rounds} rounds taking turns")
    with redis_server() as redis, s3_server() as s3, tempfile.TemporaryDirectory() as tmp:
        live = LiveSystem(Path(tmp) / "live", redis.url, worker_processes=0,
                          web_workers=WEB_WORKERS, extra_env={
            "STORAGE_BACKEND": "s3", "S3_BUCKET": "bench", "S3_ENDPOINT_URL": s3.endpoint,
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "RATE_LIMITS_ENABLED": "false", "LOG_LEVEL": "WARNING"})
        live.root.mkdir(parents=True)
        live.kcheck("migrate")
        live.kcheck("storage", "init")
        live.start()
        port = free_port()
        bare = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "_bare_app.py"), f"127.0.0.1:{port}",
             str(WEB_WORKERS), str(WEB_THREADS)],
            env={**live.env, "BARE_FOLDER": str(Path(tmp) / "bare")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own CPU share, as kcheck's server has (tests/live.py)
        try:
            wait_for_port(port)
            key = live.api_key()
            auths = [person_at_photo_step(live.url, key, live.root / "outbox.jsonl", i)
                     for i in range(CLIENTS)]
            ours = {"web": [live.webs[live.port].pid], "S3": [s3.proc.pid]}
            theirs = {"web": [bare.pid], "S3": [s3.proc.pid]}
            bare_url = f"http://127.0.0.1:{port}"
            targets = {
                "kcheck intake": Target(f"{live.url}/v1/session/photos/passport_page", auths,
                                        ours),
                "bare -> S3": Target(f"{bare_url}/upload-s3", ["-"] * CLIENTS, theirs),
                "bare + strip -> S3": Target(f"{bare_url}/upload-stripped-s3", ["-"] * CLIENTS,
                                             theirs),
                "bare -> disk": Target(f"{bare_url}/upload", ["-"] * CLIENTS, theirs),
            }
            # Every side takes its turn in each round, so a change in the machine's load (it
            # is shared) weighs on all of them alike.
            with ThreadPoolExecutor(CLIENTS) as pool:
                for target in targets.values():
                    hammer(target, data, 1, pool, counted=False)  # warm up
                for _ in range(rounds):
                    for target in targets.values():
                        hammer(target, data, per_round, pool)
        finally:
            bare.terminate()
            bare.wait()
            live.stop()
    print(f"{'':20} uploads/s  median ms   CPU ms per upload: web    S3 (moto)")
    for name, t in targets.items():
        print(f"{name:20} {t.rate:9.2f}  {statistics.median(t.latencies) * 1000:9.0f}"
              f"   {t.cpu_ms('web'):24.1f}  {t.cpu_ms('S3'):11.1f}")
    rate = targets["kcheck intake"].rate
    print(f"ratio kcheck / (bare -> S3): {rate / targets['bare -> S3'].rate:.2f}  (goal >= 0.5;"
          " the same storage I/O on both sides)")
    print(f"ratio kcheck / (bare + strip -> S3): {rate / targets['bare + strip -> S3'].rate:.2f}"
          "  (what kcheck adds on top of storing and the metadata removal: encryption,"
          " database, queue)")
    print(f"ratio kcheck / (bare -> disk): {rate / targets['bare -> disk'].rate:.2f}  (the former"
          " baseline: moto's CPU counted on kcheck's side only)")


if __name__ == "__main__":
    main()

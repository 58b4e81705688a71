"""Photo uploads per second through the intake API, against a bare endpoint in the same run.

kcheck: gunicorn with 2 workers (4 threads each, as `kcheck serve`) on loopback, S3 (moto's
server) and Redis real, SQLite. Baseline: gunicorn with the same settings serving a bare Flask
endpoint that writes the body to disk; and a second one that also removes the photo's metadata
(the one step kcheck cannot skip; lossless, no decode), to show what the rest of the pipeline
costs. The pixel work (the downscaled stored copy) is the quality worker's.
8 concurrent clients upload ~3 MB JPEGs. Quality workers are not running during the measure
(checks are only queued), so both sides get the same two cores.

    .venv/bin/python bench/intake.py [--uploads-per-client 6]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import LiveSystem  # noqa: E402
from tests.servers import free_port, redis_server, s3_server, wait_for_port  # noqa: E402

CLIENTS = 8


def photo_3mb() -> bytes:
    """A 12-megapixel phone-like JPEG of about 3 MB."""
    import io

    from PIL import Image

    from tests.fixtures.documents import make_photo

    image = Image.open(io.BytesIO(make_photo("id_front", seed=1, long_side=4000)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=96)
    return out.getvalue()


def person_at_photo_step(base: str, key: str, outbox: Path, index: int = 0) -> str:
    case = requests.post(f"{base}/v1/cases", json={"reason": "other", "subject_ref": "bench"},
                         headers={"Authorization": f"Bearer {key}"}, timeout=10).json()
    token = case["verification_url"].split("#", 1)[1]
    session = requests.post(f"{base}/v1/sessions", json={"token": token}, timeout=10).json()
    headers = {"Authorization": f"Bearer {session['session_token']}"}
    requests.post(f"{base}/v1/session/phone", json={"phone_number": f"+4179123{index:04d}"},
                  headers=headers, timeout=10).raise_for_status()
    code = re.findall(r"\b(\d{6})\b", outbox.read_text())[-1]
    requests.post(f"{base}/v1/session/phone/verify", json={"code": code}, headers=headers,
                  timeout=10).raise_for_status()
    requests.post(f"{base}/v1/session/location", headers=headers, timeout=10, json={
        "latitude": 46.52, "longitude": 6.63, "accuracy_m": 10,
        "captured_at": datetime.now(UTC).isoformat()}).raise_for_status()
    requests.put(f"{base}/v1/session/document-type", json={"type": "passport"}, headers=headers,
                 timeout=10).raise_for_status()
    return headers["Authorization"]


def hammer(url: str, auths: list[str], data: bytes, per_client: int) -> tuple[float, list[float]]:
    def client(auth: str) -> list[float]:
        latencies = []
        with requests.Session() as http:
            for _ in range(per_client):
                started = time.perf_counter()
                response = http.put(url, data=data, timeout=60, headers={
                    "Authorization": auth, "Content-Type": "image/jpeg"})
                assert response.status_code == 202, response.text[:200]
                latencies.append(time.perf_counter() - started)
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, auths))
    elapsed = time.perf_counter() - started
    return CLIENTS * per_client / elapsed, [x for r in results for x in r]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads-per-client", type=int, default=6)
    args = parser.parse_args()
    data = photo_3mb()
    print(f"photo: {len(data) / 1e6:.1f} MB JPEG, {CLIENTS} clients x {args.uploads_per_client}")
    with redis_server() as redis, s3_server() as s3, tempfile.TemporaryDirectory() as tmp:
        live = LiveSystem(Path(tmp) / "live", redis.url, worker_processes=0, extra_env={
            "STORAGE_BACKEND": "s3", "S3_BUCKET": "bench", "S3_ENDPOINT_URL": s3.endpoint,
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "RATE_LIMITS_ENABLED": "false", "LOG_LEVEL": "WARNING"})
        live.root.mkdir(parents=True)
        live.kcheck("migrate")
        live.kcheck("storage", "init")
        live.start()
        try:
            key = live.api_key()
            auths = [person_at_photo_step(live.url, key, live.root / "outbox.jsonl", i)
                     for i in range(CLIENTS)]
            hammer(f"{live.url}/v1/session/photos/passport_page", auths, data, 1)  # warm up
            ours, ours_lat = hammer(f"{live.url}/v1/session/photos/passport_page", auths, data,
                                    args.uploads_per_client)
        finally:
            live.stop()
        port = free_port()
        bare = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
             "--chdir", str(Path(__file__).parent), "_bare_app:app"],
            env={"BARE_FOLDER": str(Path(tmp) / "bare"), "PATH": "/usr/bin:/bin",
                 "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own CPU share, as kcheck's server has (tests/live.py)
        try:
            wait_for_port(port)
            url = f"http://127.0.0.1:{port}/upload"
            hammer(url, ["-"] * CLIENTS, data, 1)
            base, base_lat = hammer(url, ["-"] * CLIENTS, data, args.uploads_per_client)
            url = f"http://127.0.0.1:{port}/upload-stripped"
            hammer(url, ["-"] * CLIENTS, data, 1)
            floor, floor_lat = hammer(url, ["-"] * CLIENTS, data, args.uploads_per_client)
        finally:
            bare.terminate()
            bare.wait()
    print(f"kcheck intake : {ours:6.2f} uploads/s  (median {statistics.median(ours_lat)*1000:.0f} ms)")
    print(f"bare endpoint : {base:6.2f} uploads/s  (median {statistics.median(base_lat)*1000:.0f} ms)")
    print(f"bare + strip  : {floor:6.2f} uploads/s  (median {statistics.median(floor_lat)*1000:.0f} ms)")
    print(f"ratio kcheck/bare: {ours / base:.2f}  (goal >= 0.5)")
    print(f"ratio kcheck/(bare + strip): {ours / floor:.2f}  (what kcheck adds on top of the"
          " metadata removal: encryption, S3, database, queue)")


if __name__ == "__main__":
    main()

"""A live kcheck system in real processes (gunicorn web servers, RQ workers, the scheduler) for
browser tests, benchmarks and scripted clients."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.servers import free_port


@dataclass
class LiveSystem:
    root: Path
    redis_url: str
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    web_workers: int = 2
    worker_processes: int = 1
    web_servers: int = 1  # each its own gunicorn on its own port, as separate web hosts
    scheduler: bool = False
    port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen] = field(default_factory=list)
    webs: dict[int, subprocess.Popen] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.webs] or [self.url]

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KCHECK_", "S3_"))}
        env.update({
            "KCHECK_ENV": "test",
            "DATABASE_URL": self.database_url or f"sqlite:///{self.root / 'kcheck.db'}",
            "REDIS_URL": self.redis_url,
            "STORAGE_PATH": str(self.root / "blobs"),
            "SMS_OUTBOX_PATH": str(self.root / "outbox.jsonl"),
            "PUBLIC_URL": self.url,
            "SECRET_KEY": getattr(self, "_secret", None) or self._new_secrets(),
            "MASTER_KEY": self._master,
            "LOG_FORMAT": "json",
        })
        env.update(self.extra_env)
        return env

    def _new_secrets(self) -> str:
        self._secret = secrets.token_urlsafe(48)
        self._master = base64.b64encode(secrets.token_bytes(32)).decode()
        return self._secret

    def kcheck(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kcheck", *args], env=self.env,
                              capture_output=True, text=True, check=True, **kwargs)

    def start(self) -> LiveSystem:
        self.root.mkdir(parents=True, exist_ok=True)
        self.log = (self.root / "processes.log").open("ab")
        self.kcheck("migrate")
        for port in [self.port] + [free_port() for _ in range(self.web_servers - 1)]:
            self.start_web(port)
        for _ in range(self.worker_processes):
            self.start_worker()
        if self.scheduler:
            self._spawn("scheduler")
        for url in self.urls:
            self.wait_ready(url)
        return self

    def _spawn(self, *args: str) -> subprocess.Popen:
        # Each process in its own session, as separate services are: with the kernel's
        # autogroup scheduling, processes of one session share one CPU share, so a second
        # worker would otherwise get no more CPU than the first had alone.
        proc = subprocess.Popen([sys.executable, "-m", "kcheck", *args], env=self.env,
                                stdout=self.log, stderr=self.log, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start_web(self, port: int) -> subprocess.Popen:
        """(Re)start the web server of `port`."""
        self.webs[port] = self._spawn("serve", "--bind", f"127.0.0.1:{port}",
                                      "--workers", str(self.web_workers))
        return self.webs[port]

    def start_worker(self) -> subprocess.Popen:
        self.workers.append(self._spawn("worker"))
        return self.workers[-1]

    def wait_ready(self, url: str | None = None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen((url or self.url) + "/readyz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("live system not ready: see " + str(self.root / "processes.log"))

    def api_key(self, name: str = "tests") -> str:
        return self.kcheck("apikey", "create", "--name", name).stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        self.webs.clear()
        self.workers.clear()


def worker_process(settings, *queues: str) -> subprocess.Popen:
    """A real `kcheck worker QUEUES...` process on a test's database, Redis and blobs."""
    env = {**os.environ, "KCHECK_ENV": "test", "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "STORAGE_PATH": str(settings.storage_path),
           "SECRET_KEY": settings.secret_key}
    return subprocess.Popen([sys.executable, "-m", "kcheck", "worker", *queues], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def person_at_photo_step(base: str, key: str, outbox: Path, index: int = 0) -> str:
    """A person of a new passport case, over HTTP, up to the photos; returns their
    Authorization header."""
    import requests

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

"""A live kcheck system in real processes (gunicorn web + RQ worker) for browser tests,
benchmarks and scripted clients."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
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
    port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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
        env = self.env
        self.kcheck("migrate")
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "kcheck", "serve", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.web_workers)], env=env, stdout=self.log, stderr=self.log))
        for _ in range(self.worker_processes):
            self.start_worker()
        self.wait_ready()
        return self

    def start_worker(self) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "kcheck", "worker"], env=self.env,
                                stdout=self.log, stderr=self.log)
        self.procs.append(proc)
        return proc

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as r:  # noqa: S310
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

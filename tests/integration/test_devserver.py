"""`make run` (`kcheck dev`) as an operator sees it: a quiet console with the banner last, process
logs in var/log/, a dead process started again, and Ctrl-C that stops everything cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.servers import free_port

BANNER_END = "Ctrl-C stops every process started here."
START_TIMEOUT = 180


def _children(root: int) -> dict[int, str]:
    """Every live descendant of `root`, with its command line (read from /proc)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = commands.get(pid, "")
                frontier.append(pid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Console:
    """The terminal of `make run`: every line it printed, readable while it runs."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def read(self, timeout: float, until: str | None = None) -> bool:
        """Collect lines for up to `timeout` seconds, until a line holds `until` or the
        process closes its output; True when `until` was seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if until is not None and any(until in line for line in self.lines):
                return True
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
        return until is not None and any(until in line for line in self.lines)

    def wait_for(self, text: str, timeout: float) -> None:
        assert self.read(timeout, until=text), (
            f"{text!r} not printed; console:\n" + "\n".join(self.lines))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def make_run(tmp_path):
    """`python -m kcheck dev` in a fresh directory (its own var/) on a free port."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KCHECK_", "S3_")) and k not in (
               "DATABASE_URL", "REDIS_URL", "STORAGE_PATH", "SMS_OUTBOX_PATH", "PUBLIC_URL",
               "SECRET_KEY", "MASTER_KEY")}
    env.update({"PORT": str(free_port()), "PYTHONUNBUFFERED": "1"})
    proc = subprocess.Popen([sys.executable, "-m", "kcheck", "dev"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)
    seen: dict[int, str] = {}
    yield proc, Console(proc), seen, tmp_path
    # Even after a failed assertion: stop it as an operator would, and leave nothing behind
    # (its children live in their own sessions, so they are listed before it goes).
    if proc.poll() is None:
        seen.update(_children(proc.pid))
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid in seen:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _by_command(children: dict[int, str], marker: str, parent: int) -> list[int]:
    """The supervised processes (direct children of `make run`) running `marker`; RQ's
    work-horses and gunicorn's workers share their parents' command lines."""
    def ppid(pid: int) -> int | None:
        try:
            return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return None
    return [pid for pid, cmd in children.items() if marker in cmd and ppid(pid) == parent]


def test_banner_last_logs_in_var_log_restart_on_death_and_a_clean_ctrl_c(make_run):
    proc, console, seen, root = make_run
    console.wait_for(BANNER_END, START_TIMEOUT)
    banner = console.text
    assert "kcheck is running on http://127.0.0.1:" in banner
    assert "var/dev-staff.txt" in banner and "admin@kcheck.local" in banner
    assert "var/log/" in banner
    # Quiet: RQ's and gunicorn's lines went to the logs, so the banner ends the console.
    console.read(timeout=3)
    assert [line for line in console.lines if line.strip()][-1] == BANNER_END, console.text
    assert len(console.lines) < 80
    assert "Traceback" not in banner and " INFO " not in banner and "Warning" not in banner
    for name in ("web", "worker", "scheduler", "redis"):
        assert (root / "var" / "log" / f"{name}.log").exists(), name
    assert (root / "var" / "log" / "worker.log").read_text().strip()  # RQ logs there

    children = _children(proc.pid)
    seen.update(children)
    workers = _by_command(children, "kcheck worker", proc.pid)
    assert len(workers) == 1, children
    os.kill(workers[0], signal.SIGKILL)  # a worker dies (out of memory, a bug…)
    console.wait_for("worker was killed by signal 9; restarted it", timeout=20)
    assert sum("restarted" in line for line in console.lines) == 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        again = _by_command(_children(proc.pid), "kcheck worker", proc.pid)
        if again and again != workers:
            break
        time.sleep(0.2)
    assert again and again != workers, "no new worker process"
    assert proc.poll() is None, "make run stopped instead of restarting the worker"
    children = _children(proc.pid)
    seen.update(children)
    assert _by_command(children, "kcheck serve", proc.pid)
    assert _by_command(children, "redis-server", proc.pid)

    proc.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends to `make run`
    assert proc.wait(60) == 0
    console.read(timeout=5)
    tail = "\n".join(console.lines[len(banner.splitlines()):])
    assert "Traceback" not in tail and "Error" not in tail, tail
    assert sum("stopped" in line for line in console.lines) == 1, tail
    assert [line for line in console.lines if line.strip()][-1] == "kcheck stopped.", tail
    left = [f"{pid} {cmd}" for pid, cmd in seen.items() if _alive(pid)]
    assert not left, left
    # Stopping in order means the worker and scheduler never lost Redis under them.
    for name in ("worker", "scheduler"):
        log = (root / "var" / "log" / f"{name}.log").read_text()
        assert "ConnectionError" not in log and "Traceback" not in log, (name, log[-2000:])

"""Run the same action from several threads released at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(action: Callable[[], object], times: int = 2, timeout: float = 120) -> list:
    """Start `times` threads that call `action` together; return what each returned."""
    barrier = threading.Barrier(times)
    results: list = []

    def run() -> None:
        barrier.wait()
        results.append(action())

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results

"""The services a worker process's jobs use: built once per process from settings (or handed
over by whoever runs the jobs), never looked up in a web app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kcheck.services import Services
from kcheck.settings import Settings

_current: Services | None = None


def worker_services() -> Services:
    """This process's services; built from the environment's settings on first use."""
    global _current
    if _current is None:
        _current = Services.from_settings(Settings.load())
    return _current


@contextmanager
def serving(svc: Services) -> Iterator[Services]:
    """Run jobs with these services (a worker process for its life, a test for a block)."""
    global _current
    previous, _current = _current, svc
    try:
        yield svc
    finally:
        _current = previous

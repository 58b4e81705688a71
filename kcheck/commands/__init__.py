"""Groups of `kcheck` subcommands, each module registering its commands on the main group, and
what every command starts from: the settings, and the services built from them (no web app)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from kcheck.settings import Settings, SettingsError


def load_settings() -> Settings:
    try:
        return Settings.load()
    except SettingsError as exc:
        for problem in exc.problems:
            click.echo(f"kcheck: configuration error: {problem}", err=True)
        sys.exit(2)


def load_services(settings: Settings | None = None):
    """The database, storage, SMS and queue for a command; only `serve` builds the web app."""
    from kcheck.logs import configure_logging
    from kcheck.services import Services

    settings = settings or load_settings()
    configure_logging(settings.log_format, settings.log_level)
    return Services.from_settings(settings)


def report_per_file(files: tuple[str, ...], analyse: Callable[[bytes], dict]) -> None:
    """Print one JSON object per file (`path`, the analysis, `ms`) with single-threaded OpenCV,
    as in the workers; exit 1 if a file could not be read, whatever the results say."""
    import cv2

    cv2.setNumThreads(1)
    failed = False
    for path in files:
        started = time.perf_counter()
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            click.echo(json.dumps({"path": path, "error": exc.strerror or "unreadable"}))
            failed = True
            continue
        result = analyse(data)
        ms = round((time.perf_counter() - started) * 1000, 1)
        click.echo(json.dumps({"path": path, **result, "ms": ms}))
    sys.exit(1 if failed else 0)

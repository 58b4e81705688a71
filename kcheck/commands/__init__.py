"""Groups of `kcheck` subcommands, each module registering its commands on the main group."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click


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

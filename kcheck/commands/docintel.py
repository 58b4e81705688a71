"""`kcheck read-mrz`: read and validate the machine-readable zone of document photos."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click


@click.command("read-mrz")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the default).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def read_mrz(as_json: bool, files: tuple[str, ...]) -> None:
    """Find the MRZ (TD1, TD2, TD3) in each photo and check every check digit; prints one
    JSON object per file. Exit 1 if a file could not be read."""
    import cv2

    from kcheck.docintel import read_mrz as read

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
        reading = read(data).to_json()
        reading.pop("corrected", None)
        ms = round((time.perf_counter() - started) * 1000, 1)
        click.echo(json.dumps({"path": path, **reading, "ms": ms}))
    sys.exit(1 if failed else 0)

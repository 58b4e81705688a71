"""The baseline of bench/intake.py: bare Flask endpoints that only store the body.

`/upload` writes it to a local folder; `/upload-s3` puts it in the same S3 bucket as kcheck,
through kcheck's own storage adapter (`storage_from_settings`, same boto3 client settings);
`/upload-stripped-s3` also removes the photo's metadata first (the one step kcheck cannot skip).
Served by `kcheck.cli.run_gunicorn`, with kcheck's gunicorn settings:

    python bench/_bare_app.py HOST:PORT WORKERS THREADS   (environment: kcheck's settings)
"""

import os
import sys
import uuid
from pathlib import Path

from flask import Flask, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kcheck.adapters.storage import storage_from_settings  # noqa: E402
from kcheck.quality import sanitize_upload  # noqa: E402
from kcheck.settings import Settings  # noqa: E402

app = Flask(__name__)
FOLDER = os.environ.get("BARE_FOLDER", "/tmp/kcheck-bare")
storage = storage_from_settings(Settings.load())


@app.put("/upload")
def upload():
    os.makedirs(FOLDER, exist_ok=True)
    with open(os.path.join(FOLDER, uuid.uuid4().hex), "wb") as fh:
        fh.write(request.get_data())
    return {"ok": True}, 202


@app.put("/upload-s3")
def upload_s3():
    storage.put(f"bare/{uuid.uuid4().hex}", request.get_data())
    return {"ok": True}, 202


@app.put("/upload-stripped-s3")
def upload_stripped_s3():
    clean = sanitize_upload(request.get_data(), request.mimetype)
    storage.put(f"bare/{uuid.uuid4().hex}", clean.data)
    return {"ok": True}, 202


if __name__ == "__main__":
    from kcheck.cli import run_gunicorn

    bind, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    run_gunicorn(app, bind, workers, threads)

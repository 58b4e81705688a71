"""The baseline of bench/intake.py: a bare Flask endpoint that only writes the body to disk."""

import os
import uuid

from flask import Flask, request

app = Flask(__name__)
FOLDER = os.environ.get("BARE_FOLDER", "/tmp/kcheck-bare")


@app.put("/upload")
def upload():
    os.makedirs(FOLDER, exist_ok=True)
    with open(os.path.join(FOLDER, uuid.uuid4().hex), "wb") as fh:
        fh.write(request.get_data())
    return {"ok": True}, 202


@app.put("/upload-stripped")
def upload_stripped():
    """The bare endpoint plus the one step kcheck cannot skip: removing the metadata."""
    from kcheck.quality import sanitize_upload

    clean = sanitize_upload(request.get_data(), request.mimetype)
    os.makedirs(FOLDER, exist_ok=True)
    with open(os.path.join(FOLDER, uuid.uuid4().hex), "wb") as fh:
        fh.write(clean.data)
    return {"ok": True}, 202

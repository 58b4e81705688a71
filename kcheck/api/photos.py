"""Photo upload and quality status for the person's mobile client."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy import update

from kcheck.adapters.queue import QueueUnavailable
from kcheck.adapters.storage import BlobNotFound
from kcheck.adapters.verdict_notices import VerdictWaiters
from kcheck.api.intake import bp, mobile_session, read_state, session_case_id
from kcheck.api.present import person_locale, photo_view
from kcheck.domain import cases as domain
from kcheck.job_specs import CHECK_PHOTO, CHECK_PHOTO_FUNC
from kcheck.models import Case, Photo
from kcheck.problems import Problem
from kcheck.rate_limits import configured, limiter, mobile_session_key
from kcheck.services import services
from kcheck.settings import Settings
from kcheck.usecases import intake
from kcheck.vault import DataGone, upload_kind

log = logging.getLogger(__name__)
MAX_UPLOAD = domain.MAX_PHOTO_BYTES
MULTIPART_FRAMING = 64 * 1024  # what a multipart body adds around the photo
MAX_BODY = MAX_UPLOAD + MULTIPART_FRAMING  # the largest request body the app reads
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif", "image/webp")
WAITERS = "kcheck.verdict_waiters"


def init_app(app: Flask, settings: Settings) -> None:
    """The process's verdict waiters, woken over the queue's Redis; they start listening on the
    first wait (in each gunicorn worker, after the fork)."""
    app.extensions[WAITERS] = VerdictWaiters(app.extensions["kcheck"].queue.redis,
                                             settings.verdict_waiters)


def _read_upload() -> tuple[bytes, str]:
    """The image from a raw body or a multipart `photo` field, refused early when too big."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise Problem("too_large")
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        upload = request.files.get("photo")
        if upload is None:
            raise Problem("validation_failed", errors=[{"field": "photo", "message": "missing"}])
        data = upload.stream.read(MAX_UPLOAD + 1)
        declared = upload.mimetype
    elif mimetype in ALLOWED_TYPES:
        data = request.stream.read(MAX_UPLOAD + 1)
        declared = mimetype
    else:
        raise Problem("unsupported_format")
    if len(data) > MAX_UPLOAD:
        raise Problem("too_large")
    if not data:
        raise Problem("not_an_image")
    return data, declared


@bp.put("/session/photos/<slot>")
@mobile_session()
@limiter.limit(configured("uploads_per_session"), key_func=mobile_session_key)
def upload_photo(slot: str):
    from kcheck.quality import ImageRejected, sanitize_upload

    if slot not in domain.SLOTS:
        raise Problem("not_found")
    svc = services()
    case = intake.check_upload(svc, session_case_id(), slot)  # before the body is read
    data, declared = _read_upload()
    try:
        clean = sanitize_upload(data, declared)
    except ImageRejected as exc:
        raise Problem(exc.code, status=exc.http_status) from None
    del data  # only the copy without metadata is kept; the worker makes the downscaled one
    now = svc.now()
    case = intake.prepare_upload(svc, case, now)
    # No lock is held while the blob travels to storage (on SQLite a transaction would hold
    # the database's only write lock). Stored before its row: a crash leaves an orphan blob
    # (found by the retention audit and deleted), never a row pointing at nothing.
    key = svc.vault().put_blob(case, upload_kind(slot), clean.data)
    try:
        photo, case = intake.record_upload(svc, case.id, slot, clean, key,
                                           case.wrapped_data_key, now)
    except BaseException:
        svc.storage.delete_many([key])  # nothing points at it
        raise
    enqueue_check(svc, photo.id)
    return jsonify(photo_view(photo, person_locale(case))), 202


def enqueue_check(svc, photo_id: str) -> None:
    """Queue the quality check of a photo recorded as queued (in the upload's one transaction).
    If Redis is down the mark is taken back, so the sweeper enqueues it at its next tick; a
    crash between the commit and here leaves the mark, and the sweeper re-queues the photo
    once it is older than twice the job timeout, as for a job lost in Redis."""
    try:
        svc.queue.enqueue(CHECK_PHOTO_FUNC, photo_id, spec=CHECK_PHOTO)
    except QueueUnavailable:
        log.warning("quality check not queued; the sweeper will retry", extra={"photo": photo_id})
        with svc.transaction() as session:
            session.execute(update(Photo).where(Photo.id == photo_id, Photo.status == "pending")
                            .values(enqueued_at=None))


NO_PHOTO = "No photo in this slot yet."


def _current_photo(slot: str) -> tuple[Case, Photo]:
    """The session's case and the current photo of `slot`, or a 404 problem."""
    if slot not in domain.SLOTS:
        raise Problem("not_found")
    case, photos = read_state()
    photo = photos.get(slot)
    if photo is None:
        raise Problem("not_found", detail=NO_PHOTO)
    return case, photo


@bp.get("/session/photos/<slot>")
@mobile_session(open_only=False, reads=True)
def photo_status(slot: str):
    """The slot's photo and its verdict. With `wait=N` (seconds, at most MAX_VERDICT_WAIT_S)
    a pending verdict is waited for: the answer comes as soon as the worker stores it, or
    after N seconds still pending (sooner when the server cannot hold the request)."""
    wait = _wait_parameter()
    case, photo = _current_photo(slot)
    if wait and photo.status == "pending":
        photo = _await_verdict(photo, wait)
    return jsonify(photo_view(photo, person_locale(case)))


def _wait_parameter() -> int:
    raw = request.args.get("wait", "0")
    if not raw.isascii() or not raw.isdigit() or int(raw) > domain.MAX_VERDICT_WAIT_S:
        raise Problem("validation_failed", errors=[{
            "field": "wait", "message": f"whole seconds from 0 to {domain.MAX_VERDICT_WAIT_S}"}])
    return int(raw)


def _await_verdict(photo: Photo, wait: int) -> Photo:
    """The photo once it has a verdict, or as it is when the wait ends. Holds no database
    connection while waiting; reads the photo again each time its worker may have stored it."""
    svc = services()
    deadline = time.monotonic() + wait
    with current_app.extensions[WAITERS].waiting(photo.id) as woken:
        if woken is None:
            return photo
        while True:
            woken.clear()  # before the read: a verdict stored after it wakes the wait below
            with svc.sessions() as session:
                fresh = session.get(Photo, photo.id)
            if fresh is None:
                return photo
            photo = fresh
            left = deadline - time.monotonic()
            if photo.status != "pending" or left <= 0:
                return photo
            woken.wait(left)


def _photo_blob(svc, case: Case, photo: Photo) -> bytes:
    """The photo's current blob. The worker swaps the upload for its stored copy and deletes the
    upload (quality_job._replace_upload), maybe between this request's read of the photo and of
    its blob: then the photo, read again, points at the copy."""
    try:
        return svc.vault().get_blob(case, photo.blob_key)
    except BlobNotFound:
        with svc.sessions() as session:
            fresh = session.get(Photo, photo.id)
        if fresh is None or fresh.blob_key in (None, photo.blob_key):
            raise
        return svc.vault().get_blob(case, fresh.blob_key)


@bp.get("/session/photos/<slot>/image")
@mobile_session(reads=True)
def photo_image(slot: str):
    """The person's own current photo of a slot, for the summary before submitting."""
    svc = services()
    case, photo = _current_photo(slot)
    try:
        data = _photo_blob(svc, case, photo)
    except (DataGone, BlobNotFound):
        raise Problem("not_found", detail=NO_PHOTO) from None
    return Response(data, mimetype="image/jpeg", headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin"})

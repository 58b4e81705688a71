"""Photo upload and quality status for the person's mobile client."""

from __future__ import annotations

import logging

from flask import Response, jsonify, request
from sqlalchemy import update

from kcheck import audit
from kcheck.adapters.queue import QueueUnavailable
from kcheck.adapters.storage import BlobNotFound
from kcheck.api.intake import (
    bp,
    current_photos,
    load_case,
    mobile_session,
    person_locale,
    progress_of,
    start_retention_clock,
    vault,
)
from kcheck.api.limits import configured, limiter, mobile_session_key
from kcheck.api.problems import Problem
from kcheck.domain import cases as domain
from kcheck.models import Case, Photo
from kcheck.services import services
from kcheck.vault import DataGone
from kcheck.workers.specs import CHECK_PHOTO, CHECK_PHOTO_FUNC

log = logging.getLogger(__name__)
MAX_UPLOAD = 15 * 1024 * 1024
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif")


def photo_view(photo: Photo, locale: str) -> dict:
    from kcheck.quality import message_for

    quality = {"status": photo.status}
    if photo.status != "pending":
        reasons = list(photo.reasons or [])
        quality.update(reasons=reasons, message=message_for(reasons, locale))
    return {"slot": photo.slot, "photo_id": photo.id, "attempt": photo.attempt,
            "flagged": photo.flagged, "quality": quality}


def _read_upload() -> tuple[bytes, str]:
    """The image from a raw body or a multipart `photo` field, refused early when too big."""
    if request.content_length is not None and request.content_length > MAX_UPLOAD + 64 * 1024:
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
    with svc.sessions() as session:  # cheap checks before the body is read
        case = load_case(session, for_update=False)
        photos = current_photos(session, case.id)
        _slot_guard(progress_of(case, photos), slot)
    data, declared = _read_upload()
    try:
        clean = sanitize_upload(data, declared)
    except ImageRejected as exc:
        raise Problem(exc.code, status=exc.http_status) from None
    del data  # only the copy without metadata is kept; the worker makes the downscaled one
    now = svc.now()
    if case.wrapped_data_key is None or case.data_received_at is None:
        with svc.transaction() as session:  # short: the case's data key and retention clock
            case = load_case(session)
            start_retention_clock(case, now)
            vault().data_key(case, create=True)
    # No lock is held while the blob travels to storage (on SQLite a transaction would hold
    # the database's only write lock). Stored before its row: a crash leaves an orphan blob
    # (found by the retention audit and deleted), never a row pointing at nothing.
    key = vault().put_blob(case, f"upload-{slot}", clean.data)
    try:
        photo, case = _record_upload(svc, slot, clean, key, case.wrapped_data_key, now)
    except BaseException:
        svc.storage.delete_many([key])  # nothing points at it
        raise
    enqueue_check(photo.id)
    return jsonify(photo_view(photo, person_locale(case))), 202


def _record_upload(svc, slot: str, clean, key: str, wrapped_key: bytes, now):
    """The photo row for a stored upload, if the case is still as it was (same data key:
    not purged meanwhile) and the slot still in order."""
    with svc.transaction() as session:
        case = load_case(session)
        if case.wrapped_data_key != wrapped_key:
            raise Problem("conflict", detail="This verification is no longer open.")
        photos = current_photos(session, case.id)
        _slot_guard(progress_of(case, photos), slot)
        previous = photos.get(slot)
        photo = Photo(case_id=case.id, slot=slot, attempt=(previous.attempt + 1) if previous else 1,
                      status="pending", blob_key=key, byte_size=len(clean.data),
                      width=clean.width, height=clean.height,
                      orientation=clean.orientation if clean.orientation != 1 else None,
                      created_at=now, enqueued_at=now)  # queued right after this commit
        session.add(photo)
        if previous is not None:
            previous.superseded_at = now
        if case.resubmission_slots and slot in case.resubmission_slots:
            case.resubmission_slots = [s for s in case.resubmission_slots if s != slot]
        if case.status == "resubmission_requested":
            case.status = "in_progress"
        case.updated_at = now
        audit.record(session, now, "person", None, "photo.uploaded", case.id, slot=slot,
                     attempt=photo.attempt)
    return photo, case


def _slot_guard(progress: domain.Progress, slot: str) -> None:
    try:
        progress.require_slot_order(slot)
    except domain.StepError as exc:
        raise Problem("step_out_of_order", missing_step=exc.missing_step) from None


def enqueue_check(photo_id: str) -> None:
    """Queue the quality check of a photo recorded as queued (in the upload's one transaction).
    If Redis is down the mark is taken back, so the sweeper enqueues it at its next tick; a
    crash between the commit and here leaves the mark, and the sweeper re-queues the photo
    once it is older than twice the job timeout, as for a job lost in Redis."""
    svc = services()
    try:
        svc.queue.enqueue(CHECK_PHOTO_FUNC, photo_id, spec=CHECK_PHOTO)
    except QueueUnavailable:
        log.warning("quality check not queued; the sweeper will retry", extra={"photo": photo_id})
        with svc.transaction() as session:
            session.execute(update(Photo).where(Photo.id == photo_id, Photo.status == "pending")
                            .values(enqueued_at=None))


NO_PHOTO = "No photo in this slot yet."


def _current_photo(session, slot: str) -> tuple[Case, Photo]:
    """The session's case and the current photo of `slot`, or a 404 problem."""
    if slot not in domain.SLOTS:
        raise Problem("not_found")
    case = load_case(session, for_update=False)
    photo = current_photos(session, case.id).get(slot)
    if photo is None:
        raise Problem("not_found", detail=NO_PHOTO)
    return case, photo


@bp.get("/session/photos/<slot>")
@mobile_session(open_only=False)
def photo_status(slot: str):
    with services().sessions() as session:
        case, photo = _current_photo(session, slot)
        return jsonify(photo_view(photo, person_locale(case)))


@bp.get("/session/photos/<slot>/image")
@mobile_session()
def photo_image(slot: str):
    """The person's own current photo of a slot, for the summary before submitting."""
    with services().sessions() as session:
        case, photo = _current_photo(session, slot)
        try:
            data = vault().get_blob(case, photo.blob_key)
        except (DataGone, BlobNotFound):
            raise Problem("not_found", detail=NO_PHOTO) from None
    return Response(data, mimetype="image/jpeg", headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin"})

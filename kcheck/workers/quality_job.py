"""The photo check job: load, decrypt, make the stored copy, check it, store the verdict, then
swap the upload for the copy and the reviewer's preview."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from kcheck.adapters.storage import BlobNotFound
from kcheck.adapters.verdict_notices import announce_verdict
from kcheck.crypto import DecryptionError
from kcheck.models import Case, Photo
from kcheck.vault import DataGone, Vault, is_upload
from kcheck.workers.runtime import worker_services

log = logging.getLogger(__name__)


def check_photo(photo_id: str) -> str:
    """Idempotent: a photo already checked (or replaced, or purged) is left as it is."""
    from kcheck import quality

    svc = worker_services()
    with svc.sessions() as session:
        found = session.execute(select(Photo, Case).join(Case, Case.id == Photo.case_id)
                                .where(Photo.id == photo_id)).first()
    if found is None or found.Photo.blob_key is None:
        return "skipped"
    photo, case = found
    vault = svc.vault()
    runs = _runs_begun(svc, photo_id)
    if photo.status != "pending":
        return _finish(svc, vault, case, photo, runs)
    if runs > MAX_CHECK_RUNS:  # the earlier runs died on this photo
        log.warning("photo check given up", extra={"photo": photo_id})
        copy, verdict = None, quality.QualityVerdict.unchecked()
    else:
        try:
            data = vault.get_blob(case, photo.blob_key)
        except (DataGone, BlobNotFound, DecryptionError):
            return "gone"
        copy, verdict = _checked(quality, svc, photo, data)
    # Without a stored copy the sweeper must not come back to make one (it died making it).
    given_up = {"check_given_up": True} if copy is None and verdict.passed else {}
    with svc.transaction() as session:
        won = session.execute(
            update(Photo).where(Photo.id == photo_id, Photo.status == "pending",
                                Photo.blob_key.is_not(None))
            .values(status=verdict.verdict, reasons=list(verdict.reasons),
                    metrics=verdict.to_json(), checked_at=svc.now(), **given_up)).rowcount
    if not won:  # a concurrent run stored its result first: exactly one result is kept
        return "duplicate"
    log.info("photo checked", extra={"photo": photo_id, "verdict": verdict.verdict,
                                     "reasons": list(verdict.reasons)})
    announce_verdict(svc.queue.redis, photo_id)  # wakes the person's request waiting for it
    # The person sees the verdict now; the stored copy and the preview come a moment later.
    if copy is not None:
        _replace_upload(svc, vault, case, photo, copy, quality.annotate_pixels(copy.pixels, verdict))
    return verdict.verdict


def _runs_begun(svc, photo_id: str) -> int:
    """Count this run among those begun on the photo (this one included), in Redis: a run that
    dies on it has counted, a job still waiting in the queue has not. A count lost with Redis
    starts again; it lasts as long as any photo can."""
    key = f"kcheck:check-runs:{photo_id}"
    with svc.queue.redis.pipeline() as pipe:
        runs, _ = pipe.incr(key).expire(key, RUNS_KEPT).execute()
    return int(runs)


def _checked(quality, svc, photo: Photo, data: bytes):
    """The stored copy and the verdict. The upload is the person's file without metadata;
    checks and reviewers use the downscaled, upright copy made here (the web tier does no pixel
    work). A fault in the check or its timeout passes the photo unchecked (the reviewer is
    told) rather than keeping the person waiting for a check that fails the same way again."""
    try:
        return quality.checked_copy(data, photo.orientation or 1, photo.slot,
                                    svc.settings.quality_retake_confidence)
    except Exception:
        log.exception("photo check failed", extra={"photo": photo.id})
        return None, quality.QualityVerdict.unchecked()


def _finish(svc, vault: Vault, case: Case, photo: Photo, runs: int) -> str:
    """A checked photo without its preview lost its worker after the verdict (kill -9, storage
    down): make the stored copy (when the upload is still there) and the preview now, with the
    verdict already given. Anything else already checked is left as it is."""
    from kcheck import quality

    if photo.status not in UNFINISHED or photo.preview_key is not None or photo.superseded_at:
        return "skipped"
    if runs > MAX_CHECK_RUNS:  # making the copy died every time: the upload stays as it is
        with svc.transaction() as session:
            session.execute(update(Photo).where(Photo.id == photo.id).values(check_given_up=True))
        log.warning("photo copy given up", extra={"photo": photo.id})
        return "given up"
    try:
        data = vault.get_blob(case, photo.blob_key)
    except (DataGone, BlobNotFound, DecryptionError):
        return "gone"
    verdict = quality.QualityVerdict.from_json(photo.metrics)
    if is_upload(photo.blob_key):
        copy = quality.stored_copy(data, photo.orientation or 1)
        _replace_upload(svc, vault, case, photo, copy, quality.annotate_pixels(copy.pixels, verdict))
    else:  # the copy was stored without its preview (by an earlier version of this job)
        _store_preview(svc, vault, case, photo, quality.annotate(data, verdict))
    log.info("photo check finished", extra={"photo": photo.id})
    return "finished"


# Verdicts that come with a stored copy and a preview (a rejected file has neither).
UNFINISHED = ("pass", "retake")
# After this many runs begun on a photo, the check is not tried again: a pending photo passes
# unchecked, a checked one keeps its upload without a preview.
MAX_CHECK_RUNS = 3
RUNS_KEPT = 4 * 24 * 3600  # seconds: longer than any photo is kept


def _replace_upload(svc, vault: Vault, case: Case, photo: Photo, copy, preview: bytes) -> None:
    """Store the copy and the preview, point the photo at both (one transaction), and delete
    the full-size upload."""
    try:
        key = vault.put_blob(case, f"photo-{photo.slot}", copy.data)
    except DataGone:
        return
    try:
        preview_key = vault.put_blob(case, f"preview-{photo.slot}", preview)
    except DataGone:  # purged meanwhile, as above
        svc.storage.delete_many([key])
        return
    except BaseException:
        svc.storage.delete_many([key])  # nothing points at it; the sweeper makes both again
        raise
    with svc.transaction() as session:
        swapped = session.execute(update(Photo).where(
            Photo.id == photo.id, Photo.blob_key == photo.blob_key, Photo.preview_key.is_(None))
            .values(blob_key=key, byte_size=len(copy.data), width=copy.width,
                    height=copy.height, preview_key=preview_key)).rowcount
    # Replaced or purged meanwhile: the copies must not outlive it. Else the upload is no longer
    # needed (if this delete fails, the purge finds it under the case's prefix).
    svc.storage.delete_many([photo.blob_key] if swapped else [key, preview_key])


def _store_preview(svc, vault: Vault, case: Case, photo: Photo, preview: bytes) -> None:
    try:
        key = vault.put_blob(case, f"preview-{photo.slot}", preview)
    except DataGone:
        return
    with svc.transaction() as session:
        kept = session.execute(update(Photo).where(
            Photo.id == photo.id, Photo.preview_key.is_(None), Photo.blob_key.is_not(None))
            .values(preview_key=key)).rowcount
    if not kept:  # replaced or purged meanwhile: the preview must not outlive its photo
        svc.storage.delete_many([key])

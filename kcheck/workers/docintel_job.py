"""Document intelligence jobs: once a case is submitted, read the MRZ, hash each photo for
reuse detection and (with biometric consent) compare the selfie with the document portrait.

A periodic tick (`enqueue_due_analyses`, declared in workers/process.py) finds submitted cases
whose current photos have not been analysed and enqueues `analyse_case(case_id)` for each:
only final photos are analysed (no work on photos a retake replaces), a lost job is simply
found again on the next tick, and the person's quality verdict is never delayed by it.
Results are sealed under the case's data key; the purge nulls them with the rest (their
columns are declared personal in models.py).
"""

from __future__ import annotations

import logging

from sqlalchemy import and_, exists, select, update

from kcheck.adapters.queue import JobSpec
from kcheck.adapters.storage import BlobNotFound
from kcheck.crypto import DecryptionError
from kcheck.domain.cases import AWAITING_REVIEW
from kcheck.models import Case, Photo
from kcheck.vault import DataGone, Vault
from kcheck.workers.runtime import worker_services

log = logging.getLogger(__name__)
ANALYSE_CASE = JobSpec(queue="maintenance", timeout=300, result_ttl=0, failure_ttl=3600)
ANALYSE_CASE_FUNC = "kcheck.workers.docintel_job.analyse_case"
MRZ_SLOTS = ("id_back", "passport_page")
PORTRAIT_SLOTS = ("id_front", "passport_page")
BATCH = 50


def _current_checked():
    return and_(Photo.superseded_at.is_(None), Photo.blob_key.is_not(None),
                Photo.status.in_(("pass", "retake")))


def due_case_ids(session, limit: int = BATCH) -> list[str]:
    """Submitted cases with a current, checked photo not analysed yet."""
    unanalysed = exists().where(Photo.case_id == Case.id, _current_checked(),
                                Photo.analysis.is_(None))
    return list(session.scalars(select(Case.id).where(
        Case.status.in_(AWAITING_REVIEW), Case.data_purged_at.is_(None), unanalysed)
        .order_by(Case.submitted_at).limit(limit)))


def enqueue_due_analyses() -> int:
    """Periodic: enqueue analyse_case for each due case. Returns how many were enqueued."""
    svc = worker_services()
    with svc.sessions() as session:
        ids = due_case_ids(session)
    return svc.queue.enqueue_each(ANALYSE_CASE_FUNC, ids, ANALYSE_CASE)


def analyse_case(case_id: str) -> dict:
    """Idempotent: photos already analysed, replaced or purged are left alone."""
    svc = worker_services()
    with svc.sessions() as session:
        case = session.get(Case, case_id)
        photos = [] if case is None else list(session.scalars(select(Photo).where(
            Photo.case_id == case_id, _current_checked())))
    if case is None or case.data_purged_at is not None or case.wrapped_data_key is None:
        return {"state": "gone"}
    vault = svc.vault()
    images: dict[str, bytes] = {}
    done = 0
    for photo in photos:
        try:
            images[photo.slot] = vault.get_blob(case, photo.blob_key)
        except (DataGone, BlobNotFound, DecryptionError):
            return {"state": "gone"}
        if photo.analysis is None:
            done += _analyse_photo(svc, vault, case, photo, images[photo.slot])
    face = _face_match(svc, vault, case, {p.slot: p for p in photos}, images)
    return {"state": "done", "photos": done, "face_match": face}


def _analyse_photo(svc, vault: Vault, case: Case, photo: Photo, data: bytes) -> int:
    from kcheck.docintel import mrz_zone, reuse

    values: dict = {}
    try:
        phash = reuse.perceptual_hash(data)
        if phash is not None:
            values["phash"] = vault.seal_value(case, f"phash:{photo.id}", phash)
            values["phash_bands"] = " ".join(reuse.band_digests(svc.settings.secret_key, phash))
        if photo.slot in MRZ_SLOTS:
            reading = mrz_zone.read_mrz(data, svc.now().date())
            values["mrz"] = vault.seal_value(case, f"mrz:{photo.id}", reading.to_json())
            if reading.valid:
                values["document_digest"] = reuse.document_digest(svc.settings.secret_key,
                                                                  reading.fields)
        state = "done"
    except Exception as exc:  # noqa: BLE001 - an assist that fails says so, never "ok"
        log.warning("photo analysis failed (%s)", type(exc).__name__, extra={"photo": photo.id})
        values, state = {}, "error"
    with svc.transaction() as session:
        won = session.execute(update(Photo).where(
            Photo.id == photo.id, Photo.analysis.is_(None), Photo.blob_key.is_not(None))
            .values(analysis=state, analysed_at=svc.now(), **values)).rowcount
    return int(bool(won))


def _face_match(svc, vault: Vault, case: Case, photos: dict[str, Photo],
                images: dict[str, bytes]) -> str:
    """Compare selfie and portrait once per pair of photos, only with biometric consent."""
    from kcheck.docintel import facematch

    if case.biometric_consent_at is None:
        return "no_consent"
    portrait_slot = next((s for s in PORTRAIT_SLOTS if s in photos), None)
    if "selfie" not in photos or portrait_slot is None:
        return "incomplete"
    pair = {"selfie_photo": photos["selfie"].id, "document_photo": photos[portrait_slot].id}
    previous = vault.open_value(case, "face_match", case.face_match)
    if previous and all(previous.get(k) == v for k, v in pair.items()):
        return "already"
    try:
        result = facematch.compare(images["selfie"], images[portrait_slot]).to_json()
    except Exception as exc:  # noqa: BLE001
        log.warning("face match failed (%s)", type(exc).__name__, extra={"case": case.id})
        result = {"verdict": "error"}
    sealed = vault.seal_value(case, "face_match", {**pair, **result})
    with svc.transaction() as session:
        session.execute(update(Case).where(
            Case.id == case.id, Case.data_purged_at.is_(None),
            Case.wrapped_data_key.is_not(None)).values(face_match=sealed)
            .execution_options(synchronize_session=False))
    return result["verdict"]


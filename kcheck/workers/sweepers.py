"""Periodic jobs that heal what crashes leave behind (photos whose check was lost) and keep
tables small (staff sessions that ended)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from kcheck import staff
from kcheck.job_specs import CHECK_PHOTO, CHECK_PHOTO_FUNC
from kcheck.models import Photo
from kcheck.workers.quality_job import UNFINISHED
from kcheck.workers.runtime import worker_services


def requeue_stuck_photos() -> int:
    """A photo still pending after twice the job timeout (worker killed, Redis lost the job, or
    the queue was down at upload) is enqueued again; so is a checked photo still without its
    preview (its worker died after the verdict), which the job then finishes, unless the job
    gave it up. Returns how many were."""
    svc = worker_services()
    now = svc.now()
    cutoff = now - timedelta(seconds=2 * CHECK_PHOTO.timeout)
    # A pending photo is always enqueued again: once quality_job.MAX_CHECK_RUNS runs began on
    # it, the next passes it unchecked without looking at its pixels, so it cannot die on it.
    lost = or_(Photo.status == "pending",
               and_(Photo.status.in_(UNFINISHED), Photo.preview_key.is_(None),
                    Photo.checked_at < cutoff, Photo.check_given_up.is_(False)))
    with svc.sessions() as session:
        ids = session.scalars(select(Photo.id).where(
            lost, Photo.superseded_at.is_(None), Photo.blob_key.is_not(None),
            or_(Photo.enqueued_at.is_(None), Photo.enqueued_at < cutoff)).limit(500)).all()

    def mark_enqueued(photo_id: str) -> None:
        with svc.transaction() as session:
            session.execute(update(Photo).where(Photo.id == photo_id).values(enqueued_at=now))

    return svc.queue.enqueue_each(CHECK_PHOTO_FUNC, ids, CHECK_PHOTO, after=mark_enqueued)


def forget_ended_staff_sessions() -> int:
    """Keep the staff sessions table to the sessions that are still alive."""
    svc = worker_services()
    with svc.transaction() as session:
        return staff.forget_ended_sessions(session, svc.now())

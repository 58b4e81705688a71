"""One case on one screen: photos, previews, quality reasons, phone, location, history."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, g, render_template, request
from sqlalchemy import select

from kcheck import audit
from kcheck.adapters.storage import BlobNotFound
from kcheck.crypto import DecryptionError
from kcheck.docintel import summary_for_reviewer
from kcheck.domain import cases as domain
from kcheck.domain.decisions import REASON_CODES
from kcheck.models import AuditEvent, Case, Decision, Photo
from kcheck.review_ui.blueprint import bp
from kcheck.review_ui.present import mask_phone, quality_summary, sla_for
from kcheck.review_ui.queue import staff_names
from kcheck.services import services
from kcheck.vault import DataGone

HISTORY_LIMIT = 200


def personal_data(vault, case: Case) -> dict | None:
    """The case's personal data, opened for display; None once it has been purged."""
    if case.data_purged_at is not None:
        return None
    v = vault
    try:
        location = v.open_value(case, "location", case.location)
        return {"phone": mask_phone(v.open_value(case, "phone", case.phone)),
                "location": location,
                # Shown like every other time of the page (the staff member's format and zone).
                "location_captured_at": _moment(location.get("captured_at") if location else None),
                "expected_name": v.open_value(case, "expected_name", case.expected_name)}
    except DataGone:
        return None


def _moment(iso: str | None) -> datetime | None:
    if not iso:
        return None
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def case_context(svc, session, case: Case, now, **extra) -> dict:
    """Everything the case page template needs (also used to re-render after a refusal)."""
    photos = list(session.scalars(select(Photo).where(Photo.case_id == case.id)
                                  .order_by(Photo.slot, Photo.attempt.desc())))
    current = {p.slot: p for p in photos if p.superseded_at is None}
    slots = [s for s in domain.required_slots(case.document_type)] or sorted(current)
    earlier = [p for p in photos if p.superseded_at is not None]
    history = list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                   .order_by(AuditEvent.id.desc()).limit(HISTORY_LIMIT)))
    decisions = list(session.scalars(select(Decision).where(Decision.case_id == case.id)
                                     .order_by(Decision.created_at.desc())))
    holder = domain.claim_holder(case, now)
    vault = svc.vault()
    names = staff_names(session, [holder, case.reviewer_id]
                        + [e.actor_id for e in history if e.actor_type == "staff"]
                        + [d.reviewer_id for d in decisions])
    context = {
        "case": case, "slots": slots, "current": current, "earlier": earlier,
        "history": history, "decisions": decisions, "names": names,
        "pii": personal_data(vault, case), "sla": sla_for(case, svc.settings, now),
        "assists": _without_empty_mrz_fields(summary_for_reviewer(session, case, vault,
                                                                  now.date())),
        "quality": quality_summary(photos), "holder": holder,
        "mine": holder == g.staff.id, "open_for_decision": case.status in domain.AWAITING_REVIEW,
        "reason_codes": REASON_CODES, "notice": request.args.get("notice"),
        "error": None, "conflict": None, "form": {},
    }
    context.update(extra)
    return context


def _without_empty_mrz_fields(assists: dict) -> dict:
    """An MRZ not read yet has every field None: show nothing rather than "None, None"."""
    mrz = assists.get("mrz")
    if mrz and not any((mrz.get("fields") or {}).values()):
        mrz["fields"] = {}
    return assists


@bp.get("/cases/<case_id>")
def case(case_id: str):
    svc = services()
    now = svc.now()
    with svc.transaction() as session:
        found = session.get(Case, case_id)
        if found is None:
            abort(404)
        audit.record(session, now, "staff", g.staff.id, "case.viewed", case_id)
        context = case_context(svc, session, found, now)
    return render_template("review/case.html", **context)


@bp.get("/cases/<case_id>/photos/<photo_id>")
def photo(case_id: str, photo_id: str):
    return _image(case_id, photo_id, "photo")


@bp.get("/cases/<case_id>/photos/<photo_id>/preview")
def photo_preview(case_id: str, photo_id: str):
    return _image(case_id, photo_id, "preview")


def _image(case_id: str, photo_id: str, kind: str):
    """The decrypted image, for this staff session only: never cached, never sniffed."""
    svc = services()
    now = svc.now()
    with svc.transaction() as session:
        found = session.get(Photo, photo_id)
        if found is None or found.case_id != case_id:
            abort(404)
        owner = session.get(Case, case_id)
        key = found.blob_key if kind == "photo" else found.preview_key
        if key is None or owner.data_purged_at is not None:
            abort(410)
        try:
            data = svc.vault().get_blob(owner, key)
        except (DataGone, BlobNotFound, DecryptionError):
            abort(410)
        audit.record(session, now, "staff", g.staff.id, "photo.viewed", case_id,
                     photo_id=photo_id, slot=found.slot, kind=kind)
    mimetype = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(data, mimetype=mimetype, headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline", "Cross-Origin-Resource-Policy": "same-origin"})

"""What the review page shows from the document-intelligence results of one case.

Every part has a `state`; an assist that did not run or failed says so ("pending",
"unreadable", "error", "not run: no consent", "failed") and is never reported as fine.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from kcheck import clock
from kcheck.docintel import crosscheck, facescore, reuse
from kcheck.docintel.mrz import FIELD_NAMES, MrzReading
from kcheck.domain.cases import AWAITING_REVIEW, OPEN_FOR_PERSON
from kcheck.models import Case, Photo
from kcheck.vault import DataGone, Vault

MRZ_SLOT = {"id_card": "id_back", "passport": "passport_page"}


def summary_for_reviewer(session, case: Case, vault: Vault, today: date | None = None) -> dict:
    """The assists for one case, as plain JSON-able data (see the module docstring)."""
    if case.data_purged_at is not None or case.wrapped_data_key is None:
        return {"state": "purged"}
    today = today or clock.today()
    photos = {p.slot: p for p in session.scalars(select(Photo).where(
        Photo.case_id == case.id, Photo.superseded_at.is_(None)))}
    try:
        mrz_part, reading = _mrz(photos.get(MRZ_SLOT.get(case.document_type or "")), case, vault,
                                 today)
        expected = vault.open_value(case, "expected_name", case.expected_name)
        face = _face(case, vault)
        reuse_part = _reuse(session, case, photos, vault)
    except DataGone:
        return {"state": "purged"}
    fields = reading.fields if reading is not None and reading.valid else {}
    similarity = crosscheck.name_similarity(expected, fields.get("surname", ""),
                                            fields.get("given_names", "")) if fields else None
    pending = any(p.analysis is None and p.status in ("pass", "retake") for p in photos.values())
    return {
        "state": "pending" if pending else "ready",
        "mrz": mrz_part,
        "name": {"state": _needs_mrz(fields, crosscheck.name_signal(similarity), expected),
                 "similarity": similarity, "expected_name_given": bool(expected)},
        "document_type": {"state": _needs_mrz(fields, crosscheck.document_type_signal(
                              case.document_type, fields.get("document_type"))),
                          "chosen": case.document_type,
                          "mrz_code": fields.get("document_type")},
        "expiry": {"state": _needs_mrz(fields, crosscheck.expiry_signal(
                       fields.get("expiry_date"), today)),
                   "expiry_date": fields.get("expiry_date")},
        "country": {"state": _needs_mrz(fields, crosscheck.country_signal(
                        case.location_country, fields.get("nationality"),
                        fields.get("issuing_country"))),
                    "location_country": case.location_country,
                    "nationality": fields.get("nationality"),
                    "issuing_country": fields.get("issuing_country"), "signal_only": True},
        "face_match": face,
        "reuse": reuse_part,
        "reason_codes": mrz_part["reason_codes"],
    }


def _needs_mrz(fields: dict, state: str, expected=True) -> str:
    if not fields:
        return "unavailable: no valid MRZ"
    if not expected:
        return "not_compared"
    return state


def _mrz(photo: Photo | None, case: Case, vault: Vault, today: date):
    empty = {"fields": dict.fromkeys(FIELD_NAMES), "checks": {}, "failed_checks": [],
             "repaired": [], "implausible": [], "format": None, "variant": None, "rotation": 0,
             "reason_codes": []}
    if photo is None:
        return {"state": "no_photo", **empty}, None
    if photo.analysis is None:
        return {"state": "pending", "slot": photo.slot, **empty}, None
    if photo.analysis != "done" or photo.mrz is None:
        return {"state": "error", "slot": photo.slot, **empty}, None
    reading = MrzReading.from_json(vault.open_value(case, f"mrz:{photo.id}", photo.mrz))
    return mrz_part(reading, photo.slot, today), reading


def mrz_part(reading: MrzReading, slot: str, today: date) -> dict:
    """What the review page shows of one reading: every check digit by name, and apart from
    them, whatever does not make sense (a specimen may pass every check with an impossible
    birth date: that is no misread, and the reviewer is told which of the two it is). A check
    that passes only after a look-alike character was repaired (0 for O) is `repaired`: the
    reviewer compares that field with the printed page."""
    if not reading.found:
        state, codes = "unreadable", ["mrz_unreadable"]
    elif not reading.valid:
        state, codes = "invalid", ["mrz_invalid"]
    else:
        state, codes = "valid", []
        if crosscheck.expiry_signal(reading.fields.get("expiry_date"), today) == "expired":
            codes = ["document_expired"]
    implausible = [{"field": name, "verdict": reading.plausibility[name]}
                   for name in reading.implausible]
    return {"state": state, "slot": slot, "format": reading.format,
            "variant": reading.variant, "rotation": reading.rotation,
            "fields": {k: reading.fields.get(k) for k in FIELD_NAMES},
            "checks": dict(reading.checks), "failed_checks": reading.failed_checks,
            "repaired": list(reading.corrected), "implausible": implausible,
            "reason_codes": codes}


def _face(case: Case, vault: Vault) -> dict:
    if case.biometric_consent_at is None:
        return {"state": "not run: no consent"}
    result = vault.open_value(case, "face_match", case.face_match)
    if result is None:
        return {"state": "pending"}
    verdict = result.get("verdict")
    reading = facescore.reading(result).to_json()
    if verdict not in ("match", "no_match"):
        return {"state": "failed", "detail": verdict, "reading": reading}
    return {"state": verdict, "reading": reading, "similarity": result.get("similarity"),
            "distance": result.get("distance"), "threshold": result.get("threshold"),
            "selfie_photo": result.get("selfie_photo"),
            "document_photo": result.get("document_photo")}


def _reuse(session, case: Case, photos: dict[str, Photo], vault: Vault) -> dict:
    analysed = [p for p in photos.values() if p.analysis == "done"]
    if not analysed:
        state = "pending" if any(p.analysis is None for p in photos.values()) else "error"
        return {"state": state if photos else "no_photo", "flags": []}
    flags = []
    for photo in analysed:
        mine = vault.open_value(case, f"phash:{photo.id}", photo.phash)
        for other, other_case in reuse_candidates(session, case, photo):
            if photo.document_digest and other.document_digest == photo.document_digest:
                flags.append({"slot": photo.slot, "kind": "same_document",
                              "other_case_id": other_case.id, "other_slot": other.slot})
                continue
            try:
                theirs = vault.open_value(other_case, f"phash:{other.id}", other.phash)
            except DataGone:
                continue
            if mine and theirs and reuse.distance(mine, theirs) <= reuse.MAX_DISTANCE:
                flags.append({"slot": photo.slot, "kind": "same_photo",
                              "other_case_id": other_case.id, "other_slot": other.slot})
    return {"state": "flagged" if flags else "none", "flags": flags,
            "checked_slots": sorted(p.slot for p in analysed)}


def reuse_candidates(session, case: Case, photo: Photo):
    """(Photo, Case) of other open cases sharing a band digest or the document digest."""
    conditions = []
    if photo.phash_bands:
        conditions += [Photo.phash_bands.contains(band) for band in photo.phash_bands.split()]
    if photo.document_digest:
        conditions.append(Photo.document_digest == photo.document_digest)
    if not conditions:
        return []
    return session.execute(select(Photo, Case).join(Case, Case.id == Photo.case_id).where(
        Photo.case_id != case.id, Photo.superseded_at.is_(None), or_(*conditions),
        Case.status.in_(OPEN_FOR_PERSON + AWAITING_REVIEW), Case.data_purged_at.is_(None)
    )).all()
